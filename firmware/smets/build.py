"""Build a premises (or one device) from a plain configuration: the one place where a description
of devices, keys and remote parties becomes live objects. The host fleet builds its configurations
from a seed and a premises number (smets_fleet.identity); a board reads one from a JSON file. Both
get the same devices from the same configuration, byte for byte.

The configuration is a dict of plain values (JSON-friendly; octets as hex strings)::

    {
      "chf":  {"eui": "hex16", "ds": "hex64", "ka": "hex64"},   # private scalars
      "gpf":  {...}, "esme": {...}, "gsme": {...},              # each optional
      "ppmid": {...}, "ihd": {...}, "hcalcs": {...},            # each optional; may add
                                                                # "firmware_version": int
      "parties": {                                              # remote parties (public keys)
        "supplier": {"eui": "hex16", "ds": "hex130", "ka": "hex130", "ka_prepayment": "hex130"},
        "acb": {...}, "network_operator": {...}, "wan_provider": {...}, ...
      },
      "wake_interval": 1800,          # optional: seconds between GSME wake-ups
      "log_sizes": "full" | "board",  # optional: SMETS log sizes, or the small board set
    }

Public keys are 65-octet uncompressed points. Every device gets the same trust anchors: each
party's management cells, and the supplier's prepayment top-up KA cell.
"""

from smets.behaviour.logs import BOARD_LOG_SIZES
from smets.devices import trust as tr
from smets.devices.keyagreement import OwnKeyAgreement
from smets.premises import DEFAULT_WAKE_INTERVAL, Premises

# One table: configuration name of a remote party -> its GBCS role.
PARTY_ROLES = (
    ("root", tr.ROLE_ROOT),
    ("recovery", tr.ROLE_RECOVERY),
    ("supplier", tr.ROLE_SUPPLIER),
    ("network_operator", tr.ROLE_NETWORK_OPERATOR),
    ("acb", tr.ROLE_ACB),
    ("transitional_cos", tr.ROLE_TRANSITIONAL_COS),
    ("wan_provider", tr.ROLE_WAN_PROVIDER),
)

DEVICE_KINDS = ("chf", "gpf", "esme", "gsme", "ppmid", "ihd", "hcalcs")
# The HAN devices that are not meters, in the order the premises holds them.
HAN_KINDS = ("ppmid", "ihd", "hcalcs")

# The CHF's device log keys devices by an install code until they join; ours have joined [I].
JOINED_KEY = b"\x00" * 16
GSME_PEER_TYPES = (3, 5)  # GBCS device types in a GSME's device log: GPF, PPMID


class ConfigError(ValueError):
    pass


def octets(text, size=None, what="value"):
    """Hex text (or bytes) to bytes, checking the size."""
    try:
        b = bytes(text) if isinstance(text, (bytes, bytearray)) else bytes.fromhex(text)
    except (TypeError, ValueError):
        raise ConfigError("%s is not hex" % what) from None
    if size is not None and len(b) != size:
        raise ConfigError("%s must be %d octets, not %d" % (what, size, len(b)))
    return b


def parse_hex(cfg):
    """The configuration's hex strings as bytes, in place (the keys and EUIs of its devices and
    parties; what is not hex stays as it is, for octets() to report by name). A board calls it on the
    configuration it read from JSON before building: octets() of bytes returns those very bytes, so
    the premises holds the parsed keys the configuration already holds rather than a copy of each
    beside its text (the text is freed at once; the build is a board's heap peak)."""
    for kind in DEVICE_KINDS:
        _parse_hex(cfg.get(kind), ("eui", "ds", "ka", "ds_pub", "ka_pub"))
    parties = cfg.get("parties")
    if isinstance(parties, dict):
        for p in parties.values():
            _parse_hex(p, ("eui", "ds", "ka", "ka_prepayment"))


def _parse_hex(d, names):
    if not isinstance(d, dict):
        return
    for n in names:
        v = d.get(n)
        if isinstance(v, str):
            try:
                d[n] = bytes.fromhex(v)
            except ValueError:
                pass


def anchor_rows(parties):
    """The parties' trust anchors as ((role, usage, cell), eui, public) rows, each hex parsed once:
    the devices of a premises share these key tuples and bytes (the same values, half the RAM on a
    board); only each device's Anchor (with its own floor) is its own."""
    rows = []
    for name, role in PARTY_ROLES:
        p = parties.get(name)
        if p is None:
            continue
        eui = octets(p["eui"], 8, name + " eui")
        if p.get("ds"):
            rows.append(((role, tr.USAGE_DS, tr.CELL_MANAGEMENT), eui, octets(p["ds"], 65, name + " ds")))
        if p.get("ka"):
            rows.append(((role, tr.USAGE_KA, tr.CELL_MANAGEMENT), eui, octets(p["ka"], 65, name + " ka")))
        if p.get("ka_prepayment"):
            prepay = octets(p["ka_prepayment"], 65, name + " ka_prepayment")
            rows.append(((role, tr.USAGE_KA, tr.CELL_PREPAYMENT_TOP_UP), eui, prepay))
    return rows


