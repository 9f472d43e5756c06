"""GSME reads of issue 4: billing data log and daily read log snapshots (GCS15b, GCS15c, GCS16a),
tariff and prepayment configuration with their calendars (GCS21f, GCS21b), device join details
(CS07). Expected values are computed here from the state set (ZSE little-endian layouts written out
with struct), or are RTDS 4.5.0's frames byte for byte.
"""

import struct

from test_device_core import NOW, SUPPLIER, P, party, split
from test_device_gsme import cluster_command, default_status, gbz_command, make_gsme, response_components

from smets.behaviour import billing
from smets.behaviour.debt import PDR, TDR1, TDR2
from smets.behaviour.timeutil import to_seconds
from smets.devices import trust as tr
from smets.devices.gsme import Gsme
from smets.devices.keyagreement import ReplayKeyAgreement
from smets.security import protect
from smets.usecases import calendars, logs, zse
from smets.wire import der, gbz
from smets.wire import frame as wire
from support import read_frame, require_rtds, rtds_keyring

METERING = 0x0702
PREPAYMENT = 0x0705
CALENDAR = 0x0707
PRICE = 0x0700
NEVER = 0xFFFFFFFF


def get_snapshot(cluster, offset, cause, start=0, end=NEVER):
    fields = [
        ["earliest_start_time", start],
        ["latest_end_time", end],
        ["snapshot_offset", offset],
        ["snapshot_cause", cause],
    ]
    if cluster == METERING:
        return cluster_command(METERING, 0x06, "Get Snapshot", fields)
    return cluster_command(PREPAYMENT, 0x07, "Get Prepay Snapshot", fields)


def decrypted(r, comps):
    """The components with encrypted ones decrypted (as the supplier reads them)."""
    key = protect.encryption_key(P, r, party(b"supplier").ka, party(b"gsme").ka_pub)
    for c in comps:
        if c.is_encrypted():
            c.set_plaintext(protect.decrypt_content(P, key, r.originator, c.protected))
    return comps


def u48(v):
    return struct.pack("<Q", v)[:6]


def set_registers(dev, total, tou, blocks):
    t = dev.meter.tariff
    t.total = total
    for i, v in enumerate(tou):
        t.tou[i] = v
    for i, v in enumerate(blocks):
        t.blocks[i] = v


def set_prepayment(dev, balance, accumulated, tdr1, tdr2, pdr, ec_limit, ec_used):
    a = dev.meter.account
    a.balance = balance
    a.accumulated = accumulated
    a.debt.regs[TDR1], a.debt.regs[TDR2], a.debt.regs[PDR] = tdr1, tdr2, pdr
    a.ec.limit, a.ec.used = ec_limit, ec_used


def test_billing_period_snapshot_read_back_gcs15c():
    dev = make_gsme()
    set_registers(dev, 0x12345678, [10, 20, 30, 40], [1, 2, 3, 0x01020304])
    set_prepayment(dev, -250, 7, 11, 22, 33, 1000, 400)
    end = NOW + 600
    dev.meter.set_billing_calendar(end, billing.DAILY, NOW)
    dev.meter.tick(end + 60)
    comps_in = [
        get_snapshot(METERING, 0, 0x02),
        get_snapshot(METERING, 1, 0x02),  # only one snapshot: NOT_FOUND, and the next still runs
        get_snapshot(PREPAYMENT, 0, 0x02),
        get_snapshot(METERING, 0, 0x08),  # no tariff-change snapshot
    ]
    r, comps, _ = response_components(dev.handle(gbz_command("GCS15c", comps_in, 100), end + 60))
    assert len(comps) == 4
    # the encrypted components count 0, 1 in their additional header frame counter (as RTDS GCS15c)
    assert [c.frame_counter for c in comps if c.is_encrypted()] == [0, 1]
    metering, missing, prepay, other = decrypted(r, comps)
    m = metering.command()
    assert (metering.cluster_id, metering.command_id, metering.frame_control) == (METERING, 0x06, 0x19)
    assert m.get("snapshot_time") == end and m.get("snapshot_cause") == 0x02
    assert m.get("snapshots_found") == 1 and m.get("snapshot_payload_type") == 6
    expected = (
        u48(0x12345678)
        + bytes((4,))
        + b"".join(u48(v) for v in (10, 20, 30, 40))
        + bytes((0x14,))  # one block tier, four blocks
        + b"".join(u48(v) for v in (1, 2, 3, 0x01020304))
    )
    assert m.get("snapshot_payload") == expected
    assert default_status(missing) == zse.S_NOT_FOUND
    p = prepay.command()
    assert (prepay.cluster_id, prepay.command_id) == (PREPAYMENT, 0x01)
    assert p.get("snapshot_payload_type") == 0
    # accumulated debt, debts 1/2/3 (time 1, time 2, payment), EC remaining, credit remaining
    assert p.get("snapshot_payload") == struct.pack("<IIIIii", 7, 11, 22, 33, 600, -250)
    assert default_status(other) == zse.S_NOT_FOUND


