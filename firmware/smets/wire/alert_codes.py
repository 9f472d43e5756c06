"""The one table of GBCS alert (event) codes: code, name, critical or not.

Sources: the names are those used by the RTDS 4.5.0 decode (`../shared/rtds/decoded/*.txt`) and the
gbcs-parser alert table quoted in the spec (§2.10); the class follows the GBCS code ranges (0x8Fxx
critical, 0x81xx non-critical and supplier-configurable, 0x80xx non-critical, mostly Network
Operator alerts). Codes that appear in RTDS without a name carry "(name not in sources)".

The table is text, one row a line, looked up by scanning: on a board the one string stays in flash
(ROMFS or frozen bytecode), where a tuple per row would be built in RAM. The behaviour layer refers
to the codes by the ``A_*`` names below; the wire layer uses ``name`` / ``is_critical`` for display.
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

# One row a line, sorted by code: alert code (hex), C critical or N non-critical, name.
ALERT_CODES = """
8071 N GPF Device Log Changed
810D N Low Credit
810E N Credit Added Locally
8119 N Emergency Credit Has Become Available
811A N Failure to Maintain Auxiliary Load Control State
8145 N Clock Adjusted (within tolerance)
8154 N Immediate HAN Interface Command Received and Successfully Actioned
8155 N Immediate HAN Interface Command Received but not Successfully Actioned
8161 N Event 0x8161 (name not in sources)
8162 N Event 0x8162 (name not in sources)
8168 N Supply Disabled then Armed - Activate Emergency Credit Triggered
8183 N Device Joined SMHAN
8184 N Event 0x8184 (name not in sources)
819D N GSME Command Not Retrieved
819E N Tap Off Message Response or Alert Failure
81A0 N Smart Meter Integrity Issue - Warning
81A2 N Communications Hub Connected to ESME
81A3 N Communications Hub Disconnected from ESME
81A7 N Time Debt Register 1 Collection Complete
81A8 N Time Debt Register 2 Collection Complete
81A9 N Payment Debt Register Collection Complete
81AA N Emergency Credit Exhausted
81AB N Emergency Credit Activated
81BD N Supply Connect Failure
81BE N Supply Tamper State Event 0x81BE (name not in sources)
81BF N Supply Tamper State Event 0x81BF (name not in sources)
81C0 N Supply Disconnect Failure
81C4 N UTRN Manual Entry Suspended
81C5 N UTRN Rejected as Locked Out
81C6 N Clock Not Adjusted (outside tolerance)
8F01 C Active Power Import above Load Limit Threshold
8F0A C Billing Data Log Updated
8F0C C Clock Not Adjusted (adjustment greater than 10 seconds)
8F0F C Credit below Disablement Threshold (prepayment mode)
8F12 C CHF Device Log Changed
8F1B C Firmware Verification Failed at Power On
8F1C C Firmware Verification Failed
8F1E C Integrity Check of Content or Format of Command Failed
8F20 C Limited Duty Cycle Action Taken
8F26 C Sub GHz Channel Changed
8F28 C Sub GHz Channel Scan Request Assessment Outcome
8F2A C Sub GHz Configuration Changed
8F2C C Message Discarded Due to Duty Cycle Management
8F2D C No More Sub GHz Device Capacity
8F30 C Source Does not have Authority for Command
8F32 C Supply Armed
8F33 C Supply Disabled then Armed - Load Limit Triggered
8F34 C Supply Enabled after Load Limit Restoration Period
8F36 C Supply Outage Restored - Outage >= 3 minutes
8F3D C Trusted Source Authentication Failure
8F3E C Unauthorised Communication Access Attempted
8F3F C Supply Tamper Event 0x8F3F (name not in sources)
8F43 C Change in the Executing Firmware Version
8F47 C Credit would cause Meter Balance to exceed Maximum Meter Balance Threshold
8F48 C Device Joining Failed
8F49 C Device Joining Succeeded
8F4A C Device Unjoining Failed
8F4B C Device Unjoining Succeeded
8F4C C Own Certificate Replacement Failed (0x8F4C)
8F4D C Own Certificate Replacement (0x8F4D)
8F4E C Own Certificate Replacement (0x8F4E)
8F4F C Own Certificate Replacement Succeeded (0x8F4F)
8F51 C Duplicate UTRN Entered
8F52 C Event Log Cleared
8F53 C Other Authentication Failure
8F57 C Supply Interrupted (0x8F57)
8F58 C Supply Interrupted (0x8F58)
8F59 C Supply Interrupted (0x8F59)
8F5A C Supply Interrupted (0x8F5A)
8F5B C UTRN Exceeds Maximum Credit Threshold
8F60 C Unusual Numbers of Malformed, Out-of-Order or Unexpected Commands Received
8F63 C UTRN not Authentic
8F64 C UTRN not for this Device
8F66 C Future-date HAN Interface Command Successfully Actioned
8F67 C Future-date HAN Interface Command not Successfully Actioned
8F69 C Device Commissioned
8F70 C Update Security Credentials
8F72 C Firmware Verification Successful
8F83 C Disablement of Supply due to Insufficient Credit has been Suspended
8F84 C Failure to Deliver Remote Party Message to ESME
8F85 C Alert 0x8F85 (name not in sources)
8F86 C Alert 0x8F86 (name not in sources)
8F87 C Alert 0x8F87 (name not in sources)
8F88 C Alert 0x8F88 (name not in sources)
8F89 C Firmware Transfer Alert FAILURE
8F8A C Firmware Transfer Alert SUCCESS
8F8B C Read Firmware Version
"""


def _row(start):
    end = ALERT_CODES.find("\n", start)
    return (
        int(ALERT_CODES[start : start + 4], 16),
        ALERT_CODES[start + 7 : end],
        ALERT_CODES[start + 5] == "C",
    )


def rows():
    """Every row as (code, name, critical), in table order."""
    out = []
    i = 1
    while i < len(ALERT_CODES):
        out.append(_row(i))
        i = ALERT_CODES.find("\n", i) + 1
    return out


def _find(code):
    """Where the row of `code` starts in ALERT_CODES, or -1."""
    if type(code) is not int or not 0 <= code <= 0xFFFF:
        return -1
    i = ALERT_CODES.find("\n%04X " % code)
    return i + 1 if i >= 0 else -1


def lookup(code):
    """The (code, name, critical) row for an alert code, or None."""
    i = _find(code)
    return _row(i) if i >= 0 else None


def name(code):
    row = lookup(code)
    return row[1] if row else "unknown alert 0x%04X" % code


def is_critical(code):
    """True for a critical alert. Unknown codes follow the GBCS range rule (0x8Fxx critical)."""
    i = _find(code)
    if i >= 0:
        return ALERT_CODES[i + 5] == "C"
    return (code & 0xFF00) == 0x8F00


def non_critical_codes():
    """The non-critical codes in table order; their positions index per-code alert settings."""
    return tuple(row[0] for row in rows() if not row[2])
