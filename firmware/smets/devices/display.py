"""What an in-home display (IHD) or a PPMID shows: a few plain values per meter of the premises and
the most recent alerts, taken from the meters' state, and the same as short text lines for a small
screen (an SSD1306 of 128 x 64 pixels holds 8 lines of 16 characters in an 8 x 8 font).

A real IHD learns these values from the meters' ZSE publications (price, metering, prepayment and
message clusters); here ``update`` reads the meter behaviour directly, which gives the values those
publications carry [I]. Money is in the GBCS unit (10^-5 of the currency unit), prices in that unit
per kWh, times in seconds since 2000-01-01.

Per meter (a ``MeterView``): fuel ("E" or "G"), payment mode, meter balance, total debt (the three
debt registers and the accumulated debt), the current primary price, the emergency credit state,
the supply state. ``alerts`` holds the last few alerts the meters send on the HAN (their alert
settings' HAN flag) as (time, code), oldest first, taken from the meters' event logs [I].
"""

from smets.behaviour.account import PREPAYMENT
from smets.behaviour.alerts import HAN
from smets.behaviour.supply import STATE_NAMES
from smets.wire import alert_codes as ac

LINE_WIDTH = 16
RECENT_ALERTS = 3

# Emergency credit state.
EC_NONE = 0  # credit mode, or no EC configured / balance above the EC threshold
EC_AVAILABLE = 1  # may be accepted now (meter button or PPMID)
EC_IN_USE = 2
EC_NAMES = ("none", "available", "in use")


class MeterView:
    __slots__ = ("fuel", "prepayment", "balance", "debt", "price", "ec", "supply")

    def __init__(self, meter, now):
        a = meter.account
        self.fuel = "E" if meter.is_esme else "G"
        self.prepayment = a.mode == PREPAYMENT
        self.balance = a.balance
        regs = a.debt.regs
        self.debt = regs[0] + regs[1] + regs[2] + a.accumulated
        self.price = meter.tariff.price_at(now)
        if not self.prepayment:
            self.ec = EC_NONE
        elif a.ec.active:
            self.ec = EC_IN_USE
        elif a.ec.may_activate(a.balance):
            self.ec = EC_AVAILABLE
        else:
            self.ec = EC_NONE
        self.supply = meter.supply.state


def money(v):
    """Money units (10^-5) as currency with two decimals, truncated toward zero: -321000 -> "-3.21"."""
    sign = "-" if v < 0 else ""
    a = -v if v < 0 else v
    return "%s%d.%02d" % (sign, a // 100000, (a // 1000) % 100)


def _fit(text):
    return text[:LINE_WIDTH]


class Display:
    __slots__ = ("meters", "alerts", "updated_at")

    def __init__(self):
        self.meters = []
        self.alerts = []
        self.updated_at = None

    def update(self, meters, now):
        """Take the values from `meters` (EsmeBehaviour / GsmeBehaviour objects) at time `now`."""
        self.meters = [MeterView(m, now) for m in meters]
        recent = []
        for m in meters:
            n = 0
            for t, code, _data in reversed(m.event_log.entries()):
                if m.alert_settings.route(code) & HAN:
                    recent.append((t, code))
                    n += 1
                    if n == RECENT_ALERTS:
                        break
        recent.sort()
        self.alerts = recent[-RECENT_ALERTS:]
        self.updated_at = now
        return self

    def lines(self):
        """The values as text lines of at most LINE_WIDTH characters, meter by meter, then alerts."""
        out = []
        for v in self.meters:
            f = v.fuel
            out.append(_fit("%s %s %s" % (f, "PAYG" if v.prepayment else "CRED", money(v.balance))))
            if v.debt:
                out.append(_fit("%s debt %s" % (f, money(v.debt))))
            if v.price is not None:
                out.append(_fit("%s %d.%03dp/kWh" % (f, v.price // 1000, v.price % 1000)))
            if v.ec != EC_NONE:
                out.append(_fit("%s EC %s" % (f, EC_NAMES[v.ec])))
            out.append(_fit("%s supply %s" % (f, STATE_NAMES[v.supply])))
        for _t, code in self.alerts:
            out.append(_fit("!%04X %s" % (code, ac.name(code))))
        return out
