"""What the board's small display shows, as text lines: the meter's own display (balance, debt,
current rate, supply, alerts), read from the meter's state after each change.

If a device of the premises offers ``display_lines(now)`` (the IHD/PPMID model of the core), its
lines are used as they are; otherwise they are rendered here from the ESME (or GSME). Money in the
core is in 10^-5 of a pound; rendered with integers only (ESP32 floats are single precision).
"""

from smets.behaviour import supply as sp
from smets.behaviour.tariff import TOU


def money(v):
    """10^-5 pounds as text: -1234567 -> "-12.34" (pence truncated; the display font is ASCII)."""
    sign = "-" if v < 0 else ""
    v = -v if v < 0 else v
    pence = v // 1000
    return "%s%d.%02d" % (sign, pence // 100, pence % 100)


def rate_text(cfg, t):
    """The price in force at time t, in pence per kWh with two decimals, and its rate number."""
    if cfg is None:
        return "no tariff"
    if cfg.kind == TOU:
        rate = cfg.calendar.value_at(t)
        price = cfg.tou_prices[rate - 1]
    else:
        rate = 1
        price = cfg.block_prices[0][0] if cfg.block_prices and cfg.block_prices[0] else 0
    # price * 10^scale pounds per kWh = price * 10^(scale + 4) hundredths of a penny per kWh
    e = cfg.price_scale + 4
    hp = price * 10**e if e >= 0 else price // 10 ** (-e)
    return "R%d %d.%02dp/kWh" % (rate, hp // 100, hp % 100)


def meter_of(premises, which=None):
    if which:
        return getattr(premises, which, None)
    return getattr(premises, "esme", None) or getattr(premises, "gsme", None)


def supply_on(premises, which=None):
    """True when the meter's supply (relay / valve) is enabled."""
    m = meter_of(premises, which)
    if m is None:
        return False
    return m.meter.supply.state == sp.ENABLED


def lines(premises, now, which=None):
    for d in premises.devices():
        show = getattr(d, "display_lines", None)
        if show is not None:
            return list(show(now))
    m = meter_of(premises, which)
    if m is None:
        return ["no meter"]
    b = m.meter
    a = b.account
    out = [
        "%s %s" % ("PAYG" if a.prepayment() else "Credit", money(a.balance)),
        "Debt " + money(a.debt.regs[0] + a.debt.regs[1] + a.debt.regs[2]),
        rate_text(b.tariff.active, m.clock(now)),
        "Supply " + sp.STATE_NAMES[b.supply.state],
    ]
    alerts = []
    if b.low_flag:
        alerts.append("LOW")
    if b.ec_avail_flag:
        alerts.append("EC avail")
    if a.ec.active:
        alerts.append("EC on")
    if alerts:
        out.append(" ".join(alerts))
    return out
