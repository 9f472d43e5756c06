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

# The table, one row a line: message code (hex), category (C critical, NC non-critical, AC critical
# alert, ANC non-critical alert, HAN HAN only), use case, description. Text rather than tuples: on a
# board one string stays in flash (ROMFS or frozen), where 300 tuples would be built in RAM. Rows
# F001..F013 (SECMP0002 debt register resets) are provisional codes of ours, not GBCS's
# (docs/provisional-codes.md).
MESSAGE_CODES = """
0001 NC CCS01 Add Device to CHF device log
0002 NC CCS02 Remove device from CHF device log
0003 NC CCS03 Restore CHF Device Log
0004 NC CCS04 Read CHF Device Log (CCS04/CCS05)
0007 NC CS01a Apply Prepayment Top Up to an ESME
0008 C CS02a Provide Security Credentials Details
000A C CS02c Issue Security Credentials
000B C CS02d Update Device Certificates on Device
000C C CS02e Provide Device Certificates from Device
000D C CS03A1 Method A Join (Meter)
000E NC CS03B Method B Join
000F C CS04AC Method A or C Unjoin
0012 C CS06 Activate Firmware
0013 NC CS07 Read Device Join Details
0014 NC CS10a Read ZigBee Device Event Log
0015 NC CS11 Clear ZigBee Device Event Log
0018 ANC CS14 Device Addition To / Removal From HAN Whitelist Alerts
0019 C ECS01a Set Tariff and Price on ESME
001A C ECS02 Set ESME Payment Mode to Credit
001B C ECS03 Set ESME Payment Mode to Prepayment
001C C ECS04a Adjust Meter Balance on the ESME
001D C ECS05 Reset Tariff Block Counter Matrix
001E C ECS07 Manage Debt on the ESME
001F C ECS08 Update Prepayment Configuration on ESME
0020 C ECS09 Activate Emergency Credit Remotely on ESME
0021 NC ECS10 Send Message to ESME
0022 NC ECS12 Set Change of Tenancy date on ESME
0023 NC ECS14 Disable Privacy PIN Protection on ESME
0024 NC ECS15a Clear ESME Event Log
0025 NC ECS16 Write Supplier Contact Details on ESME
0026 NC ECS17a Read ESME Energy Registers (Export Energy)
0027 NC ECS17b Read ESME Energy Registers (Import Energy)
0028 NC ECS17c Read ESME Energy Registers (Power)
0029 NC ECS17d Read ESME Energy Register (TOU)
002A NC ECS17e Read ESME Energy Register (TOU with Blocks)
002B NC ECS18a Read Maximum Demand Registers (export)
002C NC ECS18b Read Maximum Demand Registers (import)
002D NC ECS19 Read ESME Prepayment Registers
002E NC ECS20a Read ESME Billing Data Log (payment based debt payments)
002F NC ECS20b Read ESME Billing Data Log (change of mode / tariff triggered exc export)
0030 NC ECS20c Read ESME Billing Data Log (billing calendar triggered exc export)
0033 NC ECS21a Read Electricity Daily Read Log (exc export)
0034 NC ECS21b Read Electricity (Prepayment) Daily Read Log
0035 NC ECS21c Read Electricity Daily Read Log (export only)
0036 NC ECS22a Read Electricity Half Hour Profile Data (export)
0037 NC ECS22b Read Electricity Half Hour Profile Data (active import)
0038 NC ECS22c Read Electricity Half Hour Profile Data (reactive import)
0039 NC ECS23 Read Voltage Operational Data
003A NC ECS24 Read ESME Tariff Data
003B NC ECS26a Read ESME Configuration Data Prepayment
003C NC ECS26b Read ESME Configuration Voltage Data
003D NC ECS26c Read ESME Configuration Data Device Information (randomisation)
003E NC ECS26d Read ESME Configuration Data Device Information (Billing Calendar)
003F NC ECS26e Read ESME Configuration Data Device Information (device identity exc MPAN)
0040 NC ECS26f Read ESME Configuration Data Device Information (instantaneous power thresholds)
0042 NC ECS27 Read ESME Load Limit Data
0043 C ECS28a Set Load Limit Configurations - General Settings
0044 NC ECS28b Set Load Limit Configuration Counter Reset
0045 NC ECS29a Set Voltage Configurations on ESME
0046 C ECS30 Set Billing Calendar on the ESME
0047 NC ECS34 Set Instantaneous Power Threshold Configuration
0048 NC ECS35a Read ESME Event Log
0049 NC ECS35b Read ESME Security Log
004A NC ECS37 Set Maximum Demand Configurable Time Period
004B C ECS38 Update Randomised Offset Limit
004C NC ECS39a Set MPAN Value on the ESME
004D NC ECS39b Set Export MPAN Value on the ESME
004E NC ECS40 Read MPAN Value on the ESME
004F C ECS42 Remotely Close the Load Switch on the ESME
0050 C ECS43 Remotely Open the Load Switch on the ESME
0051 C ECS44 Arm Load Switch in ESME
0052 NC ECS45 Read Status of Load Switch in the ESME
0053 C ECS46a Set HC ALCS or ALCS Labels in ESME
0054 C ECS46c Set HC ALCS and ALCS configuration in ESME (excluding labels)
0055 C ECS47 Set or Reset HC ALCS or ALCS State
0058 NC ECS50 Send CIN to ESME
0059 NC ECS52 Read ESME/Comms Hub Firmware Version
005A NC ECS57 Reset ESME Maximum Demand Registers
005E NC ECS61c Read Boost Button Data from ESME
005F NC ECS62 Set ALCS and Boost Button Association
0060 NC ECS66 Read ESME Daily Consumption Log
0061 AC ECS68 ESME Critical Sensitive Alert (Billing Data Log)
0062 C ECS70 Set Clock on ESME
0067 AC ECS80 Supply Outage Restore Alert from ESME
0068 C ECS81 Set Supply Tamper State on ESME
0069 NC ECS82 Read Meter Balance for ESME
006B C GCS01a Set Tariff and Price on GSME
006C C GCS02 Set GSME Payment Mode to Credit
006D C GCS03 Set GSME Payment Mode to Prepayment
006E C GCS04 Manage Debt on the GSME
006F C GCS05 Update Prepayment Configurations on GSME
0070 C GCS06 Activate Emergency Credit Remotely on GSME
0071 NC GCS07 Send Message to GSME
0072 NC GCS09 Set Change of Tenancy date on GPF
0073 NC GCS11 Disable Privacy PIN Protection on GSME
0074 NC GCS13a Read GSME Consumption Register
0075 NC GCS14 Read GSME Prepayment Registers
0076 NC GCS15c Read GSME Billing Data Log (billing calendar triggered)
0077 NC GCS16a Read GSME Daily Read Log
0078 NC GCS17 Read GSME Profile Data Log
0079 NC GCS18 Read Gas Network Data Log
007B NC GCS21a Read Gas Configuration Data Device Information
007C C GCS23 Set CV and Conversion Factor Value(s) on the GSME
007D C GCS24 Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME
007E C GCS25 Set Billing Calendar on the GSME
007F C GCS28 Set Clock on GSME
0080 NC GCS31 Start Network Data Log on GSME
0081 C GCS32 Remotely close the valve in the GSME
0082 NC GCS33 Read GSME Valve Status
0083 NC GCS36 Send CIN to GSME
0084 NC GCS38 Read GSME Firmware Version
0085 C GCS39 Arm Valve in GSME
0086 C GCS40a Adjust Prepayment Mode Meter Balance on the GSME
0087 NC GCS41 Set MPRN Value on the GSME
0088 NC GCS44 Write Contact Details on GSME
0089 NC GCS46 Read MPRN on the GSME
008B AC GCS53 Push Billing Data Log as an Alert
008C NC GCS59 Restore GPF Device Log
008D NC GCS60 Read Meter Balance for GSME
0090 HAN PCS02 Activate Emergency Credit on GSME from PPMID
0092 NC ECS26i Read Configuration Data Device Information (CHF identity)
0093 NC ECS35c Read CHF Event Log
0094 NC ECS35d Read CHF Security Log
0096 NC GCS16b Read GSME Daily Read log(s) (prepayment)
0097 NC CS01b Apply Prepayment Top Up to a GSME
009B HAN PCS01 Apply Prepayment Top Up to a GSME using PPMID
009D NC GCS21d Read GSME Configuration Data Device Information (BillingCalendar)
009E NC GCS21e Read GSME/GPF Configuration Data Device Information (device identity)
009F NC GCS21f Read GSME Tariff Data
00A0 NC GCS61 Read Gas Daily Consumption Log
00A1 NC CS10b Read ZigBee Device Security Log
00A2 C ECS01b Set Price on ESME
00A3 C GCS01b Set Price on GSME
00AB C CS03A2 Method A Join (non Meter)
00AC NC ECS25a Set Alert Behaviours - ESME - Supplier
00AD NC GCS20 Set Alert Behaviours - GSME
00AE NC ECS29b Set Voltage Configurations on ESME - 3ph
00AF C CS03C Method C Join
00B0 NC ECS25b Set Alert Behaviours - ESME - Network Operator
00B2 ANC GCS62 Backup GPF Device Log
00B3 C ECS04b Reset Meter Balance on the ESME
00B4 C GCS40b Reset Prepayment Mode Meter Balance on the GSME
00B5 NC GCS21b Read GSME Configuration Data Prepayment
00B6 NC GCS13c Read GSME Register (TOU)
00B7 C ECS01c Set Tariff and Price on ESME secondary
00B8 NC GCS13b Read GSME Block Counters
00B9 NC ECS35e Read ESME Power Event Log
00BA NC ECS35f Read ALCS Event Log
00BB NC ECS61a Read HC ALCS and ALCS Data from ESME
00BC NC ECS23b Read Voltage Operational Data - 3 Phase
00BD NC ECS24b Read ESME Tariff Data - second element
00BE NC ECS26j Read ESME Configuration Data Device Information (Payment Mode)
00BF NC GCS21j Read GSME Configuration Data Device Information (Payment Mode)
00C0 C GCS40c Adjust Credit Mode Meter Balance on the GSME
00C1 NC ECS15c Clear Auxiliary Controller Event Log
00C2 C GCS40d Reset Credit Mode Meter Balance on the GSME
00C3 NC GCS15b Read GSME Billing Data Log (change of mode / tariff triggered)
00C4 NC GCS15d Read GSME Billing Data Log (payment-based debt payments)
00C5 NC GCS15e Read GSME Billing Data Log (prepayment credits)
00C6 NC ECS26k Read ESME Configuration Voltage Data - 3 phase
00C7 C ECS01d Set Price on ESME secondary
00C9 NC ECS20d Read ESME Billing Data Log (prepayment credits)
00CA AC FDFA Future Dated Firmware Activation Alert
00CB AC FDUSCA Future Dated Update Security Credentials Alert
00CC AC FDEIA-DLMS Future Dated Execution Of Instruction Alert (DLMS COSEM)
00CD AC FDEIA-GBZ Future Dated Execution Of Instruction Alert (GBZ)
00CE AC FDRA-ESME Firmware Distribution Receipt Alert (ESME)
00D1 NC ECS29c Set Voltage Configurations on ESME without counter reset
00D2 NC ECS29d Set Voltage Configurations on polyphase ESME without counter reset
00D3 NC ECS29e Reset RMS Voltage Counters on ESME
00D4 NC ECS29f Reset RMS Voltage Counters on polyphase ESME
00D7 C ECS30a Set Billing Calendar on the ESME - all periodicities
00D8 C GCS25a Set Billing Calendar on the GSME - all periodicities
00D9 NC ECS26l Read ESME Configuration Data Device Information (Billing Calendar - all periodicities)
00DA NC GCS21k Read GSME Configuration Data Device Information (BillingCalendar - all periodicities)
00DB C ECS48 Configure daily resetting of Tariff Block Counter Matrix
00DE C ECS08a Update Prepayment Configuration on ESME
00EA NC ECS25a1 Set Event Behaviours - ESME to HAN Device - Supplier
00EB NC ECS25a2 Set Event Behaviours - ESME audible alarm - Supplier
00EC NC ECS25a3 Set Event Behaviours - ESME logging - Supplier
00ED NC ECS25b3 Set Event Behaviours - ESME logging - Network Operator
00EE NC ECS25r1 Read non-critical event and alert behaviours - ESME - Supplier
00EF NC ECS25r2 Read non-critical event and alert behaviours - ESME - Network Operator
00F0 ANC MIIWA-ESME Meter Integrity Issue Warning Alert - ESME
00F1 NC GCS20r Read non-critical event and alert behaviours - GSME - Supplier
00F2 ANC MIIWA-GSME Meter Integrity Issue Warning Alert - GSME
00F9 NC ECS26m Read ESME Configuration Data Device Information (identity,  type and supply tamper state)
00FA NC ECS26n Read CHF Configuration Data Device Information (CH identity and type)
00FB NC GCS21m Read GSME Configuration Data Device Information (identity, type, supply tamper / depletion state)
00FC C GCS24a Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME (SMETS4)
00FD NC ECS35g Read ALCS Event Log
00FE NC CCS07 Read CHF Device Logs
0102 C CS02b-supplierBySupplier Update Security Credentials (supplierBySupplier)
0103 C CS02b-networkOperatorByNetworkOperator Update Security Credentials (networkOperatorByNetworkOperator)
0104 NC CS02b-accessControlBrokerByACB Update Security Credentials (accessControlBrokerByACB)
0105 C CS02b-wanProviderByWanProvider Update Security Credentials (wanProviderByWanProvider)
0106 C CS02b-transCoSByTransCoS Update Security Credentials (transCoSByTransCoS)
0107 C CS02b-supplierByTransCoS Update Security Credentials (supplierByTransCoS)
0108 C CS02b-anyExceptAbnormalRootByRecovery Update Security Credentials (anyExceptAbnormalRootByRecovery)
0109 C CS02b-anyByContingency Update Security Credentials (anyByContingency)
010A NC DBCH01 Read CHF Sub GHz Channel
010B NC DBCH02 Read CHF Sub GHz Channel Log
010C NC DBCH03 Read CHF Sub GHz Configuration
010D NC DBCH04 Set CHF Sub GHz Configuration
010E NC DBCH05 Request CHF Sub GHz Channel Scan
010F NC CCS06 Read CHF device log and check HAN communications
0110 ANC DBCH06 Limited Duty Cycle Action Taken Sub GHz Alert
0111 ANC DBCH07 Sub GHz Sub GHz Channel Changed Sub GHz Alert
0112 ANC DBCH08 Sub GHz Channel Scan Request Assessment Outcome Sub GHz Alert
0113 ANC DBCH09 Sub GHz Configuration Changed Sub GHz Alert
0114 ANC DBCH10 Message Discarded Due to Duty Cycle Management Sub GHz Alert
0115 ANC DBCH11 No More Sub GHz Device Capacity Sub GHz Alert
0116 HAN PECS01 Apply Prepayment Top Up to an ESME using PPMID
0117 HAN PECS02 Activate Emergency Credit on ESME from PPMID
0118 HAN PECS03 Request to Enable ESME Supply from PPMID
0119 HAN HECS01 Request Control of HCALCS [n]
011A C ECS46d Set Auxiliary Controller Calendar
011C NC ECS61d Read Auxiliary Controller Configuration Data
011D NC ECS61e Read Auxiliary Controller Operational Data
011E C ECS47a Set Auxiliary Controller [n] State
011F C ECS47e Limit APC [n] Level
0120 AC ECS100 Command Not Supported Alert
0121 AC ECS101 Limit APC [n] Level Command processed
0122 AC ECS102 Limit APC [n] Level ended or cancelled
0128 AC CCS08 Firmware Transfer Alert
0129 NC CS08 Read PPMID/HCALCS Firmware Version
012A NC GCS60a Read Meter Balance for GSME (GPF)
F001 C ECS07R1 Reset Time Debt Register 1 on the ESME (SECMP0002, provisional)
F002 C ECS07R2 Reset Time Debt Register 2 on the ESME (SECMP0002, provisional)
F003 C ECS07R3 Reset Payment Debt Register on the ESME (SECMP0002, provisional)
F011 C GCS04R1 Reset Time Debt Register 1 on the GSME (SECMP0002, provisional)
F012 C GCS04R2 Reset Time Debt Register 2 on the GSME (SECMP0002, provisional)
F013 C GCS04R3 Reset Payment Debt Register on the GSME (SECMP0002, provisional)
1000 AC GCA Generic Critical Alert
1001 ANC GNCA Generic Non Critical Alert
"""  # noqa: E501  (a GBCS description as it stands)

