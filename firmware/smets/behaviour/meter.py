"""EsmeBehaviour and GsmeBehaviour: one object per meter composing account, tariff, supply, logs,
alerts, UTRN rules and the firmware store. The use-case layer calls these methods.

Theory of operation. Time only moves when a method is called with ``now`` (UTC seconds since
2000-01-01). Every call first runs, in time order, everything that fell due since the previous call
(``_advance``): each half-hour boundary and each due activation or billing period end is an *instant*
processed in this fixed order [I]:

1. passive items whose activation time has come (payment mode, prepayment configuration, tariff,
   non-disablement calendar, firmware);
2. on a half-hour boundary: the profile data log entry for the half-hour that ended; at midnight UTC
   the daily read, prepayment daily read and daily consumption logs for the day that ended;
3. a billing period end: billing data log snapshot (0x8F0A) and block counter reset;
4. at midnight with the daily option on: block counter reset;
5. charges: at each whole hour the hourly time-debt instalments; at midnight the standing charge
   then the daily time-debt instalments;
6. the load-limit restoration;
7. the credit review: EC available, low credit, disablement or its suspension, arming.

Methods return the alerts raised during the call as a list of (code, time) items, oldest first:
``tick`` and ``consume`` return just that list; commands return ``(result, alerts)``.
Bad input raises ``BehaviourError`` with nothing changed; the use-case layer turns it into the GBCS
failure response.
"""

from smets.wire import alert_codes as ac

from . import account as acct
from . import supply as sp
from .account import Account
from .alerts import LOG, AlertSettings
from .billing import BillingCalendar
from .debt import DAILY, HOURLY, PDR, TDR1, TDR2
from .errors import BehaviourError
from .firmware_store import ACTIVATED, FirmwareStore
from .logs import SMETS_LOG_SIZES, EventLog, RecordLog, SeriesLog
from .nondisablement import EsmeSchedule, GsmeCalendar, dump_any, load_any
from .settings import DEFAULT
from .supply import Supply
from .tariff import Tariff
from .timeutil import DAY, HALF_HOUR, HOUR, NEVER, next_boundary
from .topup import REMOTE, UtrnGate

# Emergency credit sources (all follow the same rule; kept for the record and the use cases).
EC_BUTTON = 0
EC_PPMID = 1
EC_REMOTE = 2

# Results of the SECMP0002 reset.
RESET_SUCCESS = 0
RESET_NOT_SUPPORTED = 1

# What a future-dated activation was (items of take_activations()).
ACT_PAYMENT_MODE = 1
ACT_PREPAYMENT_CONFIG = 2
ACT_TARIFF = 3
ACT_NON_DISABLEMENT = 4
ACT_FIRMWARE = 5
_MAX_ACTIVATIONS = 8

KIND_ESME = 1
KIND_GSME = 2

# Why a billing data log snapshot was taken (first value of its row).
SNAP_BILLING_PERIOD = 1
SNAP_TARIFF = 2
SNAP_PAYMENT_MODE = 3


