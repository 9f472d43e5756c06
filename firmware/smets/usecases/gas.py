"""GSME and GPF use cases (GBZ / ZSE): top-up (CS01b), meter balance (GCS40a/b/c/d), payment mode
(GCS02/03), debt (GCS04, and the SECMP0002 resets GCS04R1-3), prepayment configuration and the
friendly credit calendar (GCS05), tariff and price (GCS01a/b: kept as sent and priced through
usecases.zse_tariff), and the reads of SRVs 4.1.x, 4.3, 4.18, 6.2.x.

The ZSE attributes bound to the GSME's behaviour (smets.behaviour.meter.GsmeBehaviour) are those of
the Prepayment cluster (0x0705) below; the rest are kept in the device's attribute store. ZSE
values: money in 10^-5 of the currency unit (the behaviour's unit), times in UTC seconds since
2000-01-01 (the behaviour's clock), 0 meaning "now" and 0xFFFFFFFF "never".
"""

from smets.behaviour import meter as bm
from smets.behaviour import supply as sp
from smets.behaviour.account import CREDIT, PREPAYMENT
from smets.behaviour.debt import DAILY, HOURLY, PDR, TDR1, TDR2
from smets.behaviour.errors import BehaviourError
from smets.usecases import calendars, firmware, logs, snapshots, zse, zse_tariff
from smets.usecases.common import SUPPLIER, SUPPLIER_ACB, SUPPLIER_NO, SUPPLIER_NO_ACB
from smets.usecases.registry import entry
from smets.wire import alert_codes as ac
from smets.wire import gbz

PRICE = 0x0700
METERING = 0x0702
PREPAYMENT_CLUSTER = 0x0705
CALENDAR = 0x0707

# ZCL data types used by the bound attributes.
T_BITMAP16 = 0x19
T_UINT32 = 0x23
T_INT32 = 0x2B

# Payment Control Configuration (ZSE bitmap16): prepayment enabled, and the GBCS meaning of the
# debt configuration bits [S1 decodes of GCS02/03: 0x0C94 credit; 0x0C97, 0x0897, 0x0097 prepayment].
PCC_PREPAYMENT = 0x0002
PCC_SUSPEND_DEBT_DISABLED = 0x0400  # set: SuspendDebtDisabled = True
PCC_DEBT_COLLECTED_IN_EMERGENCY = 0x0800  # clear: SuspendDebtEmergency = True
PCC_CREDIT = 0x0C94
PCC_PREPAYMENT_BASE = 0x0097

# Change Debt amount types: (register, absolute?) by type 0..5.
DEBT_TYPES = ((TDR1, True), (TDR1, False), (TDR2, True), (TDR2, False), (PDR, True), (PDR, False))

# Consumer Top Up Response result types (ZSE), by the behaviour's refusal alert.
TOP_UP_ACCEPTED = 0x00
TOP_UP_RESULTS = (
    (ac.A_UTRN_NOT_AUTHENTIC, 0x01),
    (ac.A_UTRN_NOT_FOR_DEVICE, 0x01),
    (ac.A_DUPLICATE_UTRN, 0x02),
    (ac.A_MAX_METER_BALANCE, 0x04),
    (ac.A_UTRN_LOCKED_OUT, 0x05),
    (ac.A_UTRN_EXCEEDS_MAX_CREDIT, 0x06),
)


# ---- bound attributes ------------------------------------------------------------------------


def pcc(meter):
    a = meter.account
    if a.mode != PREPAYMENT:
        return PCC_CREDIT
    v = PCC_PREPAYMENT_BASE
    if a.suspend_disabled:
        v |= PCC_SUSPEND_DEBT_DISABLED
    if not a.suspend_emergency:
        v |= PCC_DEBT_COLLECTED_IN_EMERGENCY
    return v


def mode_of(value):
    """(mode, SuspendDebtDisabled, SuspendDebtEmergency) of a Payment Control Configuration."""
    if not value & PCC_PREPAYMENT:
        return CREDIT, False, False
    return PREPAYMENT, bool(value & PCC_SUSPEND_DEBT_DISABLED), not value & PCC_DEBT_COLLECTED_IN_EMERGENCY


