"""GSME snapshot reads: the billing data log (GCS15b change of mode / tariff, GCS15c billing period)
and the daily read log (GCS16a), one Get Snapshot (Metering) or Get Prepay Snapshot (Prepayment)
component per snapshot offset.

A snapshot is [ID, time, ZSE cause bits, payload type, payload octets] (and a sixth item for one
only counted, see ``_loader``). A GSME's snapshots are its
behaviour's logs (``meter.daily_read``: cause general; ``meter.billing_snapshots``: the cause the
behaviour recorded), oldest first, numbered from 0; the ones a replay loaded from RTDS
(``dev.snapshots``: cluster -> list) take their place.

Selection, as RTDS 4.5.0 shows it: the snapshots of the asked cause(s) are "found"; of those, the
ones between the earliest start and latest end time are counted from the oldest (offset 0); an
offset past them answers NOT_FOUND, and the components after it still run.
"""

from smets.behaviour import meter as bm
from smets.behaviour.tariff import BLOCKS_PER_SET
from smets.usecases import zse
from smets.wire import zcl_names as zn

METERING = 0x0702
PREPAYMENT = 0x0705
PUBLISH_SNAPSHOT = 0x06  # Metering, server to client
PUBLISH_PREPAY_SNAPSHOT = 0x01  # Prepayment, server to client
_NAMES = (
    (METERING, PUBLISH_SNAPSHOT, "Publish Snapshot"),
    (PREPAYMENT, PUBLISH_PREPAY_SNAPSHOT, "Publish Prepay Snapshot"),
)

# The behaviour's billing snapshot causes as ZSE cause bits.
_CAUSES = (
    (bm.SNAP_BILLING_PERIOD, zn.SNAPSHOT_CAUSE_END_OF_BILLING_PERIOD),
    (bm.SNAP_TARIFF, zn.SNAPSHOT_CAUSE_TARIFF),
    (bm.SNAP_PAYMENT_MODE, zn.SNAPSHOT_CAUSE_PAYMENT_MODE),
)
_NO_END = 0xFFFFFFFE  # a latest end time of 0xFFFFFFFE / 0xFFFFFFFF: no upper bound
_FILLER_STEP = 86400  # [I] spacing of the older snapshots a replay knows only the number of


def _le(value, n):
    """n octets little-endian (two's complement for a negative value), as ZCL sends integers."""
    return bytes((value >> (8 * i)) & 0xFF for i in range(n))


def _cause_bits(cause):
    for c, bits in _CAUSES:
        if c == cause:
            return bits
    return 0