def test_payment_mode_change_snapshot_gcs15b_and_daily_read_gcs16a():
    dev = make_gsme()
    set_registers(dev, 500, [5, 0, 0, 0], [0, 0, 0, 0])
    dev.meter.set_payment_mode(2, False, False, 0, NOW, NOW)  # credit -> prepayment: a snapshot
    midnight = to_seconds(2024, 3, 2)
    dev.meter.tick(midnight + 60)  # the day's read at midnight
    cause_mode_tariff_supplier = 0x6008
    comps_in = [
        get_snapshot(PREPAYMENT, 0, cause_mode_tariff_supplier),
        get_snapshot(METERING, 0, cause_mode_tariff_supplier),
        get_snapshot(METERING, 0, 0x01, start=NOW + 1),  # the daily read, not the mode change
    ]
    r, comps, _ = response_components(dev.handle(gbz_command("GCS15b", comps_in, 110), midnight + 60))
    prepay, metering, daily = [c.command() for c in decrypted(r, comps)]
    assert prepay.get("snapshot_cause") == 0x4000 and prepay.get("snapshot_time") == NOW
    assert metering.get("snapshot_cause") == 0x4000 and metering.get("snapshots_found") == 1
    assert metering.get("snapshot_payload")[:7] == u48(500) + bytes((4,))
    assert daily.get("snapshot_cause") == 0x01 and daily.get("snapshot_time") == midnight
    # IDs number the meter's snapshots oldest first: the mode change (0), then the daily read (1)
    assert (metering.get("snapshot_id"), daily.get("snapshot_id")) == (0, 1)
    r, comps, _ = response_components(
        dev.handle(gbz_command("GCS16a", [get_snapshot(METERING, 0, 0x01)], 111), midnight + 60)
    )
    assert decrypted(r, comps)[0].command().get("snapshot_time") == midnight


def test_snapshot_hardware_fault_stops_the_rest():
    dev = make_gsme()
    dev.inject_fault(("zcl", METERING, 0x06, 1))
    comps_in = [get_snapshot(METERING, 0, 1), get_snapshot(METERING, 1, 1), get_snapshot(METERING, 2, 1)]
    _, comps, _ = response_components(dev.handle(gbz_command("GCS16a", comps_in, 120), NOW))
    assert [default_status(c) for c in comps] == [zse.S_NOT_FOUND, zse.S_HARDWARE_FAILURE, zse.S_FAILURE]
    assert comps[2].command().get("command_id") == 0xFF


def _day_profile(calendar_id, day_id, calendar_type, entries):
    fields = [
        ["provider_id", 0],
        ["issuer_event_id", 5],
        ["issuer_calendar_id", calendar_id],
        ["day_id", day_id],
        ["total_schedule_entries", len(entries)],
        ["command_index", 0],
        ["total_commands", 1],
        ["calendar_type", calendar_type],
        ["entries", [[["start_time", s], ["value", v]] for s, v in entries]],
    ]
    c = gbz.Component(CALENDAR, 0x01, b"", 0x09)
    c.set_command(gbz.ZclCommand("Publish Day Profile", fields))
    return c