def _load_pcc(dev, value):
    mode, sdd, sde = mode_of(value)
    a = dev.meter.account
    a.mode, a.suspend_disabled, a.suspend_emergency = mode, sdd, sde


def _account(getter, setter, t):
    def get(dev):
        return (t, getter(dev.meter))

    def load(dev, value):
        setter(dev.meter, value)

    return get, load


def _set_balance(m, v):
    m.account.balance = v


def _set_ec(m, v):
    ec = m.account.ec
    if v > ec.limit:
        ec.limit = v
    ec.used = ec.limit - v


def _set_accumulated(m, v):
    m.account.accumulated = v


def _set_ec_limit(m, v):
    m.account.ec.limit = v


def _set_ec_threshold(m, v):
    m.account.ec.threshold = v


def _set_low(m, v):
    m.account.thr.low_credit = v


def _set_max_credit(m, v):
    m.account.thr.max_credit = v


def _debt_binding(which):
    def get(m):
        return m.account.debt.regs[which]

    def put(m, v):
        m.account.debt.regs[which] = v

    return get, put


BOUND = (
    (0x0001, lambda m: m.account.balance, _set_balance, T_INT32),
    (0x0002, lambda m: m.account.ec.balance(), _set_ec, T_INT32),
    (0x0005, lambda m: m.account.accumulated, _set_accumulated, T_INT32),
    (0x0010, lambda m: m.account.ec.limit, _set_ec_limit, T_UINT32),
    (0x0011, lambda m: m.account.ec.threshold, _set_ec_threshold, T_UINT32),
    (0x0021, lambda m: m.account.thr.max_credit, _set_max_credit, T_UINT32),
    (0x0031, lambda m: m.account.thr.low_credit, _set_low, T_UINT32),
)


# ---- commands --------------------------------------------------------------------------------


def consumer_top_up(dev, ctx, comp, cmd):
    code = dev.top_up(cmd.get("top_up_code"), ctx.frame, ctx.now)
    result = TOP_UP_ACCEPTED
    value = remaining = -1
    if code == 0:
        value = dev.last_top_up
        remaining = dev.meter.account.balance
    else:
        result = 0x03  # rejected, error
        for alert, r in TOP_UP_RESULTS:
            if alert == code:
                result = r
    out = gbz.Component(
        PREPAYMENT_CLUSTER, 0x03, b"", zse.response_fc(comp.frame_control, True), comp.sequence
    )
    fields = [
        ["result_type", result],
        ["top_up_value", value],
        ["source_of_top_up", cmd.get("originating_device", 0)],
        ["credit_remaining", remaining],
    ]
    out.set_command(gbz.ZclCommand("Consumer Top Up Response", fields))
    return out


def _load_top_up_response(dev, cmd):
    if cmd.get("result_type") == TOP_UP_ACCEPTED:
        dev.meter.account.balance = cmd.get("credit_remaining") - cmd.get("top_up_value")


def credit_adjustment(dev, ctx, comp, cmd):
    kind = cmd.get("credit_adjustment_type")
    value = cmd.get("credit_adjustment_value")
    if kind in (0, 3):  # incremental (prepayment / credit mode balance)
        dev.behaviour_call(dev.meter.adjust_balance(value, ctx.now))
    elif kind in (1, 2):  # absolute: a reset to the value, zero in GBCS
        if value != 0:
            raise BehaviourError("credit adjustment: absolute value must be 0")
        dev.behaviour_call(dev.meter.reset_balance(ctx.now))
    else:
        return zse.S_INVALID_FIELD
    return zse.S_SUCCESS


