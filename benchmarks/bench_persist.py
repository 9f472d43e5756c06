"""Persisting a premises (smets.persist): size of the state and the time to dump and load it, next to
the interpreter's own json.dumps / json.loads of the same data, measured in the same run.

Runs on CPython and on the MicroPython unix port (from the project root):

    python benchmarks/bench_persist.py [--seconds 0.5]
    micropython -X heapsize=2M benchmarks/bench_persist.py

Premises (built by smets.build from a configuration, pure crypto provider): an ESME premises (CHF +
ESME) and a dual-fuel one (CHF, GPF, ESME, GSME), board log sizes, with a prepayment tariff, time
debt and a top-up, after 8 days of half-hourly consumption (every board log has wrapped: its state
is as big as it gets). On CPython also the ESME premises with the SMETS log sizes after 400 days
(the 19,056-entry profile log full), the size a host fleet checkpoints per premises.

Figures per premises: JSON text size (persist.to_json, bytes as base64) and, on CPython, the pickle
size of the plain state; milliseconds for dump (objects -> plain data), write_json (the text streamed
in 1 KB pieces, as a board writes its file), from_json, restore (build from the configuration + set
the state), each next to its baseline: json.dumps / json.loads of the same tree (bytes already as
base64 text), and building the premises alone. On MicroPython also the live heap of the plain state
and of a restored premises.
"""

import binascii
import gc
import json
import sys
from hashlib import sha256

sys.path.insert(0, "firmware")

from timing import clock, elapsed  # noqa: E402

from smets import persist  # noqa: E402
from smets.behaviour.calendar import Calendar  # noqa: E402
from smets.behaviour.debt import DAILY, HOURLY, TDR1  # noqa: E402
from smets.behaviour.tariff import TOU, TariffConfig  # noqa: E402
from smets.behaviour.timeutil import HALF_HOUR, NOW, to_seconds  # noqa: E402
from smets.behaviour.topup import REMOTE, TopUp  # noqa: E402
from smets.build import build_premises  # noqa: E402
from smets.compat import IS_MICROPYTHON  # noqa: E402
from smets.crypto.pure import PureCrypto  # noqa: E402

T0 = to_seconds(2024, 1, 1)
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P = PureCrypto()


def hx(b):
    return "".join("%02x" % x for x in b)


def scalar(label):
    d = int.from_bytes(sha256(b"bench persist " + label).digest(), "big")
    return (d % (N - 1) + 1).to_bytes(32, "big")


_PUBLIC = {}


def public(label):
    if label not in _PUBLIC:
        _PUBLIC[label] = P.public_key(scalar(label))
    return _PUBLIC[label]


def config(kinds, log_sizes):
    cfg = {"log_sizes": log_sizes, "parties": {}}
    for i, name in enumerate(("supplier", "acb", "network_operator")):
        p = {"eui": hx(bytes((0x90, 0xB3, 0xD5, 0x1F, 0x30, i, 0, 0))), "ds": "", "ka": ""}
        p["ds"] = hx(public(name.encode() + b" ds"))
        p["ka"] = hx(public(name.encode() + b" ka"))
        if name == "supplier":
            p["ka_prepayment"] = hx(public(b"supplier prepayment ka"))
        cfg["parties"][name] = p
    for i, kind in enumerate(kinds):
        k = kind.encode()
        cfg[kind] = {
            "eui": hx(bytes((0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x70 + i))),
            "ds": hx(scalar(k + b" ds")),
            "ka": hx(scalar(k + b" ka")),
            "ds_pub": hx(public(k + b" ds")),
            "ka_pub": hx(public(k + b" ka")),
        }
    return cfg


def drive(pr, days):
    """Prepayment with a tariff and time debt, a top-up each week, half-hourly consumption."""
    tariff = TariffConfig(TOU, Calendar.flat(1), (20000,), price_scale=-5, standing_charge=50000)
    meters = [d.meter for d in (pr.esme, pr.gsme) if d is not None]
    for m in meters:
        m.set_tariff(tariff, NOW, T0)
        m.set_payment_mode(2, False, False, 0, T0, T0)
        m.set_prepayment_config(200000, 300000, 100000, 10**7, 10**8, 30, 604800, NOW, T0)
        m.set_debt_recovery(0, ((1000, -5, HOURLY), (0, -5, DAILY)), T0)
        m.adjust_debt(TDR1, 10**6, T0)
    t = T0
    for h in range(days * 48):
        t += HALF_HOUR
        if h % (7 * 48) == 0:
            for m in meters:
                m.apply_top_up(TopUp(1000 + h, 3000, 0, True, True), REMOTE, t)
        for d in (pr.esme, pr.gsme):
            if d is not None:
                d.consume(t, 250)
        pr.tick(t)
    return t