_CATEGORY_OF = (
    ("C", CRITICAL),
    ("NC", NON_CRITICAL),
    ("AC", ALERT_CRITICAL),
    ("ANC", ALERT_NON_CRITICAL),
    ("HAN", HAN_ONLY),
)


def _row(start):
    """The row of the line that starts at `start` as (code, use case, description, category)."""
    end = MESSAGE_CODES.find("\n", start)
    code, category, name, description = MESSAGE_CODES[start:end].split(" ", 3)
    for text, value in _CATEGORY_OF:
        if text == category:
            return (int(code, 16), name, description, value)
    raise ValueError("message code table: bad category in %r" % MESSAGE_CODES[start:end])


def lookup(code):
    """The (code, use case, description, category) row for a message code, or None."""
    if type(code) is not int or not 0 <= code <= 0xFFFF:
        return None
    i = MESSAGE_CODES.find("\n%04X " % code)
    return None if i < 0 else _row(i + 1)


def code_for(use_case):
    """The message code of a use case name such as "ECS04a"; KeyError when unknown."""
    key = " " + use_case + " "
    i = MESSAGE_CODES.find(key)
    while i >= 0:
        start = MESSAGE_CODES.rfind("\n", 0, i) + 1
        if MESSAGE_CODES.find(" ", start + 5) == i:  # the use case column, not a description
            return int(MESSAGE_CODES[start : start + 4], 16)
        i = MESSAGE_CODES.find(key, i + 1)
    raise KeyError(use_case)


def use_case_name(code):
    row = lookup(code)
    return row[1] if row else "unknown 0x%04X" % code


def category_name(category):
    for value, name in CATEGORY_NAMES:
        if value == category:
            return name
    return "unknown"