def change_payment_mode(dev, ctx, comp, cmd):
    mode, sdd, sde = mode_of(cmd.get("proposed_payment_control_configuration"))
    cut_off = cmd.get("cut_off_value")
    at = zse.zcl_time(cmd.get("implementation_date_time"), ctx.now)
    disablement = cut_off if mode == PREPAYMENT else None
    dev.behaviour_call(dev.meter.set_payment_mode(mode, sdd, sde, disablement, at, ctx.now))
    ec = dev.meter.account.ec
    friendly = dev.friendly_credit
    out = gbz.Component(
        PREPAYMENT_CLUSTER,
        0x02,
        b"",
        zse.response_fc(comp.frame_control, True) | zse.FC_DISABLE_DEFAULT_RESPONSE,
        comp.sequence,
    )
    fields = [
        ["friendly_credit", friendly[0]],
        ["friendly_credit_calendar_id", friendly[1]],
        ["emergency_credit_limit", ec.limit],
        ["emergency_credit_threshold", ec.threshold],
    ]
    out.set_command(gbz.ZclCommand("Change Payment Mode Response", fields))
    return out


def _load_payment_mode_response(dev, cmd):
    ec = dev.meter.account.ec
    ec.limit = cmd.get("emergency_credit_limit")
    ec.threshold = cmd.get("emergency_credit_threshold")
    dev.friendly_credit = (cmd.get("friendly_credit"), cmd.get("friendly_credit_calendar_id"))


def change_debt(dev, ctx, comp, cmd):
    kind = cmd.get("debt_amount_type")
    if not 0 <= kind < len(DEBT_TYPES):
        return zse.S_INVALID_FIELD
    which, absolute = DEBT_TYPES[kind]
    amount = cmd.get("debt_amount")
    debt = dev.meter.account.debt
    if absolute:
        if amount != 0:
            raise BehaviourError("absolute debt amount other than zero")
        result = dev.behaviour_call(dev.meter.reset_debt_register(which, ctx.now, 0))
        return zse.S_SUCCESS if result == bm.RESET_SUCCESS else zse.S_FAILURE
    if which == PDR:
        debt.set_payment_recovery(cmd.get("debt_recovery_balance_percentage"), debt.cap, debt.cap_period)
    else:
        period = HOURLY if cmd.get("debt_recovery_frequency") == 0 else DAILY
        debt.set_time_recovery(which, cmd.get("debt_recovery_amount"), -5, period)
    if amount:
        dev.behaviour_call(dev.meter.adjust_debt(which, amount, ctx.now))
    return zse.S_SUCCESS


def _config(meter):
    """The prepayment configuration the next change starts from: the pending one if any."""
    a = meter.account
    if a.pending_config.values is not None:
        return list(a.pending_config.values), a.pending_config.at
    d = a.debt
    return [
        a.thr.low_credit,
        a.ec.limit,
        a.ec.threshold,
        a.thr.max_credit,
        a.thr.max_meter_balance,
        d.cap,
        0,
    ], None


def _set_config(dev, ctx, index_values, when):
    values, pending_at = _config(dev.meter)
    for i, v in index_values:
        values[i] = v
    at = (
        zse.zcl_time(when, ctx.now)
        if when is not None
        else (pending_at if pending_at is not None else ctx.now)
    )
    dev.behaviour_call(dev.meter.set_prepayment_config(*(values + [at, ctx.now])))
    return zse.S_SUCCESS


def ec_setup(dev, ctx, comp, cmd):
    return _set_config(
        dev,
        ctx,
        ((1, cmd.get("emergency_credit_limit")), (2, cmd.get("emergency_credit_threshold"))),
        cmd.get("start_time"),
    )


def overall_debt_cap(dev, ctx, comp, cmd):
    return _set_config(dev, ctx, ((5, cmd.get("overall_debt_cap")),), cmd.get("implementation_date_time"))


def low_credit_level(dev, ctx, comp, cmd):
    return _set_config(dev, ctx, ((0, cmd.get("low_credit_warning_level")),), comp.from_date_time)


def max_credit(dev, ctx, comp, cmd):
    return _set_config(dev, ctx, ((3, cmd.get("maximum_credit_level")),), cmd.get("implementation_date_time"))


# ZSE Supply Status (Metering 0x0014 and Change Supply): 0 off, 1 off/armed, 2 on, by supply state.
SUPPLY_OFF = 0
SUPPLY_ARMED = 1
SUPPLY_ON = 2
_ZSE_SUPPLY = ((sp.DISABLED, SUPPLY_OFF), (sp.ARMED, SUPPLY_ARMED), (sp.ENABLED, SUPPLY_ON))
T_ENUM8 = 0x30


