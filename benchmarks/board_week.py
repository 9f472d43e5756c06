"""The MicroPython side of bench_board_memory.py: the board's simulated week, run by

    micropython -X heapsize=N -c "import sys; sys.path.insert(0, DIR); import board_week; ..."

(``board_week.week(DIR)``) with this module compiled by mpy-cross into DIR, so that the heap
measured holds the board and not a benchmark (a board's main.py is as small as that line). DIR holds
board.json, commands.txt and the board build: lib/ (.mpy files) or rom.img (a ROMFS image); the
sources build reads the repository's firmware/ and boards/common/ instead. Prints the figures, one
"name value" a line.
"""

import sys

WEEK = 7 * 86400
HALF_HOUR = 1800
WH_PER_HALF_HOUR = 250  # 500 W average
START = 770_000_000  # 2024-05-26, seconds since 2000-01-01


class _Commands:
    """The week's commands, (time, frame) by index, read from commands.txt ("time hex" a line) one
    at a time, as a board gets them from the broker (the benchmark's list is not the board's heap)."""

    def __init__(self, path):
        self.path = path
        self.n = 0
        with open(path) as f:
            while f.readline():
                self.n += 1
        self.i = -1
        self.item = None

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i != self.i:
            with open(self.path) as f:
                for _ in range(i):
                    f.readline()
                t, h = f.readline().split()
            self.i, self.item = i, (int(t), bytes.fromhex(h))
        return self.item


def week(folder, pool=0, source=None):
    """The week in `folder`. With a ROMFS image, `pool` is the heap a fresh `-X heapsize=N` process
    has (gc.mem_free() + gc.mem_alloc()): the rest of this heap is walled off so that exactly that
    much is left beside the image (which is flash on a board)."""
    import gc
    import hashlib
    import json
    import os

    gc.collect()
    a0 = gc.mem_alloc()
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
            wall = bytearray(extra - 64) if extra > 64 else None  # less the filler's header  # noqa: F841
    elif source is None:
        sys.path.insert(0, folder + "/lib")
    else:
        sys.path.insert(0, source + "/boards/common")
        sys.path.insert(0, source + "/firmware")
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
    commands = _Commands(folder + "/commands.txt")
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
    micropython.qstr_info()  # n_str_data_bytes: qstr text (octets on any word size)
    for name in sys.modules:  # the .mpy octets of these (bytecode, constants) for the 32-bit estimate
        print("module", name)