def _week_profile(calendar_id, week_id, days):
    fields = [
        ["provider_id", 0],
        ["issuer_event_id", 5],
        ["issuer_calendar_id", calendar_id],
        ["week_id", week_id],
        ["day_id_refs", bytes(days)],
    ]
    c = gbz.Component(CALENDAR, 0x02, b"", 0x09)
    c.set_command(gbz.ZclCommand("Publish Week Profile", fields))
    return c


def _get(command_id, name, fields):
    return cluster_command(CALENDAR, command_id, name, fields)


def test_friendly_credit_calendar_kept_and_read_back_gcs21b():
    dev = make_gsme()
    sent = [
        _day_profile(77, 2, 3, [(0, 1), (420, 0)]),
        _day_profile(77, 1, 3, [(0, 1), (480, 0), (1080, 1)]),
        _week_profile(77, 1, [1, 1, 1, 1, 1, 2, 2]),
    ]
    _, comps, _ = response_components(dev.handle(gbz_command("GCS05", sent, 130), NOW))
    assert [default_status(c) for c in comps] == [0, 0, 0]
    current_friendly = 0xFFFFFFFE
    reads = [
        _get(
            0x01,
            "Get Day Profiles",
            [
                ["provider_id", 0],
                ["issuer_calendar_id", current_friendly],
                ["start_day_id", 1],
                ["number_of_days", 0],
            ],
        ),
        _get(
            0x02,
            "Get Week Profiles",
            [
                ["provider_id", 0],
                ["issuer_calendar_id", current_friendly],
                ["start_week_id", 1],
                ["number_of_weeks", 0],
            ],
        ),
        _get(0x03, "Get Seasons", [["provider_id", 0], ["issuer_calendar_id", current_friendly]]),
        _get(
            0x01,
            "Get Day Profiles",
            [
                ["provider_id", 0],
                ["issuer_calendar_id", 0xFFFFFFFF],
                ["start_day_id", 1],
                ["number_of_days", 0],
            ],
        ),
    ]
    _, comps, _ = response_components(dev.handle(gbz_command("GCS21b", reads, 131), NOW))
    # two day profiles (by day ID) answer the first request, both with its sequence number
    assert [(c.command_id, c.sequence) for c in comps[:3]] == [(0x01, 0), (0x01, 0), (0x02, 1)]
    assert [c.command().get("day_id") for c in comps[:2]] == [1, 2]
    assert comps[0].command().get("entries")[2] == [["start_time", 1080], ["value", 1]]
    assert comps[2].command().get("day_id_refs") == bytes((1, 1, 1, 1, 1, 2, 2))
    assert comps[0].frame_control == 0x19
    assert default_status(comps[3]) == zse.S_NOT_FOUND  # no seasons sent
    assert default_status(comps[4]) == zse.S_NOT_FOUND  # no tariff calendar (0xFFFFFFFF) sent
    assert [c.control & gbz.CTRL_LAST for c in comps] == [0, 0, 0, 0, 1]


def test_current_price_not_found_until_held():
    dev = make_gsme()
    get = cluster_command(PRICE, 0x00, "Get Current Price", [["command_options", 0]])
    _, comps, _ = response_components(dev.handle(gbz_command("GCS21f", [get], 140), NOW))
    assert default_status(comps[0]) == zse.S_NOT_FOUND


def test_device_log_joins_each_device_once():
    dev = make_gsme()
    gpf = b"\x00\x11\x22\x33\x44\x55\x66\xa3"
    ppmid = b"\x00\x11\x22\x33\x44\x55\x66\xa4"
    assert logs.join(dev, gpf, 3) and logs.join(dev, ppmid, 5)
    assert logs.join(dev, gpf, 3) and dev.join_log == [(gpf, 3), (ppmid, 5)]
    assert not logs.join(dev, b"\x01", 5)  # not an EUI-64
    for k in range(logs.JOIN_LOG_SIZE - 2):
        assert logs.join(dev, bytes((9, 9, 9, 9, 9, 9, 9, k)), 5)
    assert not logs.join(dev, b"\x08" * 8, 5)  # full


