"""The hardware the glue injects around the core: the supply relay (or gas valve), the EC and
supply-enable buttons, and an optional display. The core never sees it; app.py reads the meter's
state and drives the outputs, and turns button presses into the meter's stimuli.

Three implementations of one small interface:

* ``PinHal`` (ESP32, Pico W): a GPIO output for the relay (the dev board's LED will do), two GPIO
  inputs with pull-ups for the buttons (pressed = low, debounced by polling), an SSD1306 over I2C.
  Pins come from the board config's ``"pins"`` object.
* ``FileHal`` (unix port): logs every change and keeps it in a status file, and reads button
  presses from a control directory (a file ``press_ec`` or ``press_supply`` appearing there is one
  press), so a test or a person can drive it.
* ``Hal``: nothing attached.
"""

import json
import os

try:
    from time import ticks_diff, ticks_ms
except ImportError:  # CPython
    import time

    def ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b


EC = "ec"
SUPPLY = "supply"
BUTTONS = (EC, SUPPLY)
DEBOUNCE_MS = 50


class Hal:
    def set_supply(self, on):
        """Drive the relay / valve: True when supply is enabled."""

    def buttons(self):
        """The presses since the last call, oldest first: a list of EC / SUPPLY."""
        return []

    def show(self, rows):
        """Show these text lines on the display (if there is one)."""

    def log(self, msg):
        print(msg)


class _Button:
    def __init__(self, pin):
        self.pin = pin
        self.stable = 1
        self.changed = ticks_ms()
        self.last = 1

    def pressed(self):
        """True once per press (a debounced high-to-low edge)."""
        v = self.pin.value()
        now = ticks_ms()
        if v != self.last:
            self.last = v
            self.changed = now
            return False
        if v != self.stable and ticks_diff(now, self.changed) >= DEBOUNCE_MS:
            self.stable = v
            return v == 0
        return False


class PinHal(Hal):
    """``pins``: {"relay": 2 | "LED", "relay_active_high": true, "ec_button": 0, "supply_button": 4,
    "display": {"i2c": 0, "sda": 21, "scl": 22, "addr": 60, "width": 128, "height": 64}}; every key
    optional."""

    def __init__(self, pins):
        from machine import Pin

        self.relay = None
        self.active_high = pins.get("relay_active_high", True)
        if pins.get("relay") is not None:
            self.relay = Pin(pins["relay"], Pin.OUT)
        self._buttons = []
        for name in BUTTONS:
            p = pins.get(name + "_button")
            if p is not None:
                self._buttons.append((name, _Button(Pin(p, Pin.IN, Pin.PULL_UP))))
        self.display = None
        d = pins.get("display")
        if d:
            try:
                self.display = self._display(d)
            except OSError as exc:  # no display answering at that address: run without one
                self.log("display: %s" % exc)
        self._shown = None

    @staticmethod
    def _display(d):
        from machine import I2C, Pin

        from smets_board.ssd1306 import SSD1306

        i2c = I2C(d.get("i2c", 0), sda=Pin(d["sda"]), scl=Pin(d["scl"]), freq=d.get("freq", 400000))
        return SSD1306(i2c, d.get("width", 128), d.get("height", 64), d.get("addr", 0x3C))

    def set_supply(self, on):
        if self.relay is not None:
            self.relay.value(1 if on == self.active_high else 0)

    def buttons(self):
        return [name for name, b in self._buttons if b.pressed()]

    def show(self, rows):
        if self.display is not None and rows != self._shown:
            self._shown = rows
            try:
                self.display.lines(rows)
            except OSError as exc:
                self.log("display: %s" % exc)


class FileHal(Hal):
    """The unix port's stand-in. ``status`` (a path, or None) receives a JSON object
    {"supply": bool, "display": [lines]} after every change; ``control`` (a directory, or None) is
    where presses are read from."""

    def __init__(self, status=None, control=None, quiet=False):
        self.status = status
        self.control = control
        self.quiet = quiet
        self.supply = None
        self.rows = None

    def log(self, msg):
        if not self.quiet:
            print(msg)

    def _write_status(self):
        if self.status is None:
            return
        tmp = self.status + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"supply": self.supply, "display": self.rows}, f)
        os.rename(tmp, self.status)

    def set_supply(self, on):
        on = bool(on)
        if on != self.supply:
            self.supply = on
            self.log("relay: supply %s" % ("on" if on else "off"))
            self._write_status()

    def buttons(self):
        if self.control is None:
            return []
        out = []
        for name in BUTTONS:
            path = self.control + "/press_" + name
            try:
                os.remove(path)
            except OSError:
                continue
            self.log("button: %s pressed" % name)
            out.append(name)
        return out

    def show(self, rows):
        if rows != self.rows:
            self.rows = rows
            self.log("display: " + " | ".join(rows))
            self._write_status()
