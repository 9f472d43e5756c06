"""The gas smart meter (GSME): GBZ/ZSE use cases over smets.behaviour.meter.GsmeBehaviour, and the
base every GBZ device (GSME, GPF) shares: GBZ alerts (alert code and ZigBee UTC time in the GBZ
header) and the FDEIA-GBZ future-dated alert (message code 0x00CD).

The GSME is a sleepy device: in a premises its commands wait at the CHF until it wakes
(smets.premises); on its own it answers whatever it is handed.
"""

from smets.behaviour import meter as bm
from smets.behaviour import topup as tu
from smets.behaviour.alerts import WAN
from smets.behaviour.meter import GsmeBehaviour
from smets.devices import trust as tr
from smets.devices.device import Device
from smets.security import utrn as ut
from smets.usecases import gas, registry, zse
from smets.wire import gbz
from smets.wire.errors import DecodeError

MC_FDEIA_GBZ = 0x00CD


class GbzDevice(Device):
    future_message_code = MC_FDEIA_GBZ
    urp_counter = False

    def __init__(
        self, eui, provider, ds_private, ka, trust, usecases, zmodel, alert_counter=1, ds_public=None
    ):
        super().__init__(eui, provider, ds_private, ka, trust, usecases, alert_counter, ds_public)
        self.zmodel = zmodel
        self.zstore = zse.Store()
        self.data_stamp = None  # (time, DLMS clock status) of the data dated reads return

    def alert_payload(self, code, t, counter, extra):
        body = None
        count = 0
        if extra:
            v = extra[0]
            if isinstance(v, gbz.FutureDatedAlert):
                body, count = v, 1
            else:
                body = bytes(v)
        return gbz.build_payload(gbz.Gbz([], code, t & 0xFFFFFFFF, body, count))

    def future_extra(self, item):
        return [
            gbz.FutureDatedAlert(item.message_code, item.counter, item.class_id, item.instance[0], item.attr)
        ]

    # attribute access for the host (priming, mirroring, tests)
    def read(self, cluster, attr_id):
        return zse.read(self, cluster, attr_id)

    def load(self, cluster, attr_id, type_id, value):
        zse.load(self, cluster, attr_id, type_id, value)

    def load_response(self, cluster, command_id, cmd):
        return zse.load_response(self, cluster, command_id, cmd)


_USECASES = None


def gsme_usecases():
    global _USECASES
    if _USECASES is None:
        _USECASES = registry.table(gas.gsme_use_cases())
    return _USECASES


class Gsme(GbzDevice):
    device_type = 1
    name = "GSME"

    def __init__(
        self,
        eui,
        provider,
        ds_private,
        ka,
        trust,
        now=0,
        meter=None,
        alert_counter=1,
        ds_public=None,
        log_sizes=None,
        settings=None,
    ):
        super().__init__(
            eui, provider, ds_private, ka, trust, gsme_usecases(), gas.gsme_model(), alert_counter, ds_public
        )
        self.meter = meter if meter is not None else GsmeBehaviour(now, log_sizes, settings)
        self.now = now
        self.last_top_up = 0
        self.friendly_credit = (1, 0)  # (non-disablement calendar in force, its calendar ID) [I]
        self.top_up_log = []  # (UTRN digits, amount, time), oldest first, the last 5
        self.debt_log = None  # loaded debt payments (time, amount, ZSE type, outstanding), or None
        self.billing_period = None  # the Publish Billing Period fields last set (GCS25/25a)

    def advance(self, now):
        self.now = now
        self.behaviour_call((None, self.meter.tick(now)))

    def wants_alert(self, code):
        return bool(self.meter.alert_settings.route(code) & WAN)

    def top_up(self, digits, frame, now):
        """CS01b: as the ESME's CS01a (GBCS §14 checks, then the behaviour's UTRN rules)."""
        self.last_top_up = 0
        try:
            u = ut.decode_utrn(digits)
        except DecodeError:
            return self.behaviour_call(
                self.meter.apply_top_up(tu.TopUp(frame.counter, 0, 3, False, True), tu.REMOTE, now)
            )
        authentic = False
        pp = self.trust.public(tr.ROLE_SUPPLIER, tr.USAGE_KA, tr.CELL_PREPAYMENT_TOP_UP)
        if pp is not None:
            key = ut.utrn_key(self.provider, self.ka, pp, frame.originator, self.eui, frame.counter)
            authentic = ut.verify_utrn(self.provider, u, key, frame.originator, self.eui, frame.counter)
        topup = tu.TopUp(frame.counter, u.value, u.value_class, authentic, True)
        code = self.behaviour_call(self.meter.apply_top_up(topup, tu.REMOTE, now))
        if code == 0:
            self.last_top_up = topup.amount()
            gas.remember_top_up(self, u.digits.encode(), self.last_top_up, now)
        return code

    def _stimulus(self, now, call):
        t = self.clock(now)
        self.now = t
        out = []
        try:
            self._due(t, out)
            self.behaviour_call(call(t))
        except Exception as exc:
            self.last_error = exc
        self._flush(out, t)
        return out

    def consume(self, now, wh):
        return self._stimulus(now, lambda t: (None, self.meter.consume(t, wh)))

    def press_ec_button(self, now):
        return self._stimulus(now, lambda t: self.meter.activate_emergency_credit(bm.EC_BUTTON, t))

    def press_supply_button(self, now):
        return self._stimulus(now, lambda t: self.meter.local_enable(t))

    def drift(self, seconds):
        self.clock_offset += seconds
