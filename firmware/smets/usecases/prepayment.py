"""Prepayment use cases on the ESME: top-up (CS01a), meter balance (ECS04a/b), payment mode
(ECS02/03), prepayment configuration (ECS08/08a), debt (ECS07), emergency credit (ECS09) and the
SECMP0002 debt register resets (provisional codes, docs/provisional-codes.md).

Each ``translate`` turns the whole DLMS request into one behaviour call (smets.behaviour.meter), made
before anything is stored; its COSEM objects are those of the GBCS use-case tables.
"""

from smets.behaviour import meter as bm
from smets.behaviour.debt import PDR, TDR1, TDR2
from smets.behaviour.errors import BehaviourError
from smets.behaviour.timeutil import NEVER
from smets.usecases import cosem, tariff_objects
from smets.usecases.common import SUPPLIER, activation_of, dlms_use_case, find, int_of, obis, value_of
from smets.usecases.esme_model import (
    ACCUMULATED_DEBT,
    CHARGE,
    CREDIT,
    EMERGENCY_CREDIT,
    METER_BALANCE,
    PAYMENT_DEBT,
    TIME_DEBT_1,
    TIME_DEBT_2,
)
from smets.usecases.registry import entry
from smets.wire import dlms
from smets.wire import dlms_axdr as ax

TOKEN_GATEWAY = 115
TOKEN_GATEWAY_OBJ = obis(0, 0, 19, 40, 0)
ACCOUNT = 111
ACCOUNT_PASSIVE = obis(0, 1, 19, 0, 0)
EXTENDED = 9000
DISABLEMENT_THRESHOLD = obis(0, 0, 94, 44, 128, 22)
LOW_CREDIT = obis(0, 0, 94, 44, 128, 9)
EC_LIMIT = obis(0, 0, 94, 44, 128, 2)
EC_THRESHOLD = obis(0, 0, 94, 44, 128, 3)
MAX_CREDIT = obis(0, 0, 94, 44, 2, 10)
MAX_METER_BALANCE = obis(0, 0, 94, 44, 2, 20)
CAP_AMOUNT = obis(0, 0, 94, 44, 128, 12)
CAP_PERIOD = obis(0, 0, 94, 44, 128, 13)

# Credit class methods and Charge class attributes/methods (IEC 62056-6-2 classes 112 and 113).
UPDATE_AMOUNT = 1
SET_AMOUNT_TO_VALUE = 2
INVOKE_CREDIT = 3
UNIT_CHARGE_PASSIVE = 6
PERIOD = 8
PROPORTION = 13
UPDATE_TOTAL_AMOUNT_REMAINING = 4
SET_TOTAL_AMOUNT_REMAINING = 5
ENTER = 1
PASSIVE_VALUE = 4
ACTIVATION_TIME = 6
ACCOUNT_MODE_AND_STATUS = 2
CREDIT_CHARGE_CONFIGURATION = 11
ACCOUNT_ACTIVATION_TIME = 13

_DEBTS = ((TIME_DEBT_1, TDR1), (TIME_DEBT_2, TDR2), (PAYMENT_DEBT, PDR))
_INT32_MAX = 0x7FFFFFFF


def cs01a(dev, ctx, req):
    """Token gateway enter(UTRN): the GBCS §14 checks, then the behaviour's UTRN rules."""
    i = find(req, TOKEN_GATEWAY, TOKEN_GATEWAY_OBJ, ENTER, dlms.ACTION)
    if i < 0:
        raise KeyError("CS01a without token gateway enter")
    code = dev.top_up(req.data[i][1], ctx.frame, ctx.now)
    return {i: cosem.R_SUCCESS if code == 0 else cosem.R_OTHER}


def ecs04a(dev, ctx, req):
    i = find(req, CREDIT, METER_BALANCE, UPDATE_AMOUNT, dlms.ACTION)
    dev.behaviour_call(dev.meter.adjust_balance(int_of(req.data[i]), ctx.now))
    return None


def ecs04b(dev, ctx, req):
    # set_amount_to_value(0) on meter balance, EC and accumulated debt: the ESME balance reset.
    for instance in (METER_BALANCE, EMERGENCY_CREDIT, ACCUMULATED_DEBT):
        i = find(req, CREDIT, instance, SET_AMOUNT_TO_VALUE, dlms.ACTION)
        if i >= 0 and int_of(req.data[i]) != 0:
            raise BehaviourError("ECS04b: set_amount_to_value must be 0")
    dev.behaviour_call(dev.meter.reset_balance(ctx.now))
    return None