def trust_anchors(parties, rows=None):
    """One device's trust anchors from the parties (or from their anchor_rows)."""
    t = tr.TrustAnchors()
    for key, eui, public in anchor_rows(parties) if rows is None else rows:
        t.cells[key] = tr.Anchor(eui, public)
    return t


def _keys(provider, spec, kind):
    eui = octets(spec["eui"], 8, kind + " eui")
    ds = octets(spec["ds"], 32, kind + " ds")
    ka = octets(spec["ka"], 32, kind + " ka")
    ds_pub = octets(spec["ds_pub"], 65, kind + " ds_pub") if spec.get("ds_pub") else provider.public_key(ds)
    ka_pub = octets(spec["ka_pub"], 65, kind + " ka_pub") if spec.get("ka_pub") else provider.public_key(ka)
    return eui, ds, ds_pub, OwnKeyAgreement(provider, ka, ka_pub)


def build_device(kind, cfg, provider, now=0, rows=None):
    """One device of `kind` (one of DEVICE_KINDS) from the configuration (`rows`: the premises'
    anchor_rows, shared by its devices)."""
    spec = cfg.get(kind)
    if spec is None:
        raise ConfigError("no %s in the configuration" % kind)
    eui, ds, ds_pub, ka = _keys(provider, spec, kind)
    anchors = trust_anchors(cfg.get("parties", {}), rows)
    sizes = BOARD_LOG_SIZES if cfg.get("log_sizes") == "board" else None
    # Each device class is imported when a configuration names it: a board with an ESME never loads
    # the gas or HAN device code (a module imported is RAM taken on a board).
    if kind == "esme":
        from smets.devices.esme import Esme

        return Esme(eui, provider, ds, ka, anchors, now, ds_public=ds_pub, log_sizes=sizes)
    if kind == "gsme":
        from smets.devices.gsme import Gsme

        return Gsme(eui, provider, ds, ka, anchors, now, ds_public=ds_pub, log_sizes=sizes)
    if kind == "gpf":
        from smets.devices.gpf import Gpf

        return Gpf(eui, provider, ds, ka, anchors, now, ds_public=ds_pub)
    if kind == "chf":
        from smets.devices.chf import Chf

        return Chf(eui, provider, ds, ka, anchors, now, ds_public=ds_pub)
    if kind in HAN_KINDS:
        from smets.devices import han

        version = spec.get("firmware_version", han.DEFAULT_FIRMWARE_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= 0xFFFFFFFF:
            raise ConfigError("%s firmware_version must be a 32-bit unsigned integer" % kind)
        cls = han.Ppmid if kind == "ppmid" else han.Ihd if kind == "ihd" else han.Hcalcs
        return cls(eui, provider, ds, ka, anchors, now, ds_public=ds_pub, firmware_version=version)
    raise ConfigError("unknown device kind %r" % kind)


def build_premises(cfg, provider, now=0):
    """The premises the configuration describes: a CHF and whichever of GPF, ESME, GSME, PPMID, IHD
    and HCALCS it names, each already in the CHF's device log."""
    rows = anchor_rows(cfg.get("parties", {}))
    chf = build_device("chf", cfg, provider, now, rows)
    others = {}
    for kind in ("gpf", "esme", "gsme"):
        if cfg.get(kind) is not None:
            d = build_device(kind, cfg, provider, now, rows)
            others[kind] = d
            chf.log.add(d.eui, JOINED_KEY)
    han = []
    for kind in HAN_KINDS:
        if cfg.get(kind) is not None:
            d = build_device(kind, cfg, provider, now, rows)
            han.append(d)
            chf.log.add(d.eui, JOINED_KEY)
    gsme = others.get("gsme")
    if gsme is not None:
        # The GSME's device log (CS07): the devices it talks to, as RTDS CS07 shows (GPF, PPMID).
        from smets.usecases.logs import join

        for d in [others.get("gpf")] + han:
            if d is not None and d.device_type in GSME_PEER_TYPES:
                join(gsme, d.eui, d.device_type)
    return Premises(
        chf,
        others.get("gpf"),
        others.get("esme"),
        others.get("gsme"),
        now,
        cfg.get("wake_interval", DEFAULT_WAKE_INTERVAL),
        han,
    )
