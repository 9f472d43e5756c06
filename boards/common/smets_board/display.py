"""What the board's small display shows and where the relay stands, read from the premises after
each change.

The text is the core's display model (smets.devices.display: balance, debt, current price, EC,
supply and the latest HAN alerts, 16-character lines for a 128 x 64 SSD1306): an IHD or PPMID of
the premises shows its own lines; a premises without one shows the same model fed from its meters.
"""

from smets.behaviour import supply as sp
from smets.devices.display import Display

_display = Display()


def meter_of(premises, which=None):
    """The meter device the buttons and the relay belong to (the ESME unless told otherwise)."""
    if which:
        return getattr(premises, which, None)
    return getattr(premises, "esme", None) or getattr(premises, "gsme", None)


def supply_on(premises, which=None):
    """True when the meter's supply (relay / valve) is enabled."""
    m = meter_of(premises, which)
    if m is None:
        return False
    return m.meter.supply.state == sp.ENABLED


def lines(premises, now):
    for d in premises.devices():
        show = getattr(d, "display_lines", None)
        if show is not None:
            return list(show(now))
    meters = [d.meter for d in premises.devices() if getattr(d, "meter", None) is not None]
    if not meters:
        return ["no meter"]
    return _display.update(meters, now).lines()
