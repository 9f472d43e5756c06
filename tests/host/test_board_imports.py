"""An ESME board loads only the code an ESME premises runs: what it builds, ticks, saves and answers
never imports the GBZ codec, the gas devices and use cases, the HAN devices or the name tables that
only decoding and display use (each module imported is RAM taken on a board; see
benchmarks/bench_board_memory.py). Checked in a fresh interpreter, MicroPython and CPython.
"""

from __future__ import annotations

import json
import subprocess
import sys

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
