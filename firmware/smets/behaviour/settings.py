"""Every [I]-inferred rule that is a number or a switch, in one object (documented in docs/behaviour.md).

A Settings object is emulator configuration, not device state: it is not in the snapshot, and many
meters share one instance (``DEFAULT``), so treat it as read-only once meters use it.
"""

from smets.compat import const

from .timeutil import HOUR

# Where the payment-based debt recovery cap window starts (docs/behaviour.md, "Debt recovery cap").
CAP_WINDOW_FROM_FIRST_RECOVERY = const(0)
CAP_WINDOW_ALIGNED = const(1)


class Settings:
    __slots__ = (
        "utrn_cache_size",
        "utrn_lockout_attempts",
        "utrn_lockout_seconds",
        "cap_window",
        "max_balance_after_allocation",
        "recover_debt_in_credit_mode",
        "drop_consumption_when_off",
        "remote_enable_needs_credit",
        "firmware_hash_skips_ota_header",
    )

    def __init__(self):
        self.utrn_cache_size = 100  # UTRN counter cache entries (GBCS 14.3.6 as cited, secondary)
        self.utrn_lockout_attempts = 5  # consecutive invalid local UTRNs before manual entry is suspended
        self.utrn_lockout_seconds = HOUR  # how long manual entry stays suspended
        self.cap_window = CAP_WINDOW_FROM_FIRST_RECOVERY
        self.max_balance_after_allocation = True  # 0x8F47 test on the balance after debt allocation
        self.recover_debt_in_credit_mode = False  # SECMP0002: recovery only matters in prepayment
        self.drop_consumption_when_off = True  # no energy flows while supply is disabled or armed
        self.remote_enable_needs_credit = True  # remote enable refused in prepayment below disablement
        self.firmware_hash_skips_ota_header = True  # manufacturer image = bytes after the OTA header


DEFAULT = Settings()
