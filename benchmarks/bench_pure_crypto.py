"""Pure-Python crypto cost: ECDSA verify and KDF + GMAC, on whichever interpreter runs this.

    micropython benchmarks/bench_pure_crypto.py      (with firmware/ on MICROPYPATH)
    python benchmarks/bench_pure_crypto.py
    python benchmarks/bench_pure_crypto.py --both    (runs both and prints the ratio)

Keys are derived deterministically here; the same code runs on both interpreters, so the ratio
MicroPython/CPython is the interpreter's cost for the board provider.
"""

import sys

try:
    from time import ticks_diff, ticks_ms
except ImportError:
    from time import perf_counter

    def ticks_ms():
        return int(perf_counter() * 1000)

    def ticks_diff(a, b):
        return a - b


def _setup_path():
    f = __file__
    i = f.rfind("/")
    here = f[:i] if i >= 0 else "."
    sys.path.insert(0, here + "/../firmware")


def measure(fn, min_ms=1500):
    fn()
    n = 0
    start = ticks_ms()
    while True:
        fn()
        n += 1
        elapsed = ticks_diff(ticks_ms(), start)
        if elapsed >= min_ms:
            return elapsed / n


def run(show=True):
    _setup_path()
    from smets.crypto.pure import PureCrypto
    from smets.security.kdf import MODE_COMMAND_MAC, derive_key

    p = PureCrypto()
    a = b"\x11" * 31 + b"\x01"
    b = b"\x22" * 31 + b"\x02"
    pub_a = p.public_key(a)
    msg = b"GBCS grouping header and payload " * 4
    sig = p.ecdsa_sign(a, msg)
    title_a = b"\x90\xb3\xd5\x1f\x30\x00\x00\x02"
    title_b = b"\x00\xdb\x12\x34\x56\x78\x90\xa0"
    aad = b"\x11\x00\x00\x00\x00\x00" + msg

    def verify():
        assert p.ecdsa_verify(pub_a, msg, sig)

    def kdf_gmac():
        key = derive_key(p, b, pub_a, MODE_COMMAND_MAC, title_a, 1000, title_b)
        p.gcm_encrypt(key, title_a + b"\x00\x00\x00\x00", b"", aad, 12)

    results = (("ecdsa_verify_ms", measure(verify)), ("kdf_gmac_ms", measure(kdf_gmac)))
    for name, ms in results if show else ():
        print("%s %.2f" % (name, ms))
    return results


def both():
    import os
    import shutil
    import subprocess

    here = os.path.dirname(os.path.abspath(__file__))
    mp = shutil.which("micropython")
    if mp is None:
        print("micropython not on PATH")
        return 1
    out = subprocess.run(
        [mp, "-X", "heapsize=256K", os.path.join(here, "bench_pure_crypto.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    upy = dict((line.split()[0], float(line.split()[1])) for line in out.strip().splitlines())
    cpy = dict(run(show=False))
    print("%-16s %12s %12s %14s" % ("operation", "CPython ms", "MicroPy ms", "MicroPy/CPy"))
    for name in ("ecdsa_verify_ms", "kdf_gmac_ms"):
        print("%-16s %12.2f %12.2f %13.2fx" % (name[:-3], cpy[name], upy[name], upy[name] / cpy[name]))
    return 0


if __name__ == "__main__":
    if "--both" in sys.argv:
        sys.exit(both())
    run()