def zse_supply(meter):
    for state, status in _ZSE_SUPPLY:
        if meter.supply.state == state:
            return status
    return SUPPLY_OFF


def change_supply(dev, ctx, comp, cmd):
    """GCS32 close the valve (proposed status off), GCS39 arm it (off/armed); the consumer opens it."""
    proposed = cmd.get("proposed_supply_status")
    if proposed == SUPPLY_OFF:
        ok = dev.behaviour_call(dev.meter.remote_disable(ctx.now))
    elif proposed == SUPPLY_ARMED:
        ok = dev.behaviour_call(dev.meter.remote_arm(ctx.now))
    else:
        return zse.S_INVALID_VALUE  # a gas valve is never opened remotely
    if not ok:
        return zse.S_FAILURE
    out = gbz.Component(METERING, 0x0C, b"", zse.response_fc(comp.frame_control, True), comp.sequence)
    fields = [
        ["provider_id", cmd.get("provider_id")],
        ["issuer_event_id", cmd.get("issuer_event_id")],
        ["implementation_date_time", cmd.get("implementation_date_time")],
        ["supply_status", zse_supply(dev.meter)],
    ]
    out.set_command(gbz.ZclCommand("Supply Status Response", fields))
    return out


# ZSE event log IDs (Events cluster 0x0709): the general event log can be cleared, the security
# log cannot [S3 "security logs cannot be cleared remotely"].
EVENTS = 0x0709
LOG_GENERAL = 3


def clear_event_log(dev, ctx, comp, cmd):
    """CS11: Clear Event Log Response with the bitmap of the logs cleared (none on a fault)."""
    log_id = cmd.get("log_id")
    cleared = 0
    if not dev.is_faulty(zse.fault_key(comp)) and log_id in (0, LOG_GENERAL):
        dev.behaviour_call(dev.meter.clear_event_log(ctx.now))
        cleared = 1 << LOG_GENERAL
    out = gbz.Component(EVENTS, 0x02, b"", zse.response_fc(comp.frame_control, True), comp.sequence)
    out.set_command(gbz.ZclCommand("Clear Event Log Response", [["cleared_event_logs", cleared]]))
    return out


TOP_UP_LOG_SIZE = 5  # the Billing Data Log keeps the last 5 prepayment credits (S5, S7)
_NO_END = 0xFFFFFFFE  # latest end time "now" (and 0xFFFFFFFF)


def remember_top_up(dev, digits, amount, t):
    log = dev.top_up_log
    log.append((bytes(digits), amount, t))
    if len(log) > TOP_UP_LOG_SIZE:
        log.pop(0)


def _log_reply(comp, cmd, entries, time_at, wanted, command_id, name, list_field, names):
    """The one builder of the Prepayment log reads (GCS15e top-up log, GCS15d debt log): the entries
    (oldest first, tuples of the ``names`` fields, the time at index ``time_at``) timed between the
    component's from date-time and the latest end time, most recent first, up to ``wanted``, as one
    Publish ... Log; NOT_FOUND when none is."""
    start = comp.from_date_time or 0
    end = cmd.get("latest_end_time")
    rows = []
    for e in reversed(entries):
        t = e[time_at]
        if t >= start and (end >= _NO_END or t <= end) and len(rows) < wanted:
            rows.append([[n, v] for n, v in zip(names, e)])
    if not rows:
        return zse.S_NOT_FOUND
    fields = [["command_index", 0], ["total_commands", 1], [list_field, rows]]
    return zse.publish(comp, PREPAYMENT_CLUSTER, command_id, name, fields)


def _loaded_log(cmd, list_field, names, size):
    """Rows (tuples of the named fields) of a published log, oldest first, the last ``size``."""
    rows = []
    for entry_fields in cmd.get(list_field, []):
        f = dict((k, v) for k, v in entry_fields)
        rows.append(tuple(f[n] for n in names))
    return list(reversed(rows))[-size:]


_TOP_UP_FIELDS = ("top_up_code", "top_up_amount", "top_up_time")


