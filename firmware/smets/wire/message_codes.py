"""The one table of GBCS message codes: code, use case, description, message category.

Facts from GBCS (message codes and use-case names as used in DCC's RTDS 4.5.0, categories as in
the GBCS use-case table: SME.C.C critical command, SME.C.NC non-critical command, SME.A.C / SME.A.NC
critical and non-critical alerts). Codes marked "provisional" are ours, not GBCS's; see
docs/provisional-codes.md.
"""

from smets.compat import const

CRITICAL = const(1)
NON_CRITICAL = const(2)
ALERT_CRITICAL = const(3)
ALERT_NON_CRITICAL = const(4)
HAN_ONLY = const(5)

CATEGORY_NAMES = (
    (CRITICAL, "critical"),
    (NON_CRITICAL, "non-critical"),
    (ALERT_CRITICAL, "critical alert"),
    (ALERT_NON_CRITICAL, "non-critical alert"),
    (HAN_ONLY, "HAN only"),
)

# (message code, use case, description, category)
MESSAGE_CODES = (
    (0x0001, "CCS01", "Add Device to CHF device log", NON_CRITICAL),
    (0x0002, "CCS02", "Remove device from CHF device log", NON_CRITICAL),
    (0x0003, "CCS03", "Restore CHF Device Log", NON_CRITICAL),
    (0x0004, "CCS04", "Read CHF Device Log (CCS04/CCS05)", NON_CRITICAL),
    (0x0007, "CS01a", "Apply Prepayment Top Up to an ESME", NON_CRITICAL),
    (0x0008, "CS02a", "Provide Security Credentials Details", CRITICAL),
    (0x000A, "CS02c", "Issue Security Credentials", CRITICAL),
    (0x000B, "CS02d", "Update Device Certificates on Device", CRITICAL),
    (0x000C, "CS02e", "Provide Device Certificates from Device", CRITICAL),
    (0x000D, "CS03A1", "Method A Join (Meter)", CRITICAL),
    (0x000E, "CS03B", "Method B Join", NON_CRITICAL),
    (0x000F, "CS04AC", "Method A or C Unjoin", CRITICAL),
    (0x0012, "CS06", "Activate Firmware", CRITICAL),
    (0x0013, "CS07", "Read Device Join Details", NON_CRITICAL),
    (0x0014, "CS10a", "Read ZigBee Device Event Log", NON_CRITICAL),
    (0x0015, "CS11", "Clear ZigBee Device Event Log", NON_CRITICAL),
    (0x0018, "CS14", "Device Addition To / Removal From HAN Whitelist Alerts", ALERT_NON_CRITICAL),
    (0x0019, "ECS01a", "Set Tariff and Price on ESME", CRITICAL),
    (0x001A, "ECS02", "Set ESME Payment Mode to Credit", CRITICAL),
    (0x001B, "ECS03", "Set ESME Payment Mode to Prepayment", CRITICAL),
    (0x001C, "ECS04a", "Adjust Meter Balance on the ESME", CRITICAL),
    (0x001D, "ECS05", "Reset Tariff Block Counter Matrix", CRITICAL),
    (0x001E, "ECS07", "Manage Debt on the ESME", CRITICAL),
    (0x001F, "ECS08", "Update Prepayment Configuration on ESME", CRITICAL),
    (0x0020, "ECS09", "Activate Emergency Credit Remotely on ESME", CRITICAL),
    (0x0021, "ECS10", "Send Message to ESME", NON_CRITICAL),
    (0x0022, "ECS12", "Set Change of Tenancy date on ESME", NON_CRITICAL),
    (0x0023, "ECS14", "Disable Privacy PIN Protection on ESME", NON_CRITICAL),
    (0x0024, "ECS15a", "Clear ESME Event Log", NON_CRITICAL),
    (0x0025, "ECS16", "Write Supplier Contact Details on ESME", NON_CRITICAL),
    (0x0026, "ECS17a", "Read ESME Energy Registers (Export Energy)", NON_CRITICAL),
    (0x0027, "ECS17b", "Read ESME Energy Registers (Import Energy)", NON_CRITICAL),
    (0x0028, "ECS17c", "Read ESME Energy Registers (Power)", NON_CRITICAL),
    (0x0029, "ECS17d", "Read ESME Energy Register (TOU)", NON_CRITICAL),
    (0x002A, "ECS17e", "Read ESME Energy Register (TOU with Blocks)", NON_CRITICAL),
    (0x002B, "ECS18a", "Read Maximum Demand Registers (export)", NON_CRITICAL),
    (0x002C, "ECS18b", "Read Maximum Demand Registers (import)", NON_CRITICAL),
    (0x002D, "ECS19", "Read ESME Prepayment Registers", NON_CRITICAL),
    (0x002E, "ECS20a", "Read ESME Billing Data Log (payment based debt payments)", NON_CRITICAL),
    (
        0x002F,
        "ECS20b",
        "Read ESME Billing Data Log (change of mode / tariff triggered exc export)",
        NON_CRITICAL,
    ),
    (0x0030, "ECS20c", "Read ESME Billing Data Log (billing calendar triggered exc export)", NON_CRITICAL),
    (0x0033, "ECS21a", "Read Electricity Daily Read Log (exc export)", NON_CRITICAL),
    (0x0034, "ECS21b", "Read Electricity (Prepayment) Daily Read Log", NON_CRITICAL),
    (0x0035, "ECS21c", "Read Electricity Daily Read Log (export only)", NON_CRITICAL),
    (0x0036, "ECS22a", "Read Electricity Half Hour Profile Data (export)", NON_CRITICAL),
    (0x0037, "ECS22b", "Read Electricity Half Hour Profile Data (active import)", NON_CRITICAL),
    (0x0038, "ECS22c", "Read Electricity Half Hour Profile Data (reactive import)", NON_CRITICAL),
    (0x0039, "ECS23", "Read Voltage Operational Data", NON_CRITICAL),
    (0x003A, "ECS24", "Read ESME Tariff Data", NON_CRITICAL),
    (0x003B, "ECS26a", "Read ESME Configuration Data Prepayment", NON_CRITICAL),
    (0x003C, "ECS26b", "Read ESME Configuration Voltage Data", NON_CRITICAL),
    (0x003D, "ECS26c", "Read ESME Configuration Data Device Information (randomisation)", NON_CRITICAL),
    (0x003E, "ECS26d", "Read ESME Configuration Data Device Information (Billing Calendar)", NON_CRITICAL),
    (
        0x003F,
        "ECS26e",
        "Read ESME Configuration Data Device Information (device identity exc MPAN)",
        NON_CRITICAL,
    ),
    (
        0x0040,
        "ECS26f",
        "Read ESME Configuration Data Device Information (instantaneous power thresholds)",
        NON_CRITICAL,
    ),
    (0x0042, "ECS27", "Read ESME Load Limit Data", NON_CRITICAL),
    (0x0043, "ECS28a", "Set Load Limit Configurations - General Settings", CRITICAL),
    (0x0044, "ECS28b", "Set Load Limit Configuration Counter Reset", NON_CRITICAL),
    (0x0045, "ECS29a", "Set Voltage Configurations on ESME", NON_CRITICAL),
    (0x0046, "ECS30", "Set Billing Calendar on the ESME", CRITICAL),
    (0x0047, "ECS34", "Set Instantaneous Power Threshold Configuration", NON_CRITICAL),
    (0x0048, "ECS35a", "Read ESME Event Log", NON_CRITICAL),
    (0x0049, "ECS35b", "Read ESME Security Log", NON_CRITICAL),
    (0x004A, "ECS37", "Set Maximum Demand Configurable Time Period", NON_CRITICAL),
    (0x004B, "ECS38", "Update Randomised Offset Limit", CRITICAL),
    (0x004C, "ECS39a", "Set MPAN Value on the ESME", NON_CRITICAL),
    (0x004D, "ECS39b", "Set Export MPAN Value on the ESME", NON_CRITICAL),
    (0x004E, "ECS40", "Read MPAN Value on the ESME", NON_CRITICAL),
    (0x004F, "ECS42", "Remotely Close the Load Switch on the ESME", CRITICAL),
    (0x0050, "ECS43", "Remotely Open the Load Switch on the ESME", CRITICAL),
    (0x0051, "ECS44", "Arm Load Switch in ESME", CRITICAL),
    (0x0052, "ECS45", "Read Status of Load Switch in the ESME", NON_CRITICAL),
    (0x0053, "ECS46a", "Set HC ALCS or ALCS Labels in ESME", CRITICAL),
    (0x0054, "ECS46c", "Set HC ALCS and ALCS configuration in ESME (excluding labels)", CRITICAL),
    (0x0055, "ECS47", "Set or Reset HC ALCS or ALCS State", CRITICAL),
    (0x0058, "ECS50", "Send CIN to ESME", NON_CRITICAL),
    (0x0059, "ECS52", "Read ESME/Comms Hub Firmware Version", NON_CRITICAL),
    (0x005A, "ECS57", "Reset ESME Maximum Demand Registers", NON_CRITICAL),
    (0x005E, "ECS61c", "Read Boost Button Data from ESME", NON_CRITICAL),
    (0x005F, "ECS62", "Set ALCS and Boost Button Association", NON_CRITICAL),
    (0x0060, "ECS66", "Read ESME Daily Consumption Log", NON_CRITICAL),
    (0x0061, "ECS68", "ESME Critical Sensitive Alert (Billing Data Log)", ALERT_CRITICAL),
    (0x0062, "ECS70", "Set Clock on ESME", CRITICAL),
    (0x0067, "ECS80", "Supply Outage Restore Alert from ESME", ALERT_CRITICAL),
    (0x0068, "ECS81", "Set Supply Tamper State on ESME", CRITICAL),
    (0x0069, "ECS82", "Read Meter Balance for ESME", NON_CRITICAL),
    (0x006B, "GCS01a", "Set Tariff and Price on GSME", CRITICAL),
    (0x006C, "GCS02", "Set GSME Payment Mode to Credit", CRITICAL),
    (0x006D, "GCS03", "Set GSME Payment Mode to Prepayment", CRITICAL),
    (0x006E, "GCS04", "Manage Debt on the GSME", CRITICAL),
    (0x006F, "GCS05", "Update Prepayment Configurations on GSME", CRITICAL),
    (0x0070, "GCS06", "Activate Emergency Credit Remotely on GSME", CRITICAL),
    (0x0071, "GCS07", "Send Message to GSME", NON_CRITICAL),
    (0x0072, "GCS09", "Set Change of Tenancy date on GPF", NON_CRITICAL),
    (0x0073, "GCS11", "Disable Privacy PIN Protection on GSME", NON_CRITICAL),
    (0x0074, "GCS13a", "Read GSME Consumption Register", NON_CRITICAL),
    (0x0075, "GCS14", "Read GSME Prepayment Registers", NON_CRITICAL),
    (0x0076, "GCS15c", "Read GSME Billing Data Log (billing calendar triggered)", NON_CRITICAL),
    (0x0077, "GCS16a", "Read GSME Daily Read Log", NON_CRITICAL),
    (0x0078, "GCS17", "Read GSME Profile Data Log", NON_CRITICAL),
    (0x0079, "GCS18", "Read Gas Network Data Log", NON_CRITICAL),
    (0x007B, "GCS21a", "Read Gas Configuration Data Device Information", NON_CRITICAL),
    (0x007C, "GCS23", "Set CV and Conversion Factor Value(s) on the GSME", CRITICAL),
    (0x007D, "GCS24", "Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME", CRITICAL),
    (0x007E, "GCS25", "Set Billing Calendar on the GSME", CRITICAL),
    (0x007F, "GCS28", "Set Clock on GSME", CRITICAL),
    (0x0080, "GCS31", "Start Network Data Log on GSME", NON_CRITICAL),
    (0x0081, "GCS32", "Remotely close the valve in the GSME", CRITICAL),
    (0x0082, "GCS33", "Read GSME Valve Status", NON_CRITICAL),
    (0x0083, "GCS36", "Send CIN to GSME", NON_CRITICAL),
    (0x0084, "GCS38", "Read GSME Firmware Version", NON_CRITICAL),
    (0x0085, "GCS39", "Arm Valve in GSME", CRITICAL),
    (0x0086, "GCS40a", "Adjust Prepayment Mode Meter Balance on the GSME", CRITICAL),
    (0x0087, "GCS41", "Set MPRN Value on the GSME", NON_CRITICAL),
    (0x0088, "GCS44", "Write Contact Details on GSME", NON_CRITICAL),
    (0x0089, "GCS46", "Read MPRN on the GSME", NON_CRITICAL),
    (0x008B, "GCS53", "Push Billing Data Log as an Alert", ALERT_CRITICAL),
    (0x008C, "GCS59", "Restore GPF Device Log", NON_CRITICAL),
    (0x008D, "GCS60", "Read Meter Balance for GSME", NON_CRITICAL),
    (0x0090, "PCS02", "Activate Emergency Credit on GSME from PPMID", HAN_ONLY),
    (0x0092, "ECS26i", "Read Configuration Data Device Information (CHF identity)", NON_CRITICAL),
    (0x0093, "ECS35c", "Read CHF Event Log", NON_CRITICAL),
    (0x0094, "ECS35d", "Read CHF Security Log", NON_CRITICAL),
    (0x0096, "GCS16b", "Read GSME Daily Read log(s) (prepayment)", NON_CRITICAL),
    (0x0097, "CS01b", "Apply Prepayment Top Up to a GSME", NON_CRITICAL),
    (0x009B, "PCS01", "Apply Prepayment Top Up to a GSME using PPMID", HAN_ONLY),
    (0x009D, "GCS21d", "Read GSME Configuration Data Device Information (BillingCalendar)", NON_CRITICAL),
    (0x009E, "GCS21e", "Read GSME/GPF Configuration Data Device Information (device identity)", NON_CRITICAL),
    (0x009F, "GCS21f", "Read GSME Tariff Data", NON_CRITICAL),
    (0x00A0, "GCS61", "Read Gas Daily Consumption Log", NON_CRITICAL),
    (0x00A1, "CS10b", "Read ZigBee Device Security Log", NON_CRITICAL),
    (0x00A2, "ECS01b", "Set Price on ESME", CRITICAL),
    (0x00A3, "GCS01b", "Set Price on GSME", CRITICAL),
    (0x00AB, "CS03A2", "Method A Join (non Meter)", CRITICAL),
    (0x00AC, "ECS25a", "Set Alert Behaviours - ESME - Supplier", NON_CRITICAL),
    (0x00AD, "GCS20", "Set Alert Behaviours - GSME", NON_CRITICAL),
    (0x00AE, "ECS29b", "Set Voltage Configurations on ESME - 3ph", NON_CRITICAL),
    (0x00AF, "CS03C", "Method C Join", CRITICAL),
    (0x00B0, "ECS25b", "Set Alert Behaviours - ESME - Network Operator", NON_CRITICAL),
    (0x00B2, "GCS62", "Backup GPF Device Log", ALERT_NON_CRITICAL),
    (0x00B3, "ECS04b", "Reset Meter Balance on the ESME", CRITICAL),
    (0x00B4, "GCS40b", "Reset Prepayment Mode Meter Balance on the GSME", CRITICAL),
    (0x00B5, "GCS21b", "Read GSME Configuration Data Prepayment", NON_CRITICAL),
    (0x00B6, "GCS13c", "Read GSME Register (TOU)", NON_CRITICAL),
    (0x00B7, "ECS01c", "Set Tariff and Price on ESME secondary", CRITICAL),
    (0x00B8, "GCS13b", "Read GSME Block Counters", NON_CRITICAL),
    (0x00B9, "ECS35e", "Read ESME Power Event Log", NON_CRITICAL),
    (0x00BA, "ECS35f", "Read ALCS Event Log", NON_CRITICAL),
    (0x00BB, "ECS61a", "Read HC ALCS and ALCS Data from ESME", NON_CRITICAL),
    (0x00BC, "ECS23b", "Read Voltage Operational Data - 3 Phase", NON_CRITICAL),
    (0x00BD, "ECS24b", "Read ESME Tariff Data - second element", NON_CRITICAL),
    (0x00BE, "ECS26j", "Read ESME Configuration Data Device Information (Payment Mode)", NON_CRITICAL),
    (0x00BF, "GCS21j", "Read GSME Configuration Data Device Information (Payment Mode)", NON_CRITICAL),
    (0x00C0, "GCS40c", "Adjust Credit Mode Meter Balance on the GSME", CRITICAL),
    (0x00C1, "ECS15c", "Clear Auxiliary Controller Event Log", NON_CRITICAL),
    (0x00C2, "GCS40d", "Reset Credit Mode Meter Balance on the GSME", CRITICAL),
    (0x00C3, "GCS15b", "Read GSME Billing Data Log (change of mode / tariff triggered)", NON_CRITICAL),
    (0x00C4, "GCS15d", "Read GSME Billing Data Log (payment-based debt payments)", NON_CRITICAL),
    (0x00C5, "GCS15e", "Read GSME Billing Data Log (prepayment credits)", NON_CRITICAL),
    (0x00C6, "ECS26k", "Read ESME Configuration Voltage Data - 3 phase", NON_CRITICAL),
    (0x00C7, "ECS01d", "Set Price on ESME secondary", CRITICAL),
    (0x00C9, "ECS20d", "Read ESME Billing Data Log (prepayment credits)", NON_CRITICAL),
    (0x00CA, "FDFA", "Future Dated Firmware Activation Alert", ALERT_CRITICAL),
    (0x00CB, "FDUSCA", "Future Dated Update Security Credentials Alert", ALERT_CRITICAL),
    (0x00CC, "FDEIA-DLMS", "Future Dated Execution Of Instruction Alert (DLMS COSEM)", ALERT_CRITICAL),
    (0x00CD, "FDEIA-GBZ", "Future Dated Execution Of Instruction Alert (GBZ)", ALERT_CRITICAL),
    (0x00CE, "FDRA-ESME", "Firmware Distribution Receipt Alert (ESME)", ALERT_CRITICAL),
    (0x00D1, "ECS29c", "Set Voltage Configurations on ESME without counter reset", NON_CRITICAL),
    (0x00D2, "ECS29d", "Set Voltage Configurations on polyphase ESME without counter reset", NON_CRITICAL),
    (0x00D3, "ECS29e", "Reset RMS Voltage Counters on ESME", NON_CRITICAL),
    (0x00D4, "ECS29f", "Reset RMS Voltage Counters on polyphase ESME", NON_CRITICAL),
    (0x00D7, "ECS30a", "Set Billing Calendar on the ESME - all periodicities", CRITICAL),
    (0x00D8, "GCS25a", "Set Billing Calendar on the GSME - all periodicities", CRITICAL),
    (
        0x00D9,
        "ECS26l",
        "Read ESME Configuration Data Device Information (Billing Calendar - all periodicities)",
        NON_CRITICAL,
    ),
    (
        0x00DA,
        "GCS21k",
        "Read GSME Configuration Data Device Information (BillingCalendar - all periodicities)",
        NON_CRITICAL,
    ),
    (0x00DB, "ECS48", "Configure daily resetting of Tariff Block Counter Matrix", CRITICAL),
    (0x00DE, "ECS08a", "Update Prepayment Configuration on ESME", CRITICAL),
    (0x00EA, "ECS25a1", "Set Event Behaviours - ESME to HAN Device - Supplier", NON_CRITICAL),
    (0x00EB, "ECS25a2", "Set Event Behaviours - ESME audible alarm - Supplier", NON_CRITICAL),
    (0x00EC, "ECS25a3", "Set Event Behaviours - ESME logging - Supplier", NON_CRITICAL),
    (0x00ED, "ECS25b3", "Set Event Behaviours - ESME logging - Network Operator", NON_CRITICAL),
    (0x00EE, "ECS25r1", "Read non-critical event and alert behaviours - ESME - Supplier", NON_CRITICAL),
    (
        0x00EF,
        "ECS25r2",
        "Read non-critical event and alert behaviours - ESME - Network Operator",
        NON_CRITICAL,
    ),
    (0x00F0, "MIIWA-ESME", "Meter Integrity Issue Warning Alert - ESME", ALERT_NON_CRITICAL),
    (0x00F1, "GCS20r", "Read non-critical event and alert behaviours - GSME - Supplier", NON_CRITICAL),
    (0x00F2, "MIIWA-GSME", "Meter Integrity Issue Warning Alert - GSME", ALERT_NON_CRITICAL),
    (
        0x00F9,
        "ECS26m",
        "Read ESME Configuration Data Device Information (identity,  type and supply tamper state)",
        NON_CRITICAL,
    ),
    (0x00FA, "ECS26n", "Read CHF Configuration Data Device Information (CH identity and type)", NON_CRITICAL),
    (
        0x00FB,
        "GCS21m",
        "Read GSME Configuration Data Device Information (identity, type, supply tamper / depletion state)",
        NON_CRITICAL,
    ),
    (
        0x00FC,
        "GCS24a",
        "Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME (SMETS4)",
        CRITICAL,
    ),
    (0x00FD, "ECS35g", "Read ALCS Event Log", NON_CRITICAL),
    (0x00FE, "CCS07", "Read CHF Device Logs", NON_CRITICAL),
    (0x0102, "CS02b-supplierBySupplier", "Update Security Credentials (supplierBySupplier)", CRITICAL),
    (
        0x0103,
        "CS02b-networkOperatorByNetworkOperator",
        "Update Security Credentials (networkOperatorByNetworkOperator)",
        CRITICAL,
    ),
    (
        0x0104,
        "CS02b-accessControlBrokerByACB",
        "Update Security Credentials (accessControlBrokerByACB)",
        NON_CRITICAL,
    ),
    (
        0x0105,
        "CS02b-wanProviderByWanProvider",
        "Update Security Credentials (wanProviderByWanProvider)",
        CRITICAL,
    ),
    (0x0106, "CS02b-transCoSByTransCoS", "Update Security Credentials (transCoSByTransCoS)", CRITICAL),
    (0x0107, "CS02b-supplierByTransCoS", "Update Security Credentials (supplierByTransCoS)", CRITICAL),
    (
        0x0108,
        "CS02b-anyExceptAbnormalRootByRecovery",
        "Update Security Credentials (anyExceptAbnormalRootByRecovery)",
        CRITICAL,
    ),
    (0x0109, "CS02b-anyByContingency", "Update Security Credentials (anyByContingency)", CRITICAL),
    (0x010A, "DBCH01", "Read CHF Sub GHz Channel", NON_CRITICAL),
    (0x010B, "DBCH02", "Read CHF Sub GHz Channel Log", NON_CRITICAL),
    (0x010C, "DBCH03", "Read CHF Sub GHz Configuration", NON_CRITICAL),
    (0x010D, "DBCH04", "Set CHF Sub GHz Configuration", NON_CRITICAL),
    (0x010E, "DBCH05", "Request CHF Sub GHz Channel Scan", NON_CRITICAL),
    (0x010F, "CCS06", "Read CHF device log and check HAN communications", NON_CRITICAL),
    (0x0110, "DBCH06", "Limited Duty Cycle Action Taken Sub GHz Alert", ALERT_NON_CRITICAL),
    (0x0111, "DBCH07", "Sub GHz Sub GHz Channel Changed Sub GHz Alert", ALERT_NON_CRITICAL),
    (0x0112, "DBCH08", "Sub GHz Channel Scan Request Assessment Outcome Sub GHz Alert", ALERT_NON_CRITICAL),
    (0x0113, "DBCH09", "Sub GHz Configuration Changed Sub GHz Alert", ALERT_NON_CRITICAL),
    (0x0114, "DBCH10", "Message Discarded Due to Duty Cycle Management Sub GHz Alert", ALERT_NON_CRITICAL),
    (0x0115, "DBCH11", "No More Sub GHz Device Capacity Sub GHz Alert", ALERT_NON_CRITICAL),
    (0x0116, "PECS01", "Apply Prepayment Top Up to an ESME using PPMID", HAN_ONLY),
    (0x0117, "PECS02", "Activate Emergency Credit on ESME from PPMID", HAN_ONLY),
    (0x0118, "PECS03", "Request to Enable ESME Supply from PPMID", HAN_ONLY),
    (0x0119, "HECS01", "Request Control of HCALCS [n]", HAN_ONLY),
    (0x011A, "ECS46d", "Set Auxiliary Controller Calendar", CRITICAL),
    (0x011C, "ECS61d", "Read Auxiliary Controller Configuration Data", NON_CRITICAL),
    (0x011D, "ECS61e", "Read Auxiliary Controller Operational Data", NON_CRITICAL),
    (0x011E, "ECS47a", "Set Auxiliary Controller [n] State", CRITICAL),
    (0x011F, "ECS47e", "Limit APC [n] Level", CRITICAL),
    (0x0120, "ECS100", "Command Not Supported Alert", ALERT_CRITICAL),
    (0x0121, "ECS101", "Limit APC [n] Level Command processed", ALERT_CRITICAL),
    (0x0122, "ECS102", "Limit APC [n] Level ended or cancelled", ALERT_CRITICAL),
    (0x0128, "CCS08", "Firmware Transfer Alert", ALERT_CRITICAL),
    (0x0129, "CS08", "Read PPMID/HCALCS Firmware Version", NON_CRITICAL),
    (0x012A, "GCS60a", "Read Meter Balance for GSME (GPF)", NON_CRITICAL),
    # SECMP0002 debt register resets: provisional codes of ours, not GBCS's (docs/provisional-codes.md).
    (0xF001, "ECS07R1", "Reset Time Debt Register 1 on the ESME (SECMP0002, provisional)", CRITICAL),
    (0xF002, "ECS07R2", "Reset Time Debt Register 2 on the ESME (SECMP0002, provisional)", CRITICAL),
    (0xF003, "ECS07R3", "Reset Payment Debt Register on the ESME (SECMP0002, provisional)", CRITICAL),
    (0xF011, "GCS04R1", "Reset Time Debt Register 1 on the GSME (SECMP0002, provisional)", CRITICAL),
    (0xF012, "GCS04R2", "Reset Time Debt Register 2 on the GSME (SECMP0002, provisional)", CRITICAL),
    (0xF013, "GCS04R3", "Reset Payment Debt Register on the GSME (SECMP0002, provisional)", CRITICAL),
    (0x1000, "GCA", "Generic Critical Alert", ALERT_CRITICAL),
    (0x1001, "GNCA", "Generic Non Critical Alert", ALERT_NON_CRITICAL),
)

_BY_CODE = None
_BY_NAME = None


def _index():
    global _BY_CODE, _BY_NAME
    if _BY_CODE is None:
        _BY_CODE = {}
        _BY_NAME = {}
        for row in MESSAGE_CODES:
            _BY_CODE[row[0]] = row
            _BY_NAME[row[1]] = row
    return _BY_CODE, _BY_NAME


def lookup(code):
    """The (code, use case, description, category) row for a message code, or None."""
    return _index()[0].get(code)


def code_for(use_case):
    """The message code of a use case name such as "ECS04a"; KeyError when unknown."""
    return _index()[1][use_case][0]


def use_case_name(code):
    row = lookup(code)
    return row[1] if row else "unknown 0x%04X" % code


def category_name(category):
    for value, name in CATEGORY_NAMES:
        if value == category:
            return name
    return "unknown"
