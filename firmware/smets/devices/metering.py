"""What a meter adds to a device, the same on the ESME and the GSME: time passing through its
behaviour, alert routing, UTRN top-ups (GBCS §14 checks, then the behaviour's UTRN rules), and the
physical stimuli (consumption, the EC and supply buttons).

A mixin: it has no __init__ and calls no super(), so it behaves the same on MicroPython, where
super() with several bases reaches only one. The class using it provides `meter` (an
EsmeBehaviour or GsmeBehaviour) and everything `Device` has.
"""

from smets.behaviour import meter as bm
from smets.behaviour import topup as tu
from smets.behaviour.alerts import WAN
from smets.devices import trust as tr
from smets.security import utrn as ut
from smets.wire.errors import DecodeError

_UNKNOWN_VALUE_CLASS = 3  # a UTRN that does not decode is refused as a top-up of no known value


class MeterDevice:
    def advance(self, now):
        self.now = now
        self.behaviour_call((None, self.meter.tick(now)))

    def wants_alert(self, code):
        return bool(self.meter.alert_settings.route(code) & WAN)

    def apply_utrn(self, digits, frame, now):
        """Decode the UTRN, check its GMAC (the supplier's prepayment KA key against this device's
        KA key, over the command's full counter), then apply the behaviour's UTRN rules.
        Returns (0 when credited else the refusal's alert code, the TopUp, the Utrn or None)."""
        try:
            u = ut.decode_utrn(digits)
        except DecodeError:
            topup = tu.TopUp(frame.counter, 0, _UNKNOWN_VALUE_CLASS, False, True)
            return self.behaviour_call(self.meter.apply_top_up(topup, tu.REMOTE, now)), topup, None
        authentic = False
        pp = self.trust.public(tr.ROLE_SUPPLIER, tr.USAGE_KA, tr.CELL_PREPAYMENT_TOP_UP)
        if pp is not None:
            key = ut.utrn_key(self.provider, self.ka, pp, frame.originator, self.eui, frame.counter)
            authentic = ut.verify_utrn(self.provider, u, key, frame.originator, self.eui, frame.counter)
        topup = tu.TopUp(frame.counter, u.value, u.value_class, authentic, True)
        return self.behaviour_call(self.meter.apply_top_up(topup, tu.REMOTE, now)), topup, u

    # -- stimuli ---------------------------------------------------------------------------------
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