def _cs07_frame(dev, counter):
    f = wire.Frame(
        wire.CRA_COMMAND,
        counter,
        SUPPLIER,
        dev.eui,
        0x0013,
        der.build_payload(der.make_null()),
        signature=b"",
    )
    return protect.apply_mac(P, f, party(b"acb").ka, party(b"gsme").ka_pub)


def test_cs07_reads_the_device_log_or_a_read_failure():
    dev = make_gsme()
    gpf = b"\x00\x11\x22\x33\x44\x55\x66\xa3"
    logs.join(dev, gpf, 3)
    responses, _ = split(dev.handle(_cs07_frame(dev, 160), NOW))
    # SEQUENCE { INTEGER 0, SEQUENCE { SEQUENCE { OCTET STRING (8) EUI, INTEGER 3 } } }
    entry = b"\x30\x0d\x04\x08" + gpf + b"\x02\x01\x03"
    assert responses[0].payload == b"\x30\x14\x02\x01\x00\x30\x0f" + entry
    dev.inject_fault(logs.CS07_FAULT)
    responses, _ = split(dev.handle(_cs07_frame(dev, 161), NOW))
    assert responses[0].payload == bytes.fromhex("3003020101")


RTDS_ACB = bytes.fromhex("90b3d51f30000002")


def _rtds_gsme(command, ring):
    """A GSME with RTDS's EUI whose MACs equal RTDS's: it computes ECDH from the remote parties'
    side (the supplier's and the ACB's private keys, the ACB's being the one that MACs commands)."""
    privates = {}
    t = tr.TrustAnchors()
    for role, eui in ((tr.ROLE_SUPPLIER, command.originator), (tr.ROLE_ACB, RTDS_ACB)):
        pub = ring.public(eui, "ka")
        privates[bytes(pub)] = ring.private(eui, "ka")
        t.set(role, tr.USAGE_KA, eui, pub)
    ka = ReplayKeyAgreement(P, ring.public(command.recipient, "ka"), privates)
    me = party(b"replay")
    return Gsme(command.recipient, P, me.ds, ka, t, to_seconds(2015, 1, 1), ds_public=me.ds_pub)


def test_rtds_cs07_success_byte_for_byte():
    require_rtds()
    ring = rtds_keyring()
    cmd_bytes = read_frame("8.9_CS07", "CS07_8.9_SUCCESS_COMMAND_GBCS.HEX")
    theirs = read_frame("8.9_CS07", "CS07_8.9_SUCCESS_RESPONSE_GBCS.HEX")
    dev = _rtds_gsme(wire.parse(cmd_bytes), ring)
    # the device log RTDS shows: two GPFs and a PPMID
    for eui_hex, kind in (("0102030405060708", 3), ("00db123456789099", 3), ("00db123456789097", 5)):
        assert logs.join(dev, bytes.fromhex(eui_hex), kind)
    assert dev.handle(cmd_bytes, to_seconds(2015, 1, 1)) == [theirs]


def test_rtds_gcs21f_success_byte_for_byte():
    """The state RTDS's response shows (price attributes, the tariff calendar as a supplier sends it,
    the price held) read back by RTDS's command gives RTDS's response."""
    require_rtds()
    ring = rtds_keyring()
    cmd_bytes = read_frame("4.11.1_GCS21f", "GCS21f_4.11.1_SUCCESS_COMMAND_GBCS.HEX")
    theirs = read_frame("4.11.1_GCS21f", "GCS21f_4.11.1_SUCCESS_RESPONSE_GBCS.HEX")
    dev = _rtds_gsme(wire.parse(cmd_bytes), ring)
    for c in gbz.parse_payload(wire.parse(theirs).payload, alert=False).components:
        cmd = c.command()
        if c.cluster_id == CALENDAR:
            assert calendars.keep(dev, c.command_id, cmd.fields)
        elif c.cluster_id == PRICE and c.is_cluster_specific():
            dev.load_response(PRICE, c.command_id, cmd)
        else:
            for rec in cmd.get("records"):
                dev.load(c.cluster_id, rec.id, rec.type, rec.value)
    assert dev.handle(cmd_bytes, to_seconds(2015, 1, 1)) == [theirs]