class _Meter:
    __slots__ = (
        "is_esme",
        "settings",
        "sizes",
        "now",
        "account",
        "tariff",
        "billing",
        "supply",
        "nd",
        "nd_pending",
        "nd_at",
        "alert_settings",
        "firmware",
        "utrn",
        "event_log",
        "security_log",
        "daily_read",
        "prepay_daily_read",
        "profile",
        "billing_snapshots",
        "billing_credits",
        "billing_debt_payments",
        "daily_consumption",
        "hh_wh",
        "day_wh",
        "next_hh",
        "last_consume",
        "low_flag",
        "ec_avail_flag",
        "nd_flag",
        "debt_reset_supported",
        "activations",
        "_out",
    )

    def __init__(
        self,
        is_esme,
        now,
        log_sizes=None,
        settings=None,
        firmware_version=0,
        manufacturer=None,
        image_type=None,
        debt_reset_supported=True,
    ):
        sizes = log_sizes or SMETS_LOG_SIZES
        self.is_esme = is_esme
        self.settings = settings or DEFAULT
        self.sizes = sizes
        self.now = now
        self.account = Account(is_esme)
        self.tariff = Tariff(is_esme)
        self.billing = BillingCalendar()
        self.supply = Supply()
        self.nd = None
        self.nd_pending = None
        self.nd_at = NEVER
        self.alert_settings = AlertSettings()
        self.firmware = FirmwareStore(firmware_version, manufacturer, image_type)
        self.utrn = UtrnGate(self.settings.utrn_cache_size)
        self.event_log = EventLog(sizes.event)
        self.security_log = EventLog(sizes.security, clearable=False)
        width = self._register_width()
        self.daily_read = RecordLog(sizes.daily_read, width, "I")
        self.prepay_daily_read = RecordLog(sizes.prepay_daily_read, 6)
        self.profile = SeriesLog(sizes.profile, HALF_HOUR)
        # a row: cause (SNAP_*), the registers (as the daily read), the prepayment registers
        self.billing_snapshots = RecordLog(sizes.billing_snapshots, 1 + width + 6)
        self.billing_credits = RecordLog(sizes.billing_credits, 1)
        self.billing_debt_payments = RecordLog(sizes.billing_debt_payments, 1)
        self.daily_consumption = SeriesLog(sizes.daily_consumption, DAY)
        self.hh_wh = 0
        self.day_wh = 0
        self.next_hh = next_boundary(now, HALF_HOUR)
        self.last_consume = now
        self.low_flag = False
        self.ec_avail_flag = False
        self.nd_flag = False
        self.debt_reset_supported = debt_reset_supported
        self.activations = []
        self._out = []

    def _register_width(self):
        t = self.tariff
        return 1 + len(t.tou) + len(t.blocks)

    # -- alerts and time -------------------------------------------------------------------------
    def _emit(self, code, t):
        self._out.append((code, t))
        if self.alert_settings.route(code) & LOG:
            self.event_log.add(t, code)

    def _begin(self, now):
        self._out = []
        self._advance(now)
        return self._out

    def _advance(self, now):
        if now < self.now:
            return  # [I] a clock moved back re-runs nothing
        while True:
            t = self.next_hh
            for at in (
                self.account.pending_mode_at,
                self.account.pending_config.at,
                self.tariff.passive_at,
                self.nd_at,
                self.firmware.activate_at,
                self.billing.next_end,
                self.supply.ll_restore_at,
            ):
                if at < t:
                    t = at
            if t < self.now:
                t = self.now  # an activation time already past when it was set runs at once
            if t > now:
                break
            self._instant(t)
        self.now = now

    def _instant(self, t):
        self._activations(t)
        boundary = t == self.next_hh
        if boundary:
            self.profile.add(t - HALF_HOUR, self.hh_wh)
            self.hh_wh = 0
            self.next_hh = t + HALF_HOUR
            if t % DAY == 0:
                self._close_day(t)
        while self.billing.next_end <= t:
            self._billing_snapshot(t, SNAP_BILLING_PERIOD)
            self.tariff.reset_counters()
            self.billing.advance()
        if boundary:
            if t % DAY == 0 and self.tariff.daily_block_reset:
                self.tariff.reset_counters()
            self._charges(t)
        if self.supply.ll_restore_at <= t:
            self.supply.ll_restore_at = NEVER
            if self.supply.fire(sp.LOAD_LIMIT_RESTORE):
                self._emit(ac.A_LOAD_LIMIT_RESTORED, t)
        self._review(t)

    def _note_activation(self, what, t):
        self.activations.append((what, t))
        if len(self.activations) > _MAX_ACTIVATIONS:
            self.activations.pop(0)

    def _activations(self, t):
        a = self.account
        if a.mode_due(t):
            for action in a.activate_mode():
                if action == acct.SNAPSHOT:
                    self._billing_snapshot(t, SNAP_PAYMENT_MODE)
                elif action == acct.ARM_IF_CREDIT_DISABLED and self.supply.credit_disabled():
                    self.supply.fire(sp.CREDIT_ARM)
                    self._emit(ac.A_SUPPLY_ARMED, t)
            self._note_activation(ACT_PAYMENT_MODE, t)
        if a.pending_config.due(t):
            a.apply_config(a.pending_config.take())
            self._note_activation(ACT_PREPAYMENT_CONFIG, t)
        if self.tariff.due(t):
            self.tariff.activate()
            self._billing_snapshot(t, SNAP_TARIFF)
            self._note_activation(ACT_TARIFF, t)
        if self.nd_at != NEVER and self.nd_at <= t:
            self.nd = self.nd_pending
            self.nd_pending = None
            self.nd_at = NEVER
            self._note_activation(ACT_NON_DISABLEMENT, t)
        if self.firmware.due(t):
            self.firmware.activate(t, self._emit)
            self._note_activation(ACT_FIRMWARE, t)

    def _registers_row(self):
        t = self.tariff
        return [t.total & 0xFFFFFFFF] + list(t.tou) + list(t.blocks)

    def _billing_snapshot(self, t, cause):
        self.billing_snapshots.add(t, [cause] + self._registers_row() + list(self.prepayment_registers()))
        self._emit(ac.A_BILLING_DATA_LOG_UPDATED, t)

    def _close_day(self, t):
        a = self.account
        d = a.debt.regs
        self.daily_read.add(t, self._registers_row())
        self.prepay_daily_read.add(t, (a.balance, a.ec.balance(), a.accumulated, d[PDR], d[TDR1], d[TDR2]))
        self.daily_consumption.add(t - DAY, self.day_wh)
        self.day_wh = 0

    def _charges(self, t):
        a = self.account
        off = self.supply.is_off()
        recover = a.prepayment() or self.settings.recover_debt_in_credit_mode
        hour = t % HOUR == 0
        day = t % DAY == 0
        if day:
            a.charge(acct.C_STANDING, self.tariff.standing_charge(), t, off, self._emit)
        if recover:
            for which in (TDR1, TDR2):
                p = a.debt.period[which]
                if (p == HOURLY and hour) or (p == DAILY and day):
                    a.collect_time_debt(which, t, off, self._emit)

    def _review(self, t):
        """Credit-driven alerts and supply changes after anything that moved money or time."""
        a = self.account
        s = self.supply
        if not a.prepayment():
            self.low_flag = False
            self.ec_avail_flag = False
            self.nd_flag = False
            return
        avail = a.ec.may_activate(a.balance)
        if avail and not self.ec_avail_flag:
            self._emit(ac.A_EC_AVAILABLE, t)
        self.ec_avail_flag = avail
        combined = a.combined_credit()
        low = combined < a.thr.low_credit
        if low and not self.low_flag:
            self._emit(ac.A_LOW_CREDIT, t)
        self.low_flag = low
        if combined < a.thr.disablement:
            if s.state != sp.DISABLED:
                if self.nd is not None and self.nd.is_active(t):
                    if not self.nd_flag:
                        self._emit(ac.A_DISABLEMENT_SUSPENDED, t)
                    self.nd_flag = True
                else:
                    s.fire(sp.CREDIT_DISABLE)
                    self.nd_flag = False
                    self._emit(ac.A_BELOW_DISABLEMENT_THRESHOLD, t)
        else:
            self.nd_flag = False
            if s.credit_disabled():
                s.fire(sp.CREDIT_ARM)
                self._emit(ac.A_SUPPLY_ARMED, t)

    def _credit_ok(self):
        a = self.account
        return (not a.prepayment()) or a.combined_credit() >= a.thr.disablement

    # -- time and consumption --------------------------------------------------------------------
    def tick(self, now):
        """Run everything due up to ``now``; returns the alerts raised."""
        return self._begin(now)

    def consume(self, now, energy_wh, secondary_wh=0):
        """Energy used at ``now`` (priced at the rate in force at ``now``, logged in its half-hour)."""
        if energy_wh < 0 or secondary_wh < 0:
            raise BehaviourError("consumption cannot be negative")
        out = self._begin(now)
        s = self.supply
        if s.is_off() and self.settings.drop_consumption_when_off:
            energy_wh = 0
            secondary_wh = 0
        if self.is_esme and s.ll_threshold:
            self._load_limit(now, energy_wh)
        self.last_consume = now
        a = self.account
        off = s.is_off()
        cost = self.tariff.charge(now, energy_wh)
        a.charge(acct.C_CONSUMPTION, cost, now, off, self._emit)
        if secondary_wh:
            cost2 = self.tariff.charge_secondary(now, secondary_wh)
            a.charge(acct.C_SECONDARY, cost2, now, off, self._emit)
        self.hh_wh += energy_wh
        self.day_wh += energy_wh
        self._review(now)
        return out

    def _load_limit(self, now, wh):
        s = self.supply
        dt = now - self.last_consume
        if dt <= 0:
            return
        if wh * 3600 > s.ll_threshold * dt:
            if s.ll_over == 0:
                s.ll_count += 1
                self._emit(ac.A_LOAD_LIMIT_EXCEEDED, now)
            s.ll_over += dt
            if s.ll_disconnect and s.ll_over >= s.ll_period and s.fire(sp.LOAD_LIMIT_ARM):
                self._emit(ac.A_LOAD_LIMIT_DISABLED_THEN_ARMED, now)
                s.ll_restore_at = now + s.ll_restore
                s.ll_over = 0
        else:
            s.ll_over = 0

    # -- account commands ------------------------------------------------------------------------
    def set_payment_mode(
        self, mode, suspend_debt_disabled, suspend_debt_emergency, disablement, activation, now
    ):
        """ECS02/ECS03, GCS02/GCS03: passive payment mode with its activation time."""
        out = self._begin(now)
        self.account.set_pending_mode(
            mode, suspend_debt_disabled, suspend_debt_emergency, disablement, activation
        )
        self._advance(now)
        return True, out

    def set_prepayment_config(
        self,
        low_credit,
        ec_limit,
        ec_threshold,
        max_credit,
        max_meter_balance,
        cap,
        cap_period,
        activation,
        now,
    ):
        """ECS08a / GCS05. ``cap`` is whole currency units on the ESME and money units on the GSME."""
        out = self._begin(now)
        values = (low_credit, ec_limit, ec_threshold, max_credit, max_meter_balance, cap, cap_period)
        self.account.pending_config.set(values, activation)
        self._advance(now)
        return True, out

    def adjust_balance(self, delta, now):
        """ECS04a / GCS40a / GCS40c."""
        out = self._begin(now)
        self.account.adjust_balance(delta)
        self._review(now)
        return True, out

    def reset_balance(self, now):
        """ECS04b / GCS40b / GCS40d."""
        out = self._begin(now)
        self.account.reset_balance()
        self._review(now)
        return True, out

    def activate_emergency_credit(self, source, now):
        """Meter button, PPMID or ECS09/GCS06: success when EC is active afterwards."""
        out = self._begin(now)
        a = self.account
        if a.prepayment() and not a.ec.active and a.ec.may_activate(a.balance):
            a.ec.active = True
            self._emit(ac.A_EC_ACTIVATED, now)
            if self.supply.credit_disabled() and a.combined_credit() >= a.thr.disablement:
                self.supply.fire(sp.EC_ARM)
                self._emit(ac.A_SUPPLY_DISABLED_THEN_ARMED_EC, now)
            self._review(now)
        return a.prepayment() and a.ec.active, out

    def set_debt_recovery(self, percent, time_recovery, now):
        """ECS07 / GCS04 settings: payment-based percent (0..10000) and ((rate, scale, period), x2)."""
        out = self._begin(now)
        d = self.account.debt
        for which in (TDR1, TDR2):
            rate, scale, period = time_recovery[which]
            d.set_time_recovery(which, rate, scale if self.is_esme else -5, period)
        d.set_payment_recovery(percent, d.cap, d.cap_period)
        return True, out

    def adjust_debt(self, which, delta, now):
        """ECS07 / GCS04 adjustment of one register by a signed delta."""
        out = self._begin(now)
        self.account.debt.adjust(which, delta)
        return True, out

    def reset_debt_register(self, which, now, amount=0):
        """SECMP0002: set one debt register to zero, in credit or prepayment mode.

        Returns (RESET_SUCCESS or RESET_NOT_SUPPORTED, alerts); success means the register is zero
        afterwards. ``amount`` is the GSME Change Debt amount, which must be 0 for a reset.
        """
        out = self._begin(now)
        if not self.debt_reset_supported:
            return RESET_NOT_SUPPORTED, out
        if amount != 0:
            raise BehaviourError("debt register reset: the amount must be zero")
        ok = self.account.debt.reset(which)
        return (RESET_SUCCESS if ok else RESET_NOT_SUPPORTED), out

    def apply_top_up(self, topup, source, now):
        """A decoded UTRN (``topup.TopUp``) from the WAN, the keypad or a PPMID.

        Returns (0 when credited, else the alert code of the refusal; alerts).
        """
        out = self._begin(now)
        st = self.settings
        code = self.utrn.check(topup, source, now)
        if code == ac.A_UTRN_LOCKED_OUT:
            self._emit(code, now)
            return code, out
        if code == 0:
            code = self._credit(topup.amount(), now)
        if code:
            self._emit(code, now)
            if self.utrn.failed(source, now, st.utrn_lockout_attempts, st.utrn_lockout_seconds):
                self._emit(ac.A_UTRN_MANUAL_ENTRY_SUSPENDED, now)
            return code, out
        self.utrn.accepted(topup, source)
        if source != REMOTE:
            self._emit(ac.A_CREDIT_ADDED_LOCALLY, now)
        self._review(now)
        return 0, out

    def _credit(self, amount, now):
        a = self.account
        if amount > a.thr.max_credit:
            return ac.A_UTRN_EXCEEDS_MAX_CREDIT
        cw = self.settings.cap_window
        if a.prepayment():
            plan = a.plan_credit(amount, now, cw)
            new_balance = a.balance + (plan[3] if self.settings.max_balance_after_allocation else amount)
            if new_balance > a.thr.max_meter_balance:
                return ac.A_MAX_METER_BALANCE
            a.apply_credit(plan, now, cw, self._emit)
            if plan[0]:
                self.billing_debt_payments.add(now, (plan[0],))
        else:
            a.adjust_balance(amount)
        self.billing_credits.add(now, (amount,))
        return 0

    def set_utrn_floor(self, counter, now):
        out = self._begin(now)
        self.utrn.set_floor(counter)
        return True, out

    # -- tariff, calendars ------------------------------------------------------------------------
    def set_tariff(self, config, activation, now):
        """ECS01a/b/c/d, GCS01a/b: passive tariff and activation time (NOW, a date-time or NEVER)."""
        out = self._begin(now)
        self.tariff.set_passive(config, activation)
        self._advance(now)
        return True, out

    def set_non_disablement(self, calendar, activation, now):
        """ESME: an ``EsmeSchedule``; GSME: a ``GsmeCalendar``; None removes it."""
        out = self._begin(now)
        want = EsmeSchedule if self.is_esme else GsmeCalendar
        if calendar is not None and not isinstance(calendar, want):
            raise BehaviourError("non-disablement calendar of the wrong meter kind")
        self.nd_pending = calendar
        self.nd_at = activation
        self._advance(now)
        return True, out

    def set_billing_calendar(self, start, period, now):
        out = self._begin(now)
        self.billing.configure(start, period, now)
        return True, out

    def reset_block_counters(self, now):
        """ECS05."""
        out = self._begin(now)
        self.tariff.reset_counters()
        return True, out

    def set_daily_block_reset(self, on, now):
        """ECS48."""
        out = self._begin(now)
        self.tariff.daily_block_reset = bool(on)
        return True, out

    # -- supply ---------------------------------------------------------------------------------
    def remote_enable(self, now):
        """ECS42 (ESME only)."""
        out = self._begin(now)
        if not self.is_esme:
            return False, out
        if self.settings.remote_enable_needs_credit and not self._credit_ok():
            return False, out
        return self.supply.fire(sp.REMOTE_ENABLE), out

    def remote_disable(self, now):
        """ECS43 / GCS32."""
        out = self._begin(now)
        return self.supply.fire(sp.REMOTE_DISABLE), out

    def remote_arm(self, now):
        """ECS44 / GCS39."""
        out = self._begin(now)
        return self.supply.fire(sp.REMOTE_ARM), out

    def local_enable(self, now):
        """The consumer presses the button (or opens the valve) on an armed supply."""
        out = self._begin(now)
        if not self._credit_ok():
            return False, out
        return self.supply.fire(sp.LOCAL_ENABLE), out

    def configure_load_limit(self, threshold_w, period_s, restore_s, disconnect, now):
        """ECS28a (ESME)."""
        out = self._begin(now)
        if not self.is_esme:
            raise BehaviourError("load limiting is an ESME function")
        self.supply.configure_load_limit(threshold_w, period_s, restore_s, disconnect)
        return True, out

    def reset_load_limit_counter(self, now):
        """ECS28b."""
        out = self._begin(now)
        self.supply.ll_count = 0
        return True, out

    # -- logs, alerts, firmware ---------------------------------------------------------------------
    def configure_alert(self, code, flags, now):
        out = self._begin(now)
        self.alert_settings.configure(code, flags)
        return True, out

    def clear_event_log(self, now):
        out = self._begin(now)
        self.event_log.clear()
        self._emit(ac.A_EVENT_LOG_CLEARED, now)
        return True, out

    def receive_firmware(self, image, now, verify_signature=None):
        """Returns ((0x8F72 or 0x8F1C, calculated hash), alerts); the outcome is also raised."""
        out = self._begin(now)
        code, digest = self.firmware.receive(
            image, self.settings.firmware_hash_skips_ota_header, verify_signature
        )
        self._emit(code, now)
        return (code, digest), out

    def activate_firmware(self, image_hash, at, now):
        """CS06: returns (ACTIVATED / SCHEDULED / NO_IMAGE / HASH_MISMATCH, alerts)."""
        out = self._begin(now)
        result = self.firmware.request_activation(image_hash, at, now)
        if result == ACTIVATED:
            self.firmware.activate(now, self._emit)
        return result, out

    def firmware_version(self):
        return self.firmware.running_version

    def take_activations(self):
        """The (ACT_*, time) items activated since the last call, for future-dated command alerts."""
        a = self.activations
        self.activations = []
        return a

    # -- reads ---------------------------------------------------------------------------------
    def prepayment_registers(self):
        """ECS19 order: meter balance, EC balance, accumulated debt, payment debt, TDR1, TDR2."""
        a = self.account
        d = a.debt.regs
        return (a.balance, a.ec.balance(), a.accumulated, d[PDR], d[TDR1], d[TDR2])

    # -- snapshot --------------------------------------------------------------------------------
    def snapshot(self):
        """All state as bytes: format version, meter kind, then each part in a fixed order."""
        from .snapshot import FORMAT_VERSION, Writer  # not on a board that never snapshots

        w = Writer()
        w.u8(FORMAT_VERSION)
        w.u8(KIND_ESME if self.is_esme else KIND_GSME)
        w.i64(self.now)
        self.account.dump(w)
        self.tariff.dump(w)
        self.billing.dump(w)
        self.supply.dump(w)
        dump_any(w, self.nd)
        dump_any(w, self.nd_pending)
        w.u32(self.nd_at)
        self.alert_settings.dump(w)
        self.firmware.dump(w)
        self.utrn.dump(w)
        for log in self._logs():
            log.dump(w)
        w.i64(self.hh_wh)
        w.i64(self.day_wh)
        w.i64(self.next_hh)
        w.i64(self.last_consume)
        w.bool(self.low_flag)
        w.bool(self.ec_avail_flag)
        w.bool(self.nd_flag)
        w.bool(self.debt_reset_supported)
        w.u8(len(self.activations))
        for what, t in self.activations:
            w.u8(what)
            w.i64(t)
        return w.getvalue()

    def restore(self, data):
        """Load a snapshot taken from a meter of the same kind and log sizes."""
        from .snapshot import FORMAT_VERSION, Reader

        r = Reader(data)
        if r.u8() != FORMAT_VERSION:
            raise BehaviourError("snapshot format version not supported")
        if r.u8() != (KIND_ESME if self.is_esme else KIND_GSME):
            raise BehaviourError("snapshot is of another meter kind")
        self.now = r.i64()
        self.account.load(r)
        self.tariff.load(r)
        self.billing.load(r)
        self.supply.load(r)
        self.nd = load_any(r)
        self.nd_pending = load_any(r)
        self.nd_at = r.u32()
        self.alert_settings.load(r)
        self.firmware.load(r)
        self.utrn.load(r)
        for log in self._logs():
            log.load(r)
        self.hh_wh = r.i64()
        self.day_wh = r.i64()
        self.next_hh = r.i64()
        self.last_consume = r.i64()
        self.low_flag = r.bool()
        self.ec_avail_flag = r.bool()
        self.nd_flag = r.bool()
        self.debt_reset_supported = r.bool()
        self.activations = [(r.u8(), r.i64()) for _ in range(r.u8())]
        r.end()

    def _logs(self):
        return (
            self.event_log,
            self.security_log,
            self.daily_read,
            self.prepay_daily_read,
            self.profile,
            self.billing_snapshots,
            self.billing_credits,
            self.billing_debt_payments,
            self.daily_consumption,
        )


class EsmeBehaviour(_Meter):
    __slots__ = ()

    def __init__(
        self, now, log_sizes=None, settings=None, firmware_version=0, manufacturer=None, image_type=None
    ):
        super().__init__(True, now, log_sizes, settings, firmware_version, manufacturer, image_type)


class GsmeBehaviour(_Meter):
    __slots__ = ()

    def __init__(
        self, now, log_sizes=None, settings=None, firmware_version=0, manufacturer=None, image_type=None
    ):
        super().__init__(False, now, log_sizes, settings, firmware_version, manufacturer, image_type)


def from_snapshot(data, log_sizes=None, settings=None):
    """A new meter of the snapshot's kind with its state (log sizes must match the snapshot's)."""
    if len(data) < 2:
        raise BehaviourError("snapshot too short")
    cls = EsmeBehaviour if data[1] == KIND_ESME else GsmeBehaviour
    m = cls(0, log_sizes, settings)
    m.restore(data)
    return m