def ms(fn, seconds):
    """Mean milliseconds per call of fn(), over at least `seconds` and 3 calls."""
    fn()
    n = 0
    t0 = clock()
    while True:
        fn()
        n += 1
        s = elapsed(t0)
        if n >= 3 and s >= seconds:
            return 1000 * s / n


def jsonable(v):
    """The same tree with bytes as {"b64": text}: what json.dumps gets as its baseline."""
    if isinstance(v, bytes):
        return {"b64": binascii.b2a_base64(v)[:-1].decode()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return dict((k, jsonable(x)) for k, x in v.items())
    return v


def _discard(text):
    pass


def live(make):
    """Live heap bytes (MicroPython) of what make() returns, kept alive while measured."""
    gc.collect()
    before = gc.mem_alloc()
    obj = make()
    gc.collect()
    return gc.mem_alloc() - before, obj


def case(label, kinds, log_sizes, days, seconds):
    gc.collect()
    cfg = config(kinds, log_sizes)
    pr = build_premises(cfg, P, T0)
    drive(pr, days)
    state = persist.dump(pr)
    text = persist.to_json(state)
    tree = jsonable(state)
    base_text = json.dumps(tree, separators=(",", ":"))
    f = {}
    f["dump"] = ms(lambda: persist.dump(pr), seconds)
    # a board streams the text to a file (one 30 KB string may not fit a fragmented heap): time that
    f["write_json"] = ms(lambda: persist.write_json(state, _discard), seconds)
    f["json.dumps"] = ms(lambda: json.dumps(tree, separators=(",", ":")), seconds)
    f["from_json"] = ms(lambda: persist.from_json(text), seconds)
    f["json.loads"] = ms(lambda: json.loads(base_text), seconds)
    f["restore"] = ms(lambda: persist.load_premises(cfg, state, P), seconds)
    f["build"] = ms(lambda: build_premises(cfg, P, T0), seconds)
    print("%s, %d days:" % (label, days))
    print("  JSON text %d bytes (json.dumps of the same tree: %d)" % (len(text), len(base_text)))
    if not IS_MICROPYTHON:
        import pickle

        blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        f["pickle.dumps"] = ms(lambda: pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), seconds)
        f["pickle.loads"] = ms(lambda: pickle.loads(blob), seconds)
        print("  pickle of the plain state %d bytes" % len(blob))
    for name, base in (
        ("dump", None),
        ("write_json", "json.dumps"),
        ("from_json", "json.loads"),
        ("restore", "build"),
        ("pickle.dumps", None),
        ("pickle.loads", None),
    ):
        if name not in f:
            continue
        extra = ""
        if base is not None:
            extra = "   (%s %.2f ms: %.1fx)" % (base, f[base], f[name] / f[base])
        print("  %-12s %8.2f ms%s" % (name, f[name], extra))
    total = f["dump"] + f["write_json"] + f["from_json"] + f["restore"]
    print("  round trip (dump, write_json, from_json, restore) %.2f ms" % total)
    if IS_MICROPYTHON:
        del state, tree, base_text
        n_state, state = live(lambda: persist.dump(pr))
        n_restored, restored = live(lambda: persist.load_premises(cfg, state, P))
        print("  live heap: plain state %d bytes, a restored premises %d bytes" % (n_state, n_restored))


def main():
    seconds = 0.5
    if "--seconds" in sys.argv:
        seconds = float(sys.argv[sys.argv.index("--seconds") + 1])
    print("interpreter:", sys.implementation.name)
    case("ESME premises (CHF, ESME), board log sizes", ("chf", "esme"), "board", 8, seconds)
    case(
        "dual fuel (CHF, GPF, ESME, GSME), board log sizes",
        ("chf", "gpf", "esme", "gsme"),
        "board",
        8,
        seconds,
    )
    if not IS_MICROPYTHON:
        case("ESME premises (CHF, ESME), SMETS log sizes", ("chf", "esme"), "full", 400, seconds)


main()