def get_top_up_log(dev, ctx, comp, cmd):
    """GCS15e: Publish Top Up Log of the UTRNs credited."""
    return _log_reply(
        comp,
        cmd,
        dev.top_up_log,
        2,
        cmd.get("number_of_records") or TOP_UP_LOG_SIZE,
        0x05,
        "Publish Top Up Log",
        "top_ups",
        _TOP_UP_FIELDS,
    )


def _load_top_up_log(dev, cmd):
    rows = _loaded_log(cmd, "top_ups", _TOP_UP_FIELDS, TOP_UP_LOG_SIZE)
    dev.top_up_log = [(bytes(code), amount, t) for code, amount, t in rows]


DEBT_LOG_SIZE = 10  # the Billing Data Log keeps the last 10 payment-based debt payments
_DEBT_FIELDS = ("collection_time", "amount_collected", "debt_type", "outstanding_debt")


def debt_log_rows(dev):
    """(time, amount, ZSE debt type, outstanding) oldest first: what was loaded, else the
    behaviour's payment-based debt payments (ZSE type 2, outstanding: the register now) [I]."""
    if dev.debt_log is not None:
        return dev.debt_log
    regs = dev.meter.account.debt.regs
    return [(t, row[0], 2, regs[PDR]) for t, row in dev.meter.billing_debt_payments.entries()]


def get_debt_log(dev, ctx, comp, cmd):
    """GCS15d: Publish Debt Log of one debt type."""
    kind = cmd.get("debt_type")
    return _log_reply(
        comp,
        cmd,
        [e for e in debt_log_rows(dev) if e[2] == kind],
        0,
        cmd.get("number_of_debts") or DEBT_LOG_SIZE,
        0x06,
        "Publish Debt Log",
        "debts",
        _DEBT_FIELDS,
    )


def _load_debt_log(dev, cmd):
    dev.debt_log = _loaded_log(cmd, "debts", _DEBT_FIELDS, DEBT_LOG_SIZE)


LOG_SECURITY = 4


def _event_log(dev, log_id):
    """The general event log (3) is the behaviour's; the security log (4) the device's gate log."""
    if log_id == LOG_GENERAL:
        return dev.meter.event_log
    if log_id == LOG_SECURITY:
        return dev.security_log
    return None


def get_event_log(dev, ctx, comp, cmd):
    """CS10a / CS10b: Publish Event Log of the events between start and end time, oldest first
    (event data: the 2-octet message code when the event has one); NOT_FOUND when there are none."""
    log_id = cmd.get("event_control_log_id") & 0x0F
    log = _event_log(dev, log_id)
    if log is None:
        return zse.S_INVALID_FIELD
    start, end = cmd.get("start_time"), cmd.get("end_time")
    wanted = cmd.get("number_of_events") or 0xFF
    rows = []
    for t, code, data in log.entries():
        if start <= t <= end and len(rows) < wanted:
            octets = bytes((data >> 8, data & 0xFF)) if data else b""
            rows.append([["log_id", log_id], ["event_id", code], ["event_time", t], ["event_data", octets]])
    if not rows:
        return zse.S_NOT_FOUND
    fc = zse.response_fc(comp.frame_control, True) | zse.FC_DISABLE_DEFAULT_RESPONSE
    out = gbz.Component(EVENTS, 0x01, b"", fc, comp.sequence)
    fields = [
        ["total_number_of_events", len(rows)],
        ["command_index", 0],
        ["total_commands", 1],
        ["log_payload_control", 0],
        ["events", rows],
    ]
    out.set_command(gbz.ZclCommand("Publish Event Log", fields))
    return out


def _load_event_log(dev, cmd):
    for entry_fields in cmd.get("events", []):
        f = dict((k, v) for k, v in entry_fields)
        log = _event_log(dev, f["log_id"])
        data = f["event_data"]
        log.add(f["event_time"], f["event_id"], (data[0] << 8) | data[1] if len(data) == 2 else 0)