def _unit_charge(value):
    """(rate, price scale) of a unit_charge structure: {scaling {commodity, price}, commodity,
    charge_prices [{index, charge_per_unit}]}."""
    scaling, _commodity, prices = value[1]
    price_scale = scaling[1][1][1]
    rate = int_of(prices[1][0][1][1]) if prices[1] else 0
    return rate, price_scale


def ecs07(dev, ctx, req):
    """Debt: passive unit charges (rate, scale), periods, payment-based proportion, then the signed
    adjustments to the three registers. Everything is checked before any of it is applied."""
    recovery = []
    for instance, _which in _DEBTS[:2]:
        rate, scale = _unit_charge(value_of(req, CHARGE, instance, UNIT_CHARGE_PASSIVE))
        period = int_of(value_of(req, CHARGE, instance, PERIOD))
        recovery.append((rate, scale, period))
    percent = int_of(value_of(req, CHARGE, PAYMENT_DEBT, PROPORTION))
    deltas = []
    regs = dev.meter.account.debt.regs
    for instance, which in _DEBTS:
        i = find(req, CHARGE, instance, UPDATE_TOTAL_AMOUNT_REMAINING, dlms.ACTION)
        delta = int_of(req.data[i]) if i >= 0 else 0
        if not 0 <= regs[which] + delta <= _INT32_MAX:
            raise BehaviourError("ECS07: debt register would leave its range")
        deltas.append((which, delta))
    dev.behaviour_call(dev.meter.set_debt_recovery(percent, (recovery[0], recovery[1]), ctx.now))
    for which, delta in deltas:
        if delta:
            dev.behaviour_call(dev.meter.adjust_debt(which, delta, ctx.now))
    return None


def debt_reset(instance, which):
    """SECMP0002 (provisional): Charge set_total_amount_remaining(0) on one debt register."""

    def translate(dev, ctx, req):
        i = find(req, CHARGE, instance, SET_TOTAL_AMOUNT_REMAINING, dlms.ACTION)
        if i < 0:
            raise KeyError("reset without set_total_amount_remaining")
        result, alerts = dev.meter.reset_debt_register(which, ctx.now, int_of(req.data[i]))
        dev.behaviour_call((result, alerts))
        return {i: cosem.R_SUCCESS if result == bm.RESET_SUCCESS else cosem.R_OTHER}

    return translate


def ecs09(dev, ctx, req):
    i = find(req, CREDIT, EMERGENCY_CREDIT, INVOKE_CREDIT, dlms.ACTION)
    ok, alerts = dev.meter.activate_emergency_credit(bm.EC_REMOTE, ctx.now)
    dev.behaviour_call((ok, alerts))
    return {i: cosem.R_SUCCESS if ok else cosem.R_OTHER}


def _suspensions(config):
    """(SuspendDebtDisabled, SuspendDebtEmergency) from a credit_charge_configuration array [I]:
    time-based charges (time debts, standing charge) not collected from the meter balance while
    supply is disconnected (bit 0 clear) mean SuspendDebtDisabled; no pairing of emergency credit
    with a time debt means SuspendDebtEmergency."""
    disabled = False
    ec_pays_debt = False
    timed = (TIME_DEBT_1, TIME_DEBT_2, obis(0, 0, 19, 20, 4))
    for item in config[1]:
        credit, charge, flags = item[1]
        credit, charge = bytes(credit[1]), bytes(charge[1])
        if charge in timed:
            nbits, octets = flags[1]
            if credit == METER_BALANCE and nbits and not octets[0] & 0x80:
                disabled = True
            if credit == EMERGENCY_CREDIT and charge != timed[2]:
                ec_pays_debt = True
    return disabled, not ec_pays_debt


def payment_mode(dev, ctx, req):
    """ECS02 / ECS03: passive account mode with its activation time (and ECS03's disablement
    threshold)."""
    mode = int_of(value_of(req, ACCOUNT, ACCOUNT_PASSIVE, ACCOUNT_MODE_AND_STATUS)[1][0])
    config = value_of(req, ACCOUNT, ACCOUNT_PASSIVE, CREDIT_CHARGE_CONFIGURATION)
    sdd, sde = _suspensions(config)
    if mode == 1:
        sdd = sde = False  # the suspension flags mean nothing in credit mode
    at = activation_of(ctx, value_of(req, ACCOUNT, ACCOUNT_PASSIVE, ACCOUNT_ACTIVATION_TIME))
    disablement = None
    if find(req, EXTENDED, DISABLEMENT_THRESHOLD, PASSIVE_VALUE) >= 0:
        disablement = int_of(value_of(req, EXTENDED, DISABLEMENT_THRESHOLD, PASSIVE_VALUE))
    dev.behaviour_call(dev.meter.set_payment_mode(mode, sdd, sde, disablement, at, ctx.now))
    return None


