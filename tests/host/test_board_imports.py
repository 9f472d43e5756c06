"""An ESME board loads only the code an ESME premises runs: what it builds, ticks, saves and answers
never imports the GBZ codec, the gas devices and use cases, the HAN devices or the name tables that
only decoding and display use (each module imported is RAM taken on a board; see
benchmarks/bench_board_memory.py). Checked in a fresh interpreter, MicroPython and CPython. And the
state loader (smets.persist_load), which a board needs once at boot, is gone once it has restored.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from board_support import ROOT, micropython

from smets_fleet.board import board_config

NOT_ON_AN_ESME_BOARD = (
    "smets.wire.gbz",
    "smets.wire.zcl_names",
    "smets.wire.cosem_names",
    "smets.wire.dlms_text",
    "smets.wire.der_text",
    "smets.usecases.dlms_tariff",
    "smets.usecases.gas",
    "smets.usecases.zse",
    "smets.devices.gsme",
    "smets.devices.gpf",
    "smets.devices.han",
)

SCRIPT = """
import sys
sys.path.insert(0, %(firmware)r)
sys.path.insert(0, %(glue)r)
import json
import smets_board
from smets import persist
from smets.build import build_premises
from smets.crypto.pure import PureCrypto
cfg = json.loads(%(cfg)r)
p = build_premises(cfg, PureCrypto(), 770000000)
p.tick(770000000 + 86400)
p.esme.consume(770000000 + 86400, 500)
pieces = []
persist.write_json(persist.streamed(p), pieces.append)
back = persist.load_premises(cfg, persist.from_json("".join(pieces)), PureCrypto())
print(json.dumps(sorted(k for k in sys.modules if k.startswith("smets"))))
"""


# A board boots twice: fresh (nothing saved: the loading half is never imported), then from the state
# the first boot saved; after each boot, whether smets.persist_load is imported, and whether it was
# while the state was being restored (the "restored" log line comes right after the load).
BOOT_SCRIPT = """
import sys
sys.path.insert(0, %(firmware)r)
sys.path.insert(0, %(glue)r)
import json
import smets_board
from smets.crypto.pure import PureCrypto
from smets_board.app import Board, SimClock, persist
from smets_board.hal import Hal
from smets_board.store import Store

class Seen(Hal):
    def __init__(self):
        self.restored_with_loader = None
    def log(self, msg):
        if msg.startswith("state: restored save"):
            self.restored_with_loader = "smets.persist_load" in sys.modules

def loader_kept():
    return "smets.persist_load" in sys.modules or hasattr(sys.modules["smets"], "persist_load")

out = {}
for boot in ("fresh", "restored"):
    hal = Seen()
    store = Store(%(state)r, 0, None, persist.write_json, persist.from_json)
    board = Board({}, json.loads(%(cfg)r), hal, store, SimClock(770000000), PureCrypto())
    if boot == "fresh":
        board.save(770000000)
    out[boot] = [hal.restored_with_loader, loader_kept()]
print(json.dumps(out))
"""


def test_a_board_lets_the_state_loader_go_once_it_has_restored(tmp_path: Path) -> None:
    """smets.persist_load is heap a board needs once, at boot: the fresh boot never imports it, and
    the boot that restores a saved state imports it to restore and then drops it (sys.modules and
    the smets package both let it go). MicroPython, the board's own Board and Store."""
    cfg = board_config(1, "imports", "unix", ("esme",))["premises"]
    script = BOOT_SCRIPT % {
        "firmware": str(ROOT / "firmware"),
        "glue": str(ROOT / "boards" / "common"),
        "cfg": json.dumps(cfg),
        "state": str(tmp_path / "state.json"),
    }
    res = subprocess.run(
        [micropython(), "-X", "heapsize=2M", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stdout + res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["fresh"] == [None, False]  # nothing restored, the loader never imported
    assert out["restored"] == [True, False]  # restored with the loader, which is then gone


def _loaded(exe: list[str]) -> list[str]:
    cfg = board_config(1, "imports", "unix", ("esme",))["premises"]
    script = SCRIPT % {
        "firmware": str(ROOT / "firmware"),
        "glue": str(ROOT / "boards" / "common"),
        "cfg": json.dumps(cfg),
    }
    res = subprocess.run(exe + ["-c", script], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_an_esme_board_loads_no_gas_han_or_name_tables_on_micropython() -> None:
    loaded = _loaded([micropython(), "-X", "heapsize=2M"])
    assert "smets.devices.esme" in loaded and "smets.devices.chf" in loaded and "smets.persist" in loaded
    assert [m for m in NOT_ON_AN_ESME_BOARD if m in loaded] == []


def test_an_esme_premises_loads_no_gas_han_or_name_tables_on_cpython() -> None:
    loaded = _loaded([sys.executable])
    assert "smets.devices.esme" in loaded and "smets.usecases.prepayment" in loaded
    assert [m for m in NOT_ON_AN_ESME_BOARD if m in loaded] == []
