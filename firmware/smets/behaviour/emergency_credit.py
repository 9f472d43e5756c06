"""Emergency credit (EC): limit, threshold, amount used, active flag.

The EC balance is ``limit - used`` (never below zero): it equals the EC limit whenever nothing is
owed (the ZSE convention) and counts down while EC is in use. EC stays in use until the amount
used is repaid and the meter balance is not negative [I] (so a top-up that repays EC can never
leave the meter with less combined credit than before).
"""


class EmergencyCredit:
    __slots__ = ("limit", "threshold", "used", "active")

    def __init__(self):
        self.limit = 0
        self.threshold = 0
        self.used = 0
        self.active = False

    def balance(self):
        b = self.limit - self.used
        return b if b > 0 else 0

    def may_activate(self, meter_balance):
        """EC can be selected only while not in use and the meter balance is below the threshold."""
        return (not self.active) and self.limit > 0 and meter_balance < self.threshold

    def take(self, amount):
        """Use up to ``amount`` of EC; returns what was taken."""
        avail = self.balance()
        t = amount if amount < avail else avail
        self.used += t
        return t

    def owed(self):
        return self.used

    def repay(self, amount):
        t = amount if amount < self.used else self.used
        self.used -= t
        return t

    def reset(self):
        """Back to the full limit, nothing owed, not in use (ESME meter balance reset)."""
        self.used = 0
        self.active = False

    def dump(self, w):
        w.i64(self.limit)
        w.i64(self.threshold)
        w.i64(self.used)
        w.bool(self.active)

    def load(self, r):
        self.limit = r.i64()
        self.threshold = r.i64()
        self.used = r.i64()
        self.active = r.bool()