def prepayment_config(dev, ctx, req):
    """ECS08 / ECS08a: the passive thresholds with their activation time (ECS08 sends the maximum
    meter balance as the value itself, attribute 2, rather than its passive value), and the
    non-disablement calendar: what activates now goes to the behaviour at once, what is held when it
    falls due (``nd_activated``), through the one translation ``dlms_tariff.nd_schedule``."""
    from smets.usecases import dlms_tariff  # on first use: a board without tariff commands never loads it

    nd_now, nd_every, nd_moved = cosem.after_request(dev, ctx, req, tariff_objects.ND_CARRIERS)
    if nd_every:
        dlms_tariff.nd_schedule(cosem.view(dev, nd_every))  # raises for what can never be one
    nd = dlms_tariff.nd_schedule(cosem.view(dev, nd_now)) if nd_moved else None
    values = []
    for instance in (
        LOW_CREDIT,
        EC_LIMIT,
        EC_THRESHOLD,
        MAX_CREDIT,
        MAX_METER_BALANCE,
        CAP_AMOUNT,
        CAP_PERIOD,
    ):
        if find(req, EXTENDED, instance, PASSIVE_VALUE) >= 0:
            values.append(int_of(value_of(req, EXTENDED, instance, PASSIVE_VALUE)))
        else:
            values.append(int_of(value_of(req, EXTENDED, instance, 2)))
    at = activation_of(ctx, value_of(req, EXTENDED, LOW_CREDIT, ACTIVATION_TIME))
    dev.behaviour_call(dev.meter.set_prepayment_config(*(values + [at, ctx.now])))
    if nd is not None:
        dev.behaviour_call(dev.meter.set_non_disablement(nd, ctx.now, ctx.now))
    return None


def nd_activated(dev, at):
    """A held non-disablement object fell due: the calendar the active objects make becomes the
    behaviour's for ``at`` (both objects of one command falling due together replace it once)."""
    from smets.usecases import dlms_tariff  # on first use: a board without tariff commands never loads it

    nd = dlms_tariff.nd_schedule(cosem.view(dev))
    if nd is None:
        return
    m = dev.meter
    if m.nd_at != NEVER and m.nd_at < at:
        dev.behaviour_call((None, m.tick(m.nd_at)))  # one due earlier activates first
    dev.behaviour_call(m.set_non_disablement(nd, at, m.now))


def bind(model):
    """The hook that follows the non-disablement objects' held activations."""
    for class_id, instance in tariff_objects.ND_CARRIERS:
        model.on_activation(class_id, instance, nd_activated)


def esme_use_cases():
    """The ESME entries of this family (SRVs 1.5, 1.6, 2.1, 2.2, 2.3, 2.5, SECMP0002)."""
    return (
        entry("CS01a", SUPPLIER, dlms_use_case(cs01a), replay=True, dated=True),
        entry("ECS04a", SUPPLIER, dlms_use_case(ecs04a), replay=True),
        entry("ECS04b", SUPPLIER, dlms_use_case(ecs04b), replay=True),
        entry("ECS02", SUPPLIER, dlms_use_case(payment_mode), replay=True, dated=True),
        entry("ECS03", SUPPLIER, dlms_use_case(payment_mode), replay=True, dated=True),
        entry("ECS07", SUPPLIER, dlms_use_case(ecs07), replay=True),
        entry("ECS08", SUPPLIER, dlms_use_case(prepayment_config), replay=True, dated=True),
        entry("ECS08a", SUPPLIER, dlms_use_case(prepayment_config), replay=True, dated=True),
        entry("ECS09", SUPPLIER, dlms_use_case(ecs09), replay=True),
        entry("ECS07R1", SUPPLIER, dlms_use_case(debt_reset(TIME_DEBT_1, TDR1)), replay=True),
        entry("ECS07R2", SUPPLIER, dlms_use_case(debt_reset(TIME_DEBT_2, TDR2)), replay=True),
        entry("ECS07R3", SUPPLIER, dlms_use_case(debt_reset(PAYMENT_DEBT, PDR)), replay=True),
    )


# Data values a head end sends (used by tests and the fleet's head end).
def reset_request(invoke_id, instance):
    """The DLMS request of a SECMP0002 ESME reset of the debt register `instance`."""
    spec = dlms.Spec(dlms.ACTION, CHARGE, instance, SET_TOTAL_AMOUNT_REMAINING)
    return dlms.AccessRequest(invoke_id, [spec], [(ax.T_DOUBLE_LONG, 0)])