# Sampled data (Metering Get Sampled Data): sample ID -> (period, request interval it reports).
# 0: the half-hourly profile data log; 1: the daily consumption log (interval 0xFFFF as RTDS shows);
# 2: the gas network data log (GCS18), 6-minute samples (RTDS 4.5.0 GCS18), which the behaviour does
# not measure: the GSME holds them as given, in ``dev.samples`` as a GPF does [I].
SAMPLES = ((0, 1800, 1800), (1, 86400, 0xFFFF), (2, 360, 360))
_BEHAVIOUR_SAMPLES = (0, 1)
# Sample IDs whose response leaves the Default Response enabled (frame control 0x09, RTDS GCS18);
# the others disable it (0x19, RTDS GCS17/GCS61).
_DEFAULT_RESPONSE_SAMPLES = (2,)


def _sample_series(dev, sample_id):
    """(period, interval, [(start, value)...]) of a sample ID: the GSME's behaviour logs, or what a
    GPF holds (mirrored or loaded) in ``dev.samples``."""
    for sid, period, interval in SAMPLES:
        if sid != sample_id:
            continue
        meter = getattr(dev, "meter", None)
        if meter is not None and sid in _BEHAVIOUR_SAMPLES:
            log = meter.profile if sid == 0 else meter.daily_consumption
            return period, interval, log.entries()
        return period, interval, dev.samples.get(sid, [])
    return None


def get_sampled_data(dev, ctx, comp, cmd):
    """GCS17 / GCS61 / GCS18: Get Sampled Data Response from the first sample at or after the earliest
    sample time, up to the number asked for; NOT_FOUND when there is none."""
    series = _sample_series(dev, cmd.get("sample_id"))
    if series is None:
        return zse.S_INVALID_FIELD
    _period, interval, entries = series
    earliest = cmd.get("earliest_sample_time")
    wanted = cmd.get("number_of_samples")
    rows = [(t, v) for t, v in entries if t >= earliest][:wanted]
    if not rows:
        return zse.S_NOT_FOUND
    fields = [
        ["sample_id", cmd.get("sample_id")],
        ["sample_start_time", rows[0][0]],
        ["sample_type", cmd.get("sample_type")],
        ["sample_request_interval", interval],
        ["number_of_samples", len(rows)],
        ["samples", [[["sample", v]] for _t, v in rows]],
    ]
    no_default = cmd.get("sample_id") not in _DEFAULT_RESPONSE_SAMPLES
    return zse.publish(comp, METERING, 0x07, "Get Sampled Data Response", fields, no_default)


def _load_samples(dev, cmd):
    sid = cmd.get("sample_id")
    for s, period, _interval in SAMPLES:
        if s != sid:
            continue
        start = cmd.get("sample_start_time")
        values = [e[0][1] for e in cmd.get("samples", [])]
        meter = getattr(dev, "meter", None)
        if meter is None or sid not in _BEHAVIOUR_SAMPLES:
            dev.samples[sid] = [(start + i * period, v) for i, v in enumerate(values)]
            return
        log = meter.profile if sid == 0 else meter.daily_consumption
        for i, v in enumerate(values):
            log.add(start + i * period, v)


def publish_billing_period(dev, ctx, comp, cmd):
    """GCS25/25a: the billing calendar as sent (Price Publish Billing Period), read back by GCS21d/k."""
    dev.billing_period = [list(p) for p in cmd.fields]
    return zse.S_SUCCESS


def get_billing_period(dev, ctx, comp, cmd):
    if dev.billing_period is None:
        return zse.S_NOT_FOUND
    out = gbz.Component(PRICE, 0x09, b"", zse.response_fc(comp.frame_control, True), comp.sequence)
    out.set_command(gbz.ZclCommand("Publish Billing Period", [list(p) for p in dev.billing_period]))
    return out


def _load_billing_period(dev, cmd):
    dev.billing_period = [list(p) for p in cmd.fields]


_MODEL = None


