"""The board HAL on real MicroPython (the unix port) with fake pins and a fake I2C bus: relay
polarity, debounced buttons, and the SSD1306 driver's traffic (the SSD1306 datasheet's command set:
display off first, charge pump on with 0x8D 0x14, multiplex 0xA8 height-1, display on last; a frame
is the column/page window then one 0x40 data write of the whole buffer).
"""

from __future__ import annotations

import json
import subprocess

from board_support import ROOT, micropython

SCRIPT = r"""
import json, sys, time
sys.path.insert(0, ROOT + "/boards/common")
sys.path.insert(0, ROOT + "/firmware")

class Pin:
    OUT = 1
    IN = 0
    PULL_UP = 2
    pins = {}
    def __init__(self, id, mode=None, pull=None):
        self.id = id
        self.v = 1 if pull == Pin.PULL_UP else 0
        Pin.pins[id] = self
    def value(self, v=None):
        if v is None:
            return self.v
        self.v = v

class I2C:
    def __init__(self, *a, **k):
        self.writes = []
    def writeto(self, addr, buf):
        self.writes.append((addr, bytes(buf)))
    def writevto(self, addr, vector):
        self.writes.append((addr, b"".join(bytes(v) for v in vector)))

class Machine:
    pass

machine = Machine()
machine.Pin = Pin
machine.I2C = I2C
sys.modules["machine"] = machine

from smets_board.hal import EC, SUPPLY, PinHal
from smets_board.ssd1306 import SSD1306

out = {}
h = PinHal({"relay": 2, "relay_active_high": False, "ec_button": 0, "supply_button": 4})
h.set_supply(True)
out["relay_on_active_low"] = Pin.pins[2].v
h.set_supply(False)
out["relay_off_active_low"] = Pin.pins[2].v

presses = []
def poll(ms):
    t0 = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), t0) < ms:
        presses.extend(h.buttons())
        time.sleep_ms(2)

poll(20)
out["idle"] = list(presses)
for _ in range(3):  # contact bounce shorter than the debounce time: no press
    Pin.pins[0].v = 0
    poll(10)
    Pin.pins[0].v = 1
    poll(10)
out["bounce"] = list(presses)
Pin.pins[0].v = 0  # a real press: held, then released
poll(120)
Pin.pins[0].v = 1
poll(120)
Pin.pins[4].v = 0
poll(120)
out["presses"] = list(presses)

bus = I2C()
d = SSD1306(bus, 128, 64, 0x3C)
out["init"] = [list(w[1]) for w in bus.writes]
bus.writes = []
d.lines(["A"])
out["frame"] = [list(w[1][:8]) + [len(w[1])] for w in bus.writes]
data = bus.writes[-1][1][1:]
out["page0_first_cell_lit"] = any(data[0:8])
out["rest_dark"] = not any(data[8:])
out["addr"] = sorted(set(w[0] for w in bus.writes))
print(json.dumps(out))
"""


def _run() -> dict:
    script = "ROOT = %r\n" % str(ROOT) + SCRIPT
    res = subprocess.run(
        [micropython(), "-X", "heapsize=1M", "-c", script], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stdout + res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_relay_buttons_and_display_on_micropython() -> None:
    out = _run()
    assert out["relay_on_active_low"] == 0 and out["relay_off_active_low"] == 1
    assert out["idle"] == [] and out["bounce"] == []
    assert out["presses"] == ["ec", "supply"]  # one press each, the EC button released before

    cmds = [w[1] for w in out["init"][:-1] if w[0] == 0x00 and len(w) == 2]
    assert out["init"][0] == [0x00, 0xAE]  # display off first
    assert out["init"][-1] == [0x00, 0xAF]  # display on last
    assert 0x8D in cmds and cmds[cmds.index(0x8D) + 1] == 0x14  # charge pump enabled
    assert 0xA8 in cmds and cmds[cmds.index(0xA8) + 1] == 63  # multiplex ratio: 64 rows

    window = [w[1] for w in out["frame"][:-1]]
    assert window == [0x21, 0, 127, 0x22, 0, 7]  # columns 0-127, pages 0-7
    data = out["frame"][-1]
    assert data[0] == 0x40 and data[-1] == 1 + 128 * 64 // 8  # one data write of the whole buffer
    assert out["page0_first_cell_lit"] and out["rest_dark"]
    assert out["addr"] == [0x3C]


def test_pin_board_main_stays_at_the_repl_on_a_config_error(tmp_path):
    """boards/esp32 and rp2 main.py: a bad config is reported in one line and the board is not
    reset (a reset would not fix it); run here on the unix port with its own `machine` module."""
    bad = tmp_path / "board.json"
    bad.write_text("{not json")
    script = (
        "import sys\n"
        "sys.path.insert(0, %r)\nsys.path.insert(0, %r)\n"
        "class FakeMachine:\n"
        "    def reset(self):\n"
        "        print('RESET')\n"
        "sys.modules['machine'] = FakeMachine()\n"
        "from smets_board.start import run_pin_board\n"
        "run_pin_board(%r)\n"
        "print('returned')\n"
    ) % (str(ROOT / "boards" / "common"), str(ROOT / "firmware"), str(bad))
    p = subprocess.run([micropython(), "-c", script], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert lines[0].startswith("config:") and "RESET" not in p.stdout and lines[-1] == "returned"
