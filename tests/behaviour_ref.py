"""An independent, deliberately plain reference ledger for the behaviour scenario tests.

It restates the SMETS rules documented in docs/behaviour.md in the most direct form (one flat
object, no shared code with smets.behaviour), so the scenario tests can compare the meter against
numbers computed a second way. It covers a prepayment meter on a TOU or block tariff with a standing
charge, two time debts, a payment debt with a weekly cap, emergency credit, disablement with a
non-disablement window, and top-ups.
"""

DAY = 86400
HOUR = 3600
WEEK = 7 * DAY

EC_AVAILABLE = 0x8119
LOW_CREDIT = 0x810D
EC_ACTIVATED = 0x81AB
EC_EXHAUSTED = 0x81AA
EC_ARMED = 0x8168
DISABLED = 0x8F0F
SUSPENDED = 0x8F83
ARMED = 0x8F32
TDR1_DONE = 0x81A7
TDR2_DONE = 0x81A8
PDR_DONE = 0x81A9
LOCAL_CREDIT = 0x810E
BILLING = 0x8F0A
MAX_CREDIT = 0x8F5B
MAX_BALANCE = 0x8F47


def K(d, h, m=0):
    """The half-hour index of day d, h:m (the scenario scripts' clock)."""
    return d * 48 + h * 2 + m // 30


def by_slot(script):
    """A script of (half-hour, kind, args...) rows as {half-hour: [(kind, args...), ...]}, in order."""
    events = {}
    for e in script:
        events.setdefault(e[0], []).append(e[1:])
    return events


class RefLedger:
    def __init__(self, low, ec_limit, ec_thr, max_credit, max_bal, cap, percent, sde, sdd, nd_window):
        self.low = low
        self.limit = ec_limit
        self.ec_thr = ec_thr
        self.max_credit = max_credit
        self.max_bal = max_bal
        self.cap = cap
        self.percent = percent
        self.sde = sde
        self.sdd = sdd
        self.nd_window = nd_window  # (start second of day, end second of day) or None
        self.bal = 0
        self.ec_on = False
        self.ec_used = 0
        self.ad = 0
        self.tdr = [0, 0]
        self.pdr = 0
        self.supply = "on"
        self.credit_off = False
        self.flags = {"avail": False, "low": False, "nd": False}
        self.cap_start = None
        self.cap_used = 0
        self.alerts = []
        self.credit_mode = False

    def combined(self):
        return self.bal + ((self.limit - self.ec_used) if self.ec_on else 0)

    def debit(self, amount, timed, t):
        if amount <= 0:
            return amount
        if self.credit_mode:
            self.bal -= amount
            return amount
        if timed and ((self.ec_on and self.sde) or (self.supply != "on" and self.sdd)):
            self.ad += amount
            return amount
        left = amount
        if self.bal > 0:
            x = min(self.bal, left)
            self.bal -= x
            left -= x
        if left and self.ec_on:
            x = min(self.limit - self.ec_used, left)
            self.ec_used += x
            left -= x
            if x and self.ec_used == self.limit:
                self.alerts.append((EC_EXHAUSTED, t))
        self.bal -= left
        return amount

    def time_debt(self, i, instalment, t):
        if self.credit_mode:
            return
        x = min(instalment, self.tdr[i])
        if x <= 0:
            return
        self.debit(x, True, t)
        self.tdr[i] -= x
        if self.tdr[i] == 0:
            self.alerts.append(((TDR1_DONE, TDR2_DONE)[i], t))

    def in_nd(self, t):
        if self.nd_window is None:
            return False
        s = t % DAY
        return self.nd_window[0] <= s < self.nd_window[1]

    def review(self, t):
        if self.credit_mode:
            self.flags = {"avail": False, "low": False, "nd": False}
            return
        avail = (not self.ec_on) and self.limit > 0 and self.bal < self.ec_thr
        if avail and not self.flags["avail"]:
            self.alerts.append((EC_AVAILABLE, t))
        self.flags["avail"] = avail
        c = self.combined()
        low = c < self.low
        if low and not self.flags["low"]:
            self.alerts.append((LOW_CREDIT, t))
        self.flags["low"] = low
        if c < 0:
            if self.supply != "off":
                if self.in_nd(t):
                    if not self.flags["nd"]:
                        self.alerts.append((SUSPENDED, t))
                    self.flags["nd"] = True
                else:
                    self.supply = "off"
                    self.credit_off = True
                    self.flags["nd"] = False
                    self.alerts.append((DISABLED, t))
        else:
            self.flags["nd"] = False
            if self.supply == "off" and self.credit_off:
                self.supply = "armed"
                self.alerts.append((ARMED, t))

    def local_enable(self):
        """A local supply enable: allowed unless the supply is off, and only with credit >= 0."""
        ok = self.supply != "off" and self.combined() >= 0
        if ok:
            self.supply = "on"
            self.credit_off = False
        return ok

    def activate_ec(self, t):
        if not self.ec_on and self.limit > 0 and self.bal < self.ec_thr:
            self.ec_on = True
            self.alerts.append((EC_ACTIVATED, t))
            if self.supply == "off" and self.credit_off and self.combined() >= 0:
                self.supply = "armed"
                self.alerts.append((EC_ARMED, t))
            self.review(t)
        return self.ec_on

    def top_up(self, value, t, local):
        """Returns 0 or the refusal alert; follows PDR, accumulated debt, EC, balance."""
        if value > self.max_credit:
            self.alerts.append((MAX_CREDIT, t))
            return MAX_CREDIT
        used = self.cap_used
        if self.cap_start is None or t >= self.cap_start + WEEK:
            used = 0
        share = min(value * self.percent // 10000, self.cap - used, self.pdr)
        share = max(share, 0)
        rest = value - share
        to_ad = min(self.ad, rest)
        rest -= to_ad
        to_ec = min(self.ec_used, rest)
        rest -= to_ec
        if self.bal + rest > self.max_bal:
            self.alerts.append((MAX_BALANCE, t))
            return MAX_BALANCE
        if share:
            if self.cap_start is None or t >= self.cap_start + WEEK:
                self.cap_start = t
                self.cap_used = 0
            self.cap_used += share
            self.pdr -= share
            if self.pdr == 0:
                self.alerts.append((PDR_DONE, t))
        self.ad -= to_ad
        self.ec_used -= to_ec
        self.bal += rest
        if self.ec_on and self.ec_used == 0 and self.bal >= 0:
            self.ec_on = False
        if local:
            self.alerts.append((LOCAL_CREDIT, t))
        self.review(t)
        return 0

    def registers(self):
        return (self.bal, self.limit - self.ec_used, self.ad, self.pdr, self.tdr[0], self.tdr[1])
