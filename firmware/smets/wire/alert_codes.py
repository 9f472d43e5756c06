"""The one table of GBCS alert (event) codes: code, name, critical or not.

Sources: the names are those used by the RTDS 4.5.0 decode (`../shared/rtds/decoded/*.txt`) and the
gbcs-parser alert table quoted in the spec (§2.10); the class follows the GBCS code ranges (0x8Fxx
critical, 0x81xx non-critical and supplier-configurable, 0x80xx non-critical, mostly Network
Operator alerts). Codes that appear in RTDS without a name carry "(name not in sources)".

Rows are sorted by code so lookups are a binary search over the tuple: no dict is built, which keeps
the table out of RAM on a board (it lives in the frozen bytecode). The behaviour layer refers to the
codes by the ``A_*`` names below; the wire layer uses ``name`` / ``is_critical`` for display.
"""

from smets.compat import const

# Names the behaviour layer uses (one name per code, the value is the code itself).
A_GPF_DEVICE_LOG_CHANGED = const(0x8071)
A_LOW_CREDIT = const(0x810D)
A_CREDIT_ADDED_LOCALLY = const(0x810E)
A_EC_AVAILABLE = const(0x8119)
A_SUPPLY_DISABLED_THEN_ARMED_EC = const(0x8168)
A_TDR1_COLLECTION_COMPLETE = const(0x81A7)
A_TDR2_COLLECTION_COMPLETE = const(0x81A8)
A_PDR_COLLECTION_COMPLETE = const(0x81A9)
A_EC_EXHAUSTED = const(0x81AA)
A_EC_ACTIVATED = const(0x81AB)
A_UTRN_MANUAL_ENTRY_SUSPENDED = const(0x81C4)
A_UTRN_LOCKED_OUT = const(0x81C5)
A_LOAD_LIMIT_EXCEEDED = const(0x8F01)
A_BILLING_DATA_LOG_UPDATED = const(0x8F0A)
A_BELOW_DISABLEMENT_THRESHOLD = const(0x8F0F)
A_FIRMWARE_VERIFICATION_FAILED = const(0x8F1C)
A_SUPPLY_ARMED = const(0x8F32)
A_LOAD_LIMIT_DISABLED_THEN_ARMED = const(0x8F33)
A_LOAD_LIMIT_RESTORED = const(0x8F34)
A_FIRMWARE_VERSION_CHANGED = const(0x8F43)
A_MAX_METER_BALANCE = const(0x8F47)
A_DUPLICATE_UTRN = const(0x8F51)
A_EVENT_LOG_CLEARED = const(0x8F52)
A_UTRN_EXCEEDS_MAX_CREDIT = const(0x8F5B)
A_UTRN_NOT_AUTHENTIC = const(0x8F63)
A_UTRN_NOT_FOR_DEVICE = const(0x8F64)
A_FUTURE_DATED_OK = const(0x8F66)
A_FUTURE_DATED_FAILED = const(0x8F67)
A_FIRMWARE_VERIFICATION_OK = const(0x8F72)
A_DISABLEMENT_SUSPENDED = const(0x8F83)

_C = True  # critical
_N = False  # non-critical

