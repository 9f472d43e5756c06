"""The account: payment mode, meter balance, emergency credit, debts and how charges and credits flow.

Charges (consumption, standing charge, time-debt instalments, secondary consumption) are taken
through the credit/charge configuration: for each charge a bit set of the credit pots that may pay
it (meter balance, emergency credit, accumulated debt). In prepayment mode a charge takes the
positive meter balance first, then EC when it is in use, and any rest makes the meter balance
negative [I]. Time-based charges (standing charge, time debts) are not taken while collection is
suspended (EC in use with SuspendDebtEmergency, or supply off with SuspendDebtDisabled): they go to
the accumulated debt register when the charge may use that pot, otherwise they are not charged
(a time-debt instalment then stays on its register) [I].

Credits (top-ups) in prepayment mode are applied in the SMETS GSME order, used for both meters [I]:
payment debt (percentage, capped), accumulated debt, EC repayment, meter balance.

In credit mode there is no EC, no debt recovery and no disablement; charges lower the ESME meter
balance and raise the GSME credit-mode balance (ZSE BillToDateDelivered) [I for the ESME].
"""

from smets.wire import alert_codes as ac

from .debt import PDR, DebtRegisters
from .emergency_credit import EmergencyCredit
from .errors import BehaviourError
from .thresholds import PendingConfig, Thresholds
from .timeutil import NEVER

CREDIT = 1  # DLMS account_mode_and_status values
PREPAYMENT = 2

# The five permitted (mode, SuspendDebtDisabled, SuspendDebtEmergency) combinations (GBCS 18.2.1):
# the suspend flags mean nothing in credit mode, so credit mode takes only (False, False) [I].
PERMITTED_MODES = (
    (CREDIT, False, False),
    (PREPAYMENT, False, False),
    (PREPAYMENT, True, False),
    (PREPAYMENT, False, True),
    (PREPAYMENT, True, True),
)

# What a change of payment mode does besides setting it (h11-style table: (from, to) -> actions).
SNAPSHOT = "billing_snapshot"
ARM_IF_CREDIT_DISABLED = "arm_if_credit_disabled"
MODE_TRANSITIONS = {
    (CREDIT, CREDIT): (),
    (PREPAYMENT, PREPAYMENT): (),
    (CREDIT, PREPAYMENT): (SNAPSHOT,),
    (PREPAYMENT, CREDIT): (SNAPSHOT, ARM_IF_CREDIT_DISABLED),
}

# Charges (DLMS 0-0:19.20.x) and credit pots (0-0:19.10.x).
C_CONSUMPTION = 0
C_TDR1 = 1
C_TDR2 = 2
C_PDR = 3
C_STANDING = 4
C_SECONDARY = 5
P_BALANCE = 1
P_EC = 2
P_ACCUMULATED = 4
DEFAULT_CHARGE_CONFIG = (
    P_BALANCE | P_EC,
    P_BALANCE | P_EC | P_ACCUMULATED,
    P_BALANCE | P_EC | P_ACCUMULATED,
    P_BALANCE,
    P_BALANCE | P_EC | P_ACCUMULATED,
    P_BALANCE | P_EC,
)
_TIMED = (C_TDR1, C_TDR2, C_STANDING)
_COMPLETE = (ac.A_TDR1_COLLECTION_COMPLETE, ac.A_TDR2_COLLECTION_COMPLETE, ac.A_PDR_COLLECTION_COMPLETE)

_INT32_MIN = -0x80000000
_INT32_MAX = 0x7FFFFFFF


def _int32(v, what):
    if not _INT32_MIN <= v <= _INT32_MAX:
        raise BehaviourError("%s would leave the int32 range: %d" % (what, v))
    return v


