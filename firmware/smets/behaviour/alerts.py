"""Alert routing: critical alerts always go to the WAN and are logged; each non-critical code has a
configurable set of (WAN, HAN, log, audible) flags (ECS25a/b, GCS20). Critical alerts cannot be
configured.

The per-code flags live in one bytearray indexed by the code's position among the non-critical
codes of ``smets.wire.alert_codes``; a meter that never changes them shares no per-meter storage
(``flags`` stays None and the defaults below apply).
"""

from smets.wire import alert_codes as ac

from .errors import BehaviourError

WAN = 1
HAN = 2
LOG = 4
AUDIBLE = 8
ALL = WAN | HAN | LOG | AUDIBLE

DEFAULT_FLAGS = WAN | LOG  # [I] non-critical default: sent to the supplier and logged
# Codes the spec (§2.10) marks as also sent on the HAN.
DEFAULT_HAN_CODES = (
    ac.A_LOW_CREDIT,
    ac.A_EC_AVAILABLE,
    ac.A_EC_EXHAUSTED,
    ac.A_EC_ACTIVATED,
    ac.A_UTRN_MANUAL_ENTRY_SUSPENDED,
)

_NC = None


def _nc_codes():
    global _NC
    if _NC is None:
        _NC = ac.non_critical_codes()
    return _NC


def default_flags(code):
    return DEFAULT_FLAGS | (HAN if code in DEFAULT_HAN_CODES else 0)


class AlertSettings:
    __slots__ = ("flags",)

    def __init__(self):
        self.flags = None

    def route(self, code):
        """The flags for an alert: critical -> WAN | LOG, non-critical -> configured or default."""
        if ac.is_critical(code):
            return WAN | LOG
        nc = _nc_codes()
        if self.flags is not None:
            for i in range(len(nc)):
                if nc[i] == code:
                    return self.flags[i]
        return default_flags(code)

    def configure(self, code, flags):
        if ac.lookup(code) is None or ac.is_critical(code):
            raise BehaviourError("alert 0x%04X cannot be configured" % code)
        if not 0 <= flags <= ALL:
            raise BehaviourError("alert flags out of range")
        nc = _nc_codes()
        if self.flags is None:
            self.flags = bytearray(default_flags(c) for c in nc)
        for i in range(len(nc)):
            if nc[i] == code:
                self.flags[i] = flags

    def dump(self, w):
        w.blob(self.flags if self.flags is not None else b"")

    def load(self, r):
        b = r.blob()
        if b and len(b) != len(_nc_codes()):
            raise BehaviourError("snapshot alert settings do not match the alert table")
        self.flags = bytearray(b) if b else None