# (code, name, critical), sorted by code.
ALERT_CODES = (
    (0x8071, "GPF Device Log Changed", _N),
    (0x810D, "Low Credit", _N),
    (0x810E, "Credit Added Locally", _N),
    (0x8119, "Emergency Credit Has Become Available", _N),
    (0x811A, "Failure to Maintain Auxiliary Load Control State", _N),
    (0x8145, "Clock Adjusted (within tolerance)", _N),
    (0x8154, "Immediate HAN Interface Command Received and Successfully Actioned", _N),
    (0x8155, "Immediate HAN Interface Command Received but not Successfully Actioned", _N),
    (0x8161, "Event 0x8161 (name not in sources)", _N),
    (0x8162, "Event 0x8162 (name not in sources)", _N),
    (0x8168, "Supply Disabled then Armed - Activate Emergency Credit Triggered", _N),
    (0x8183, "Device Joined SMHAN", _N),
    (0x8184, "Event 0x8184 (name not in sources)", _N),
    (0x819D, "GSME Command Not Retrieved", _N),
    (0x819E, "Tap Off Message Response or Alert Failure", _N),
    (0x81A0, "Smart Meter Integrity Issue - Warning", _N),
    (0x81A2, "Communications Hub Connected to ESME", _N),
    (0x81A3, "Communications Hub Disconnected from ESME", _N),
    (0x81A7, "Time Debt Register 1 Collection Complete", _N),
    (0x81A8, "Time Debt Register 2 Collection Complete", _N),
    (0x81A9, "Payment Debt Register Collection Complete", _N),
    (0x81AA, "Emergency Credit Exhausted", _N),
    (0x81AB, "Emergency Credit Activated", _N),
    (0x81BD, "Supply Connect Failure", _N),
    (0x81BE, "Supply Tamper State Event 0x81BE (name not in sources)", _N),
    (0x81BF, "Supply Tamper State Event 0x81BF (name not in sources)", _N),
    (0x81C0, "Supply Disconnect Failure", _N),
    (0x81C4, "UTRN Manual Entry Suspended", _N),
    (0x81C5, "UTRN Rejected as Locked Out", _N),
    (0x81C6, "Clock Not Adjusted (outside tolerance)", _N),
    (0x8F01, "Active Power Import above Load Limit Threshold", _C),
    (0x8F0A, "Billing Data Log Updated", _C),
    (0x8F0C, "Clock Not Adjusted (adjustment greater than 10 seconds)", _C),
    (0x8F0F, "Credit below Disablement Threshold (prepayment mode)", _C),
    (0x8F12, "CHF Device Log Changed", _C),
    (0x8F1B, "Firmware Verification Failed at Power On", _C),
    (0x8F1C, "Firmware Verification Failed", _C),
    (0x8F1E, "Integrity Check of Content or Format of Command Failed", _C),
    (0x8F20, "Limited Duty Cycle Action Taken", _C),
    (0x8F26, "Sub GHz Channel Changed", _C),
    (0x8F28, "Sub GHz Channel Scan Request Assessment Outcome", _C),
    (0x8F2A, "Sub GHz Configuration Changed", _C),
    (0x8F2C, "Message Discarded Due to Duty Cycle Management", _C),
    (0x8F2D, "No More Sub GHz Device Capacity", _C),
    (0x8F30, "Source Does not have Authority for Command", _C),
    (0x8F32, "Supply Armed", _C),
    (0x8F33, "Supply Disabled then Armed - Load Limit Triggered", _C),
    (0x8F34, "Supply Enabled after Load Limit Restoration Period", _C),
    (0x8F36, "Supply Outage Restored - Outage >= 3 minutes", _C),
    (0x8F3D, "Trusted Source Authentication Failure", _C),
    (0x8F3E, "Unauthorised Communication Access Attempted", _C),
    (0x8F3F, "Supply Tamper Event 0x8F3F (name not in sources)", _C),
    (0x8F43, "Change in the Executing Firmware Version", _C),
    (0x8F47, "Credit would cause Meter Balance to exceed Maximum Meter Balance Threshold", _C),
    (0x8F48, "Device Joining Failed", _C),
    (0x8F49, "Device Joining Succeeded", _C),
    (0x8F4A, "Device Unjoining Failed", _C),
    (0x8F4B, "Device Unjoining Succeeded", _C),
    (0x8F4C, "Own Certificate Replacement Failed (0x8F4C)", _C),
    (0x8F4D, "Own Certificate Replacement (0x8F4D)", _C),
    (0x8F4E, "Own Certificate Replacement (0x8F4E)", _C),
    (0x8F4F, "Own Certificate Replacement Succeeded (0x8F4F)", _C),
    (0x8F51, "Duplicate UTRN Entered", _C),
    (0x8F52, "Event Log Cleared", _C),
    (0x8F53, "Other Authentication Failure", _C),
    (0x8F57, "Supply Interrupted (0x8F57)", _C),
    (0x8F58, "Supply Interrupted (0x8F58)", _C),
    (0x8F59, "Supply Interrupted (0x8F59)", _C),
    (0x8F5A, "Supply Interrupted (0x8F5A)", _C),
    (0x8F5B, "UTRN Exceeds Maximum Credit Threshold", _C),
    (0x8F60, "Unusual Numbers of Malformed, Out-of-Order or Unexpected Commands Received", _C),
    (0x8F63, "UTRN not Authentic", _C),
    (0x8F64, "UTRN not for this Device", _C),
    (0x8F66, "Future-date HAN Interface Command Successfully Actioned", _C),
    (0x8F67, "Future-date HAN Interface Command not Successfully Actioned", _C),
    (0x8F69, "Device Commissioned", _C),
    (0x8F70, "Update Security Credentials", _C),
    (0x8F72, "Firmware Verification Successful", _C),
    (0x8F83, "Disablement of Supply due to Insufficient Credit has been Suspended", _C),
    (0x8F84, "Failure to Deliver Remote Party Message to ESME", _C),
    (0x8F85, "Alert 0x8F85 (name not in sources)", _C),
    (0x8F86, "Alert 0x8F86 (name not in sources)", _C),
    (0x8F87, "Alert 0x8F87 (name not in sources)", _C),
    (0x8F88, "Alert 0x8F88 (name not in sources)", _C),
    (0x8F89, "Firmware Transfer Alert FAILURE", _C),
    (0x8F8A, "Firmware Transfer Alert SUCCESS", _C),
    (0x8F8B, "Read Firmware Version", _C),
)


def index_of(code):
    """Position of ``code`` in ALERT_CODES (binary search), or -1 when unknown."""
    lo = 0
    hi = len(ALERT_CODES) - 1
    while lo <= hi:
        mid = (lo + hi) >> 1
        c = ALERT_CODES[mid][0]
        if c == code:
            return mid
        if c < code:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def lookup(code):
    """The (code, name, critical) row for an alert code, or None."""
    i = index_of(code)
    return ALERT_CODES[i] if i >= 0 else None


def name(code):
    row = lookup(code)
    return row[1] if row else "unknown alert 0x%04X" % code


def is_critical(code):
    """True for a critical alert. Unknown codes follow the GBCS range rule (0x8Fxx critical)."""
    row = lookup(code)
    if row is not None:
        return row[2]
    return (code & 0xFF00) == 0x8F00


def non_critical_codes():
    """The non-critical codes in table order; their positions index per-code alert settings."""
    return tuple(row[0] for row in ALERT_CODES if not row[2])