def gsme_model():
    global _MODEL
    if _MODEL is None:
        m = zse.ZseModel()
        for attr_id, getter, setter, t in BOUND:
            get, load = _account(getter, setter, t)
            m.attribute(PREPAYMENT_CLUSTER, attr_id, get, load)
        for attr_id, which in ((0x0211, TDR1), (0x0221, TDR2), (0x0231, PDR)):
            get, load = _account(_debt_binding(which)[0], _debt_binding(which)[1], T_UINT32)
            m.attribute(PREPAYMENT_CLUSTER, attr_id, get, load)
        m.attribute(PREPAYMENT_CLUSTER, 0x0000, lambda dev: (T_BITMAP16, pcc(dev.meter)), _load_pcc)
        m.command(PREPAYMENT_CLUSTER, False, 0x04, consumer_top_up)
        m.command(PREPAYMENT_CLUSTER, False, 0x05, credit_adjustment)
        m.command(PREPAYMENT_CLUSTER, False, 0x06, change_payment_mode)
        m.command(PREPAYMENT_CLUSTER, False, 0x02, change_debt)
        m.command(PREPAYMENT_CLUSTER, False, 0x03, ec_setup)
        m.command(PREPAYMENT_CLUSTER, False, 0x0C, overall_debt_cap)
        m.command(PREPAYMENT_CLUSTER, False, 0x09, low_credit_level)
        m.command(PREPAYMENT_CLUSTER, False, 0x0B, max_credit)
        m.attribute(METERING, 0x0014, lambda dev: (T_ENUM8, zse_supply(dev.meter)), None)
        m.command(METERING, False, 0x0B, change_supply)
        m.command(EVENTS, False, 0x01, clear_event_log, faults=True)
        m.command(EVENTS, False, 0x00, get_event_log)
        m.command(METERING, False, 0x08, get_sampled_data)
        m.response_loader(METERING, 0x07, _load_samples)
        m.response_loader(EVENTS, 0x01, _load_event_log)
        m.command(PREPAYMENT_CLUSTER, False, 0x08, get_top_up_log)
        m.command(PREPAYMENT_CLUSTER, False, 0x0A, get_debt_log)
        m.response_loader(PREPAYMENT_CLUSTER, 0x06, _load_debt_log)
        m.response_loader(PREPAYMENT_CLUSTER, 0x05, _load_top_up_log)
        m.response_loader(PREPAYMENT_CLUSTER, 0x03, _load_top_up_response)
        m.response_loader(PREPAYMENT_CLUSTER, 0x02, _load_payment_mode_response)
        m.command(PRICE, True, 0x09, publish_billing_period)
        m.command(PRICE, False, 0x0B, get_billing_period)
        m.response_loader(PRICE, 0x09, _load_billing_period)
        snapshots.bind(m)
        calendars.bind(m)
        zse_tariff.bind(m)
        _MODEL = m
    return _MODEL


_GPF_MODEL = None


def gpf_model():
    """The GPF keeps what it mirrors in its attribute store and sampled data; nothing is bound to
    behaviour."""
    global _GPF_MODEL
    if _GPF_MODEL is None:
        m = zse.ZseModel()
        m.command(METERING, False, 0x08, get_sampled_data)
        m.response_loader(METERING, 0x07, _load_samples)
        _GPF_MODEL = m
    return _GPF_MODEL


# ---- use-case tables -------------------------------------------------------------------------

_SENSITIVE_METERING = (METERING,)
_SENSITIVE_PREPAYMENT = (PREPAYMENT_CLUSTER,)
_SENSITIVE_BILLING = (METERING, PREPAYMENT_CLUSTER)
_READ_FC_NO_DEFAULT = zse.FC_S2C | zse.FC_DISABLE_DEFAULT_RESPONSE


def _reads():
    """(use case, roles, dated, encrypted clusters, read response frame control) for GBZ reads."""
    return (
        ("GCS13a", SUPPLIER_NO, True, _SENSITIVE_METERING, _READ_FC_NO_DEFAULT),
        ("GCS13b", SUPPLIER_NO, True, _SENSITIVE_METERING, _READ_FC_NO_DEFAULT),
        ("GCS13c", SUPPLIER_NO, True, _SENSITIVE_METERING, _READ_FC_NO_DEFAULT),
        ("GCS14", SUPPLIER, True, _SENSITIVE_PREPAYMENT, zse.FC_S2C),
        ("GCS21a", SUPPLIER_NO_ACB, False, (), zse.FC_S2C),
        ("GCS21e", SUPPLIER_NO_ACB, False, (), zse.FC_S2C),
        ("GCS21j", SUPPLIER_ACB, False, (), zse.FC_S2C),
        ("GCS21m", SUPPLIER_NO_ACB, False, (), zse.FC_S2C),
        ("GCS46", SUPPLIER_NO_ACB, False, (), zse.FC_S2C),
        ("GCS60a", SUPPLIER, True, (), zse.FC_S2C),
    )