def metering_payload(registers, tou_count):
    """Payload type 6 from a registers row [total, TOU registers..., block registers...]."""
    blocks = registers[1 + tou_count :]
    out = [_le(registers[0], 6), bytes((tou_count,))]
    out.extend(_le(v, 6) for v in registers[1 : 1 + tou_count])
    out.append(bytes(((len(blocks) // BLOCKS_PER_SET) << 4 | BLOCKS_PER_SET,)))
    out.extend(_le(v, 6) for v in blocks)
    return b"".join(out)


def prepay_payload(prepayment):
    """Payload type 0 from the behaviour's prepayment registers (meter balance, EC balance,
    accumulated debt, payment debt, time debt 1, time debt 2): ZSE debts 1 and 2 are the time-based
    registers, debt 3 the payment-based one."""
    balance, ec, accumulated, pdr, tdr1, tdr2 = prepayment
    return b"".join(
        (_le(accumulated, 4), _le(tdr1, 4), _le(tdr2, 4), _le(pdr, 4), _le(ec, 4), _le(balance, 4))
    )


def behaviour_snapshots(meter, cluster):
    """The meter's snapshots of one cluster, oldest first (IDs in that order)."""
    tou = len(meter.tariff.tou)
    rows = []
    if cluster == METERING:
        for t, row in meter.daily_read.entries():
            rows.append(
                (
                    t,
                    zn.SNAPSHOT_CAUSE_GENERAL,
                    zn.SNAPSHOT_PAYLOAD_BLOCK_TIER_DELIVERED,
                    metering_payload(row, tou),
                )
            )
    else:
        for t, row in meter.prepay_daily_read.entries():
            rows.append(
                (t, zn.SNAPSHOT_CAUSE_GENERAL, zn.SNAPSHOT_PAYLOAD_DEBT_CREDIT_STATUS, prepay_payload(row))
            )
    width = 1 + tou + len(meter.tariff.blocks)
    for t, row in meter.billing_snapshots.entries():
        cause = _cause_bits(row[0])
        if cluster == METERING:
            payload = metering_payload(row[1 : 1 + width], tou)
            kind = zn.SNAPSHOT_PAYLOAD_BLOCK_TIER_DELIVERED
        else:
            payload = prepay_payload(row[1 + width : 7 + width])
            kind = zn.SNAPSHOT_PAYLOAD_DEBT_CREDIT_STATUS
        rows.append((t, cause, kind, payload))
    rows.sort(key=lambda r: r[0])
    return [[i, r[0], r[1], r[2], r[3]] for i, r in enumerate(rows)]


def snapshots_of(dev, cluster):
    loaded = dev.snapshots.get(cluster) if dev.snapshots is not None else None
    if loaded is not None:
        return loaded
    return behaviour_snapshots(dev.meter, cluster)


def get_snapshot(dev, ctx, comp, cmd):
    """Get Snapshot / Get Prepay Snapshot: the offset-th snapshot of the cause(s) in the time range."""
    cause = cmd.get("snapshot_cause")
    start, end = cmd.get("earliest_start_time"), cmd.get("latest_end_time")
    found = [s for s in snapshots_of(dev, comp.cluster_id) if s[2] & cause]
    in_range = [s for s in found if s[1] >= start and (end >= _NO_END or s[1] <= end)]
    offset = cmd.get("snapshot_offset")
    if offset >= len(in_range):
        return zse.S_NOT_FOUND
    s = in_range[offset]
    for cluster, command_id, name in _NAMES:
        if cluster == comp.cluster_id:
            fields = [
                ["snapshot_id", s[0]],
                ["snapshot_time", s[1]],
                ["snapshots_found", len(found)],
                ["command_index", 0],
                ["total_commands", 1],
                ["snapshot_cause", s[2]],
                ["snapshot_payload_type", s[3]],
                ["snapshot_payload", s[4]],
            ]
            return zse.publish(comp, cluster, command_id, name, fields)
    return zse.S_INVALID_FIELD


def _loader(cluster):
    def load(dev, cmd):
        """A published snapshot becomes one the device holds. RTDS can report more found than it
        shows (GCS16a: 31 found, 3 shown); the rest are held as older snapshots of the cause of this
        one, outside the time range asked, with empty payloads."""
        if dev.snapshots is None:
            dev.snapshots = {}
        held = [s for s in dev.snapshots.get(cluster, []) if len(s) == 5]
        cause = cmd.get("snapshot_cause")
        held.append(
            [
                cmd.get("snapshot_id"),
                cmd.get("snapshot_time"),
                cause,
                cmd.get("snapshot_payload_type"),
                bytes(cmd.get("snapshot_payload")),
            ]
        )
        held.sort(key=lambda s: s[1])
        limit = dev.meter.sizes.daily_read + dev.meter.sizes.billing_snapshots
        missing = cmd.get("snapshots_found") - len(held)
        first = held[0][1]
        older = []
        for k in range(min(missing, limit - len(held)), 0, -1):
            older.append([0, first - k * _FILLER_STEP, cause, held[0][3], b"", "older"])
        dev.snapshots[cluster] = (older + held)[-limit:]

    return load


def bind(model):
    model.command(METERING, False, 0x06, get_snapshot)
    model.command(PREPAYMENT, False, 0x07, get_snapshot)
    model.response_loader(METERING, PUBLISH_SNAPSHOT, _loader(METERING))
    model.response_loader(PREPAYMENT, PUBLISH_PREPAY_SNAPSHOT, _loader(PREPAYMENT))
