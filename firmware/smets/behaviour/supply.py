"""Supply state: enabled, disabled, armed, with the SMETS transitions as one table.

Theory of operation (h11 ``_state.py`` style): everything that changes the supply state is an
event in ``TRANSITIONS``; a (state, event) pair not in the table is refused and changes nothing.
The reason for the last disablement is kept, because only a disablement for lack of credit is
undone by credit coming back (arming), and only a load-limit arming is undone by the restoration
period. Conditions that need the account (enough credit) are checked by the meter before it fires
an event. Remote enable exists only on the ESME; a gas valve is closed or armed remotely and
opened locally (``LOCAL_ENABLE`` from armed).
"""

from .errors import BehaviourError
from .timeutil import NEVER

DISABLED = 0  # DLMS Disconnect Control control_state values
ENABLED = 1
ARMED = 2
STATE_NAMES = ("disabled", "enabled", "armed")

# Events.
REMOTE_ENABLE = 0
REMOTE_DISABLE = 1
REMOTE_ARM = 2
LOCAL_ENABLE = 3
CREDIT_DISABLE = 4
CREDIT_ARM = 5
EC_ARM = 6
LOAD_LIMIT_ARM = 7
LOAD_LIMIT_RESTORE = 8

# Why supply is off.
R_NONE = 0
R_REMOTE = 1
R_CREDIT = 2
R_LOAD_LIMIT = 3

# (state, event) -> (new state, reason); arming keeps the reason so later events know the cause.
TRANSITIONS = {
    (ENABLED, REMOTE_ENABLE): (ENABLED, R_NONE),
    (DISABLED, REMOTE_ENABLE): (ENABLED, R_NONE),
    (ARMED, REMOTE_ENABLE): (ENABLED, R_NONE),
    (ENABLED, REMOTE_DISABLE): (DISABLED, R_REMOTE),
    (ARMED, REMOTE_DISABLE): (DISABLED, R_REMOTE),
    (DISABLED, REMOTE_DISABLE): (DISABLED, R_REMOTE),
    (DISABLED, REMOTE_ARM): (ARMED, None),
    (ARMED, REMOTE_ARM): (ARMED, None),
    (ENABLED, REMOTE_ARM): (ENABLED, R_NONE),  # [I] arming an enabled supply is a no-op success
    (ARMED, LOCAL_ENABLE): (ENABLED, R_NONE),
    (ENABLED, LOCAL_ENABLE): (ENABLED, R_NONE),
    (ENABLED, CREDIT_DISABLE): (DISABLED, R_CREDIT),
    (ARMED, CREDIT_DISABLE): (DISABLED, R_CREDIT),
    (DISABLED, CREDIT_ARM): (ARMED, None),
    (DISABLED, EC_ARM): (ARMED, None),
    (ENABLED, LOAD_LIMIT_ARM): (ARMED, R_LOAD_LIMIT),
    (ARMED, LOAD_LIMIT_RESTORE): (ENABLED, R_NONE),
}


class Supply:
    __slots__ = (
        "state",
        "reason",
        "ll_threshold",
        "ll_period",
        "ll_restore",
        "ll_disconnect",
        "ll_over",
        "ll_count",
        "ll_restore_at",
    )

    def __init__(self):
        self.state = ENABLED
        self.reason = R_NONE
        # Load limiting (ECS28a): power threshold in W, time over it before acting, restoration
        # period, whether supply is disabled-then-armed; 0 threshold = off.
        self.ll_threshold = 0
        self.ll_period = 0
        self.ll_restore = 0
        self.ll_disconnect = False
        self.ll_over = 0  # seconds spent over the threshold in the current episode
        self.ll_count = 0  # load limit counter (ECS28b resets it)
        self.ll_restore_at = NEVER

    def fire(self, event):
        """Apply an event; returns True when the table allows it (state may be unchanged)."""
        row = TRANSITIONS.get((self.state, event))
        if row is None:
            return False
        self.state = row[0]
        if row[1] is not None:
            self.reason = row[1]
        return True

    def is_off(self):
        return self.state != ENABLED

    def credit_disabled(self):
        return self.state == DISABLED and self.reason == R_CREDIT

    def configure_load_limit(self, threshold_w, period_s, restore_s, disconnect):
        if threshold_w < 0 or period_s < 0 or restore_s < 0 or type(disconnect) is not bool:
            raise BehaviourError("load limit: bad settings")
        self.ll_threshold = threshold_w
        self.ll_period = period_s
        self.ll_restore = restore_s
        self.ll_disconnect = disconnect
        self.ll_over = 0

    def dump(self, w):
        w.u8(self.state)
        w.u8(self.reason)
        w.i64(self.ll_threshold)
        w.i64(self.ll_period)
        w.i64(self.ll_restore)
        w.bool(self.ll_disconnect)
        w.i64(self.ll_over)
        w.i64(self.ll_count)
        w.u32(self.ll_restore_at)

    def load(self, r):
        self.state = r.u8()
        self.reason = r.u8()
        self.ll_threshold = r.i64()
        self.ll_period = r.i64()
        self.ll_restore = r.i64()
        self.ll_disconnect = r.bool()
        self.ll_over = r.i64()
        self.ll_count = r.i64()
        self.ll_restore_at = r.u32()