def read_use_cases():
    out = []
    for name, roles, dated, enc, fc in _reads():
        out.append(entry(name, roles, zse.gbz_use_case(enc, fc, stamped=dated), dated=dated))
    return out


def gsme_use_cases():
    cmd = zse.gbz_use_case()
    tariff = zse_tariff.use_case()
    out = [
        entry("CS01b", SUPPLIER, cmd, replay=True, dated=True),
        entry("GCS40a", SUPPLIER, cmd, replay=True),
        entry("GCS40b", SUPPLIER, cmd, replay=True),
        entry("GCS40c", SUPPLIER, cmd, replay=True),
        entry("GCS40d", SUPPLIER, cmd, replay=True),
        entry("GCS02", SUPPLIER, cmd, replay=True, dated=True),
        entry("GCS03", SUPPLIER, cmd, replay=True, dated=True),
        entry("GCS04", SUPPLIER, cmd, replay=True),
        entry("GCS04R1", SUPPLIER, cmd, replay=True),
        entry("GCS04R2", SUPPLIER, cmd, replay=True),
        entry("GCS04R3", SUPPLIER, cmd, replay=True),
        entry("GCS05", SUPPLIER, tariff, replay=True, dated=True),
        entry("GCS01a", SUPPLIER, tariff, replay=True, dated=True),
        entry("GCS01b", SUPPLIER, tariff, replay=True, dated=True),
        entry("GCS15e", SUPPLIER_ACB, cmd),
        entry("GCS15d", SUPPLIER_ACB, zse.gbz_use_case(_SENSITIVE_PREPAYMENT)),
        entry("GCS32", SUPPLIER, cmd, replay=True),
        entry("GCS39", SUPPLIER, cmd, replay=True),
        entry("CS11", SUPPLIER, cmd),
        entry("CS10a", SUPPLIER_NO_ACB, cmd),
        entry("GCS17", SUPPLIER_NO_ACB, zse.gbz_use_case(_SENSITIVE_METERING)),
        entry("GCS21d", SUPPLIER_ACB, cmd),
        entry("GCS21k", SUPPLIER_ACB, cmd),
        entry("GCS25", SUPPLIER, cmd, replay=True),
        entry("GCS25a", SUPPLIER, cmd, replay=True),
        entry("CS10b", SUPPLIER_NO_ACB, cmd),
        entry("GCS33", SUPPLIER_NO_ACB, zse.gbz_use_case()),
        entry("GCS15b", SUPPLIER_ACB, zse.gbz_use_case(_SENSITIVE_BILLING)),
        entry("GCS15c", SUPPLIER_ACB, zse.gbz_use_case(_SENSITIVE_BILLING)),
        entry("GCS16a", SUPPLIER_ACB, zse.gbz_use_case(_SENSITIVE_METERING)),
        entry("GCS21f", SUPPLIER_ACB, zse.gbz_use_case(read_fc=_READ_FC_NO_DEFAULT)),
        entry("GCS21b", SUPPLIER, cmd),
        entry("GCS18", SUPPLIER_ACB, zse.gbz_use_case(_SENSITIVE_METERING)),
    ]
    return out + read_use_cases() + list(firmware.use_cases()) + list(logs.gsme_use_cases())


def gpf_use_cases():
    sensitive = zse.gbz_use_case(_SENSITIVE_METERING)
    return read_use_cases() + [
        entry("GCS17", SUPPLIER_NO_ACB, sensitive),
        entry("GCS61", SUPPLIER_NO_ACB, sensitive),
    ]