class Account:
    __slots__ = (
        "is_esme",
        "mode",
        "suspend_disabled",
        "suspend_emergency",
        "balance",
        "bill_to_date",
        "accumulated",
        "ec",
        "debt",
        "thr",
        "charge_config",
        "pending_mode",
        "pending_mode_at",
        "pending_config",
    )

    def __init__(self, is_esme):
        self.is_esme = is_esme
        self.mode = CREDIT
        self.suspend_disabled = False
        self.suspend_emergency = False
        self.balance = 0
        self.bill_to_date = 0
        self.accumulated = 0
        self.ec = EmergencyCredit()
        self.debt = DebtRegisters()
        self.thr = Thresholds()
        self.charge_config = DEFAULT_CHARGE_CONFIG
        self.pending_mode = None
        self.pending_mode_at = NEVER
        self.pending_config = PendingConfig()

    # -- payment mode --------------------------------------------------------------------------
    def set_pending_mode(self, mode, suspend_disabled, suspend_emergency, disablement, at):
        if type(suspend_disabled) is not bool or type(suspend_emergency) is not bool:
            raise BehaviourError("payment mode: suspend flags must be bool")
        if (mode, suspend_disabled, suspend_emergency) not in PERMITTED_MODES:
            raise BehaviourError("payment mode: combination not permitted")
        self.pending_mode = (mode, suspend_disabled, suspend_emergency, disablement)
        self.pending_mode_at = at

    def mode_due(self, now):
        return self.pending_mode is not None and self.pending_mode_at != NEVER and self.pending_mode_at <= now

    def activate_mode(self):
        """Apply the pending mode; returns the actions of MODE_TRANSITIONS for the change."""
        mode, sdd, sde, dis = self.pending_mode
        actions = MODE_TRANSITIONS[(self.mode, mode)]
        self.mode = mode
        self.suspend_disabled = sdd
        self.suspend_emergency = sde
        if dis is not None:
            self.thr.disablement = dis
        self.pending_mode = None
        self.pending_mode_at = NEVER
        return actions

    def apply_config(self, values):
        low, ec_limit, ec_thr, max_credit, max_bal, cap, cap_period = values
        self.thr.low_credit = low
        self.thr.max_credit = max_credit
        self.thr.max_meter_balance = max_bal
        self.ec.limit = ec_limit
        self.ec.threshold = ec_thr
        if self.is_esme:
            self.debt.set_payment_recovery(self.debt.percent, cap * 100000, cap_period)
        else:  # GSME Overall Debt Cap: money units, fixed one-week period
            self.debt.set_payment_recovery(self.debt.percent, cap, 7 * 86400)

    # -- balances ------------------------------------------------------------------------------
    def prepayment(self):
        return self.mode == PREPAYMENT

    def combined_credit(self):
        return self.balance + (self.ec.balance() if self.ec.active else 0)

    def adjust_balance(self, delta):
        if self.is_esme or self.mode == PREPAYMENT:
            self.balance = _int32(self.balance + delta, "meter balance")
        else:  # GSME credit-mode balance rises with consumption, so a credit is subtracted
            self.bill_to_date = _int32(self.bill_to_date - delta, "credit-mode balance")

    def reset_balance(self):
        if self.is_esme:
            self.balance = 0
            self.ec.reset()
            self.accumulated = 0
        elif self.mode == PREPAYMENT:
            self.balance = 0
        else:
            self.bill_to_date = 0

    def suspended(self, supply_off):
        return (self.ec.active and self.suspend_emergency) or (supply_off and self.suspend_disabled)

    # -- charges -------------------------------------------------------------------------------
    def charge(self, kind, amount, t, supply_off, emit):
        """Take a charge; returns the amount charged or moved to accumulated debt."""
        if amount <= 0:
            return 0
        if self.mode == CREDIT:
            if self.is_esme:
                self.balance -= amount
            else:
                self.bill_to_date += amount
            return amount
        mask = self.charge_config[kind]
        if kind in _TIMED and self.suspended(supply_off):
            if mask & P_ACCUMULATED:
                self.accumulated += amount
                return amount
            return 0
        rem = amount
        if mask & P_BALANCE and self.balance > 0:
            take = self.balance if self.balance < rem else rem
            self.balance -= take
            rem -= take
        if rem and mask & P_EC and self.ec.active:
            take = self.ec.take(rem)
            rem -= take
            if take and self.ec.balance() == 0:
                emit(ac.A_EC_EXHAUSTED, t)
        if rem:
            self.balance -= rem
        return amount

    def collect_time_debt(self, which, t, supply_off, emit):
        amount = self.debt.instalment(which)
        if amount <= 0:
            return
        taken = self.charge(C_TDR1 + which, amount, t, supply_off, emit)
        if taken:
            self.debt.regs[which] -= taken
            if self.debt.regs[which] == 0:
                emit(_COMPLETE[which], t)

    # -- credits -------------------------------------------------------------------------------
    def plan_credit(self, value, t, cap_window):
        """Split a prepayment credit into (payment debt, accumulated debt, EC repayment, balance)."""
        p = self.debt.payment_share(value, t, cap_window)
        rem = value - p
        a = self.accumulated if self.accumulated < rem else rem
        rem -= a
        owed = self.ec.owed()
        e = owed if owed < rem else rem
        return p, a, e, rem - e

    def apply_credit(self, plan, t, cap_window, emit):
        p, a, e, b = plan
        if p:
            self.debt.take_payment(p, t, cap_window)
            if self.debt.regs[PDR] == 0:
                emit(ac.A_PDR_COLLECTION_COMPLETE, t)
        self.accumulated -= a
        self.ec.repay(e)
        self.balance += b
        if self.ec.active and self.ec.used == 0 and self.balance >= 0:
            self.ec.active = False

    def dump(self, w):
        w.u8(self.mode)
        w.bool(self.suspend_disabled)
        w.bool(self.suspend_emergency)
        w.i64(self.balance)
        w.i64(self.bill_to_date)
        w.i64(self.accumulated)
        self.ec.dump(w)
        self.debt.dump(w)
        self.thr.dump(w)
        w.ints(self.charge_config)
        w.bool(self.pending_mode is not None)
        if self.pending_mode is not None:
            m, sdd, sde, dis = self.pending_mode
            w.u8(m)
            w.bool(sdd)
            w.bool(sde)
            w.opt_i64(dis)
        w.u32(self.pending_mode_at)
        self.pending_config.dump(w)

    def load(self, r):
        self.mode = r.u8()
        self.suspend_disabled = r.bool()
        self.suspend_emergency = r.bool()
        self.balance = r.i64()
        self.bill_to_date = r.i64()
        self.accumulated = r.i64()
        self.ec.load(r)
        self.debt.load(r)
        self.thr.load(r)
        self.charge_config = tuple(r.ints())
        self.pending_mode = (r.u8(), r.bool(), r.bool(), r.opt_i64()) if r.bool() else None
        self.pending_mode_at = r.u32()
        self.pending_config.load(r)
