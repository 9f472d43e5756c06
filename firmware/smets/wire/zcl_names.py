"""The one table of ZigBee (ZCL / Smart Energy) names and command layouts that GBZ payloads use.

Facts from the ZigBee Cluster Library and the ZigBee Smart Energy 1.4 (GBCS) command formats, checked
field by field against every GBZ frame of RTDS 4.5.0 (../shared/rtds/decoded/*.txt). `gbz.py`
reads and writes ZCL payloads with the layouts here; everything else is for readable output.

Rows are tuples (kept in frozen bytecode on a board) and looked up by a linear scan.

Command layouts are tuples of fields `(name, type)`; the types are little-endian as ZCL sends
them:
    "u8" "u16" "u24" "u32" "u48"   unsigned integers
    "i32"                          signed integer
    "utc"                          UTCTime, seconds since 2000-01-01 00:00:00 (u32)
    "date"                         ZCL Date, 4 octets (year-1900, month, day, weekday; FF = any)
    "b7"                           7 octets (the day ID references of a week profile)
    "oct"                          octet/character string: one length octet then the octets
    "rest"                         all octets left (a sub-payload whose form depends on earlier fields)
and `(name, "*", fields)`: a group repeated until the payload ends. Inside a group,
`(name, "u48*lo")` is a list of u48 whose count is the low nibble of the group's previous field
(the block-threshold sub-payload). Octets left over after a layout become a "trailing" field, so
optional trailing ZCL fields still round-trip.
"""

# ---- clusters --------------------------------------------------------------------------------

CLUSTERS = (
    (0x0000, "Basic"),
    (0x000A, "Time"),
    (0x0019, "OTA Upgrade"),
    (0x0700, "Price"),
    (0x0701, "Demand Response and Load Control"),
    (0x0702, "Metering"),
    (0x0703, "Messaging"),
    (0x0704, "Tunneling"),
    (0x0705, "Prepayment"),
    (0x0706, "Energy Management"),
    (0x0707, "Calendar"),
    (0x0708, "Device Management"),
    (0x0709, "Events"),
    (0x070A, "MDU Pairing"),
    (0x070B, "Sub-GHz"),
    (0x0800, "Key Establishment"),
)

# ---- ZCL general (profile-wide) commands: frame type 00 -------------------------------------

GLOBAL_COMMANDS = (
    (0x00, "Read Attributes"),
    (0x01, "Read Attributes Response"),
    (0x02, "Write Attributes"),
    (0x03, "Write Attributes Undivided"),
    (0x04, "Write Attributes Response"),
    (0x05, "Write Attributes No Response"),
    (0x06, "Configure Reporting"),
    (0x07, "Configure Reporting Response"),
    (0x08, "Read Reporting Configuration"),
    (0x09, "Read Reporting Configuration Response"),
    (0x0A, "Report Attributes"),
    (0x0B, "Default Response"),
    (0x0C, "Discover Attributes"),
    (0x0D, "Discover Attributes Response"),
)

# ---- ZCL status codes --------------------------------------------------------------------------

STATUS = (
    (0x00, "Success"),
    (0x01, "Failure"),
    (0x7E, "Not Authorized"),
    (0x7F, "Reserved Field Not Zero"),
    (0x80, "Malformed Command"),
    (0x81, "Unsupported Cluster Command"),
    (0x82, "Unsupported General Command"),
    (0x83, "Unsupported Manufacturer Cluster Command"),
    (0x84, "Unsupported Manufacturer General Command"),
    (0x85, "Invalid Field"),
    (0x86, "Unsupported Attribute"),
    (0x87, "Invalid Value"),
    (0x88, "Read Only"),
    (0x89, "Insufficient Space"),
    (0x8A, "Duplicate Exists"),
    (0x8B, "Not Found"),
    (0x8C, "Unreportable Attribute"),
    (0x8D, "Invalid Data Type"),
    (0x8E, "Invalid Selector"),
    (0x8F, "Write Only"),
    (0x90, "Inconsistent Startup State"),
    (0x91, "Defined Out Of Band"),
    (0x92, "Inconsistent"),
    (0x93, "Action Denied"),
    (0x94, "Timeout"),
    (0x95, "Abort"),
    (0x96, "Invalid Image"),
    (0x97, "Wait For Data"),
    (0x98, "No Image Available"),
    (0x99, "Require More Image"),
    (0xC0, "Hardware Failure"),
    (0xC1, "Software Failure"),
    (0xC2, "Calibration Error"),
    (0xC3, "Unsupported Cluster"),
)

# ---- ZCL data types: (id, name) ---------------------------------------------------------------
# Sizes follow from the id ranges (see gbz.zcl_type_size); the names are for output only.

DATA_TYPES = (
    (0x00, "No Data"),
    (0x08, "Data8"),
    (0x09, "Data16"),
    (0x0A, "Data24"),
    (0x0B, "Data32"),
    (0x0C, "Data40"),
    (0x0D, "Data48"),
    (0x0E, "Data56"),
    (0x0F, "Data64"),
    (0x10, "Boolean"),
    (0x18, "BITMAP8"),
    (0x19, "BITMAP16"),
    (0x1A, "BITMAP24"),
    (0x1B, "BITMAP32"),
    (0x1C, "BITMAP40"),
    (0x1D, "BITMAP48"),
    (0x1E, "BITMAP56"),
    (0x1F, "BITMAP64"),
    (0x20, "UINT8"),
    (0x21, "UINT16"),
    (0x22, "UINT24"),
    (0x23, "UINT32"),
    (0x24, "UINT40"),
    (0x25, "UINT48"),
    (0x26, "UINT56"),
    (0x27, "UINT64"),
    (0x28, "INT8"),
    (0x29, "INT16"),
    (0x2A, "INT24"),
    (0x2B, "INT32"),
    (0x2C, "INT40"),
    (0x2D, "INT48"),
    (0x2E, "INT56"),
    (0x2F, "INT64"),
    (0x30, "ENUM8"),
    (0x31, "ENUM16"),
    (0x38, "Semi-precision"),
    (0x39, "Single precision"),
    (0x3A, "Double precision"),
    (0x41, "Octet String"),
    (0x42, "Character String"),
    (0x43, "Long Octet String"),
    (0x44, "Long Character String"),
    (0x48, "Array"),
    (0x4C, "Structure"),
    (0x50, "Set"),
    (0x51, "Bag"),
    (0xE0, "Time of Day"),
    (0xE1, "Date"),
    (0xE2, "UTCTime"),
    (0xE8, "Cluster ID"),
    (0xE9, "Attribute ID"),
    (0xEA, "BACnet OID"),
    (0xF0, "IEEE Address"),
    (0xF1, "128-bit Security Key"),
    (0xFF, "Unknown"),
)

# ---- attributes: (cluster, attribute id, name); those GBCS reads in RTDS ----------------------

ATTRIBUTES = (
    (0x0000, 0x0003, "HW Version"),
    (0x0000, 0x0004, "Manufacturer Name"),
    (0x0000, 0x0005, "Model Identifier"),
    (0x0700, 0x0100, "Block 1 Threshold"),
    (0x0700, 0x0101, "Block 2 Threshold"),
    (0x0700, 0x0102, "Block 3 Threshold"),
    (0x0700, 0x0202, "Threshold Multiplier"),
    (0x0700, 0x0203, "Threshold Divisor"),
    (0x0700, 0x0301, "Standing Charge"),
    (0x0700, 0x0302, "Conversion Factor"),
    (0x0700, 0x0303, "Conversion Factor Trailing Digit"),
    (0x0700, 0x0304, "Calorific Value"),
    (0x0700, 0x0305, "Calorific Value Unit"),
    (0x0700, 0x0306, "Calorific Value Trailing Digit"),
    (0x0700, 0x0400, "No Tier Block 1 Price"),
    (0x0700, 0x0401, "No Tier Block 2 Price"),
    (0x0700, 0x0402, "No Tier Block 3 Price"),
    (0x0700, 0x0403, "No Tier Block 4 Price"),
    (0x0700, 0x0410, "Tier 1 Block 1 Price"),
    (0x0700, 0x0420, "Tier 2 Block 1 Price"),
    (0x0700, 0x0430, "Tier 3 Block 1 Price"),
    (0x0700, 0x0440, "Tier 4 Block 1 Price"),
    (0x0700, 0x0615, "Unit of Measure"),
    (0x0700, 0x0616, "Currency"),
    (0x0700, 0x0617, "Price Trailing Digit"),
    (0x0702, 0x0000, "Current Summation Delivered"),
    (0x0702, 0x0100, "Current Tier 1 Summation Delivered"),
    (0x0702, 0x0102, "Current Tier 2 Summation Delivered"),
    (0x0702, 0x0104, "Current Tier 3 Summation Delivered"),
    (0x0702, 0x0106, "Current Tier 4 Summation Delivered"),
    (0x0702, 0x0300, "Unit of Measure"),
    (0x0702, 0x0301, "Multiplier"),
    (0x0702, 0x0302, "Divisor"),
    (0x0702, 0x0307, "Site ID"),
    (0x0702, 0x0607, "Supply Tamper State"),
    (0x0702, 0x0608, "Supply Depletion State"),
    (0x0702, 0x0700, "Current No Tier Block 1 Summation Delivered"),
    (0x0702, 0x0701, "Current No Tier Block 2 Summation Delivered"),
    (0x0702, 0x0702, "Current No Tier Block 3 Summation Delivered"),
    (0x0702, 0x0703, "Current No Tier Block 4 Summation Delivered"),
    (0x0702, 0x0A00, "Bill to Date Delivered"),
    (0x0702, 0x0B10, "Uncontrolled Flow Threshold"),
    (0x0702, 0x0B11, "Uncontrolled Flow Threshold Unit of Measure"),
    (0x0702, 0x0B12, "Uncontrolled Flow Multiplier"),
    (0x0702, 0x0B13, "Uncontrolled Flow Divisor"),
    (0x0702, 0x0B14, "Flow Stabilisation Period"),
    (0x0702, 0x0B15, "Flow Measurement Period"),
    (0x0705, 0x0000, "Payment Control Configuration"),
    (0x0705, 0x0001, "Credit Remaining"),
    (0x0705, 0x0002, "Emergency Credit Remaining"),
    (0x0705, 0x0005, "Accumulated Debt"),
    (0x0705, 0x0006, "Overall Debt Cap"),
    (0x0705, 0x0010, "Emergency Credit Limit"),
    (0x0705, 0x0011, "Emergency Credit Threshold"),
    (0x0705, 0x0021, "Max Credit Limit"),
    (0x0705, 0x0022, "Max Credit Per Top Up"),
    (0x0705, 0x0031, "Low Credit Warning Level"),
    (0x0705, 0x0040, "Cut Off Value"),
    (0x0705, 0x0211, "Debt Amount 1 (Time-Based Debt 1)"),
    (0x0705, 0x0216, "Debt Recovery Frequency 1"),
    (0x0705, 0x0217, "Debt Recovery Amount 1"),
    (0x0705, 0x0221, "Debt Amount 2 (Time-Based Debt 2)"),
    (0x0705, 0x0226, "Debt Recovery Frequency 2"),
    (0x0705, 0x0227, "Debt Recovery Amount 2"),
    (0x0705, 0x0231, "Debt Amount 3 (Payment-Based Debt)"),
    (0x0705, 0x0239, "Debt Recovery Top Up Percentage 3"),
)

# ---- cluster-specific commands ----------------------------------------------------------------
# (cluster, direction, command id, name, layout); direction 0 = client to server, 1 = server to
# client (ZCL frame control bit 3). Layout None: name only, the payload stays raw octets.

_SNAPSHOT = (
    ("snapshot_id", "u32"),
    ("snapshot_time", "utc"),
    ("snapshots_found", "u8"),
    ("command_index", "u8"),
    ("total_commands", "u8"),
    ("snapshot_cause", "u32"),
    ("snapshot_payload_type", "u8"),
    ("snapshot_payload", "rest"),
)
_GET_SNAPSHOT = (
    ("earliest_start_time", "utc"),
    ("latest_end_time", "utc"),
    ("snapshot_offset", "u8"),
    ("snapshot_cause", "u32"),
)

COMMANDS = (
    # Price 0x0700
    (0x0700, 0, 0x00, "Get Current Price", (("command_options", "u8"),)),
    (0x0700, 0, 0x01, "Get Scheduled Prices", (("start_time", "utc"), ("number_of_events", "u8"))),
    (
        0x0700,
        0,
        0x0B,
        "Get Billing Period",
        (
            ("earliest_start_time", "utc"),
            ("min_issuer_event_id", "u32"),
            ("number_of_commands", "u8"),
            ("tariff_type", "u8"),
        ),
    ),
    (
        0x0700,
        1,
        0x00,
        "Publish Price",
        (
            ("provider_id", "u32"),
            ("rate_label", "oct"),
            ("issuer_event_id", "u32"),
            ("current_time", "utc"),
            ("unit_of_measure", "u8"),
            ("currency", "u16"),
            ("price_trailing_digit_and_tier", "u8"),
            ("number_of_price_tiers_and_register_tier", "u8"),
            ("start_time", "utc"),
            ("duration_minutes", "u16"),
            ("price", "u32"),
        ),
    ),
    (
        0x0700,
        1,
        0x01,
        "Publish Block Period",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("block_period_start_time", "utc"),
            ("block_period_duration", "u24"),
            ("block_period_control", "u8"),
            ("block_period_duration_type", "u8"),
            ("tariff_type", "u8"),
            ("tariff_resolution_period", "u8"),
        ),
    ),
    (
        0x0700,
        1,
        0x02,
        "Publish Conversion Factor",
        (
            ("issuer_event_id", "u32"),
            ("start_time", "utc"),
            ("conversion_factor", "u32"),
            ("conversion_factor_trailing_digit", "u8"),
        ),
    ),
    (
        0x0700,
        1,
        0x03,
        "Publish Calorific Value",
        (
            ("issuer_event_id", "u32"),
            ("start_time", "utc"),
            ("calorific_value", "u32"),
            ("calorific_value_unit", "u8"),
            ("calorific_value_trailing_digit", "u8"),
        ),
    ),
    (
        0x0700,
        1,
        0x04,
        "Publish Tariff Information",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("issuer_tariff_id", "u32"),
            ("start_time", "utc"),
            ("tariff_type_charging_scheme", "u8"),
            ("tariff_label", "oct"),
            ("number_of_price_tiers_in_use", "u8"),
            ("number_of_block_thresholds_in_use", "u8"),
            ("unit_of_measure", "u8"),
            ("currency", "u16"),
            ("price_trailing_digit", "u8"),
            ("standing_charge", "u32"),
            ("tier_block_mode", "u8"),
            ("block_threshold_multiplier", "u24"),
            ("block_threshold_divisor", "u24"),
        ),
    ),
    (
        0x0700,
        1,
        0x05,
        "Publish Price Matrix",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("start_time", "utc"),
            ("issuer_tariff_id", "u32"),
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("sub_payload_control", "u8"),
            ("prices", "*", (("tier_block_id", "u8"), ("price", "u32"))),
        ),
    ),
    (
        0x0700,
        1,
        0x06,
        "Publish Block Thresholds",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("start_time", "utc"),
            ("issuer_tariff_id", "u32"),
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("sub_payload_control", "u8"),
            ("tiers", "*", (("tier_and_number_of_thresholds", "u8"), ("thresholds", "u48*lo"))),
        ),
    ),
    (
        0x0700,
        1,
        0x09,
        "Publish Billing Period",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("billing_period_start_time", "utc"),
            ("billing_period_duration", "u24"),
            ("billing_period_duration_type", "u8"),
            ("tariff_type", "u8"),
        ),
    ),
    # Metering 0x0702
    (0x0702, 0, 0x06, "Get Snapshot", _GET_SNAPSHOT),
    (
        0x0702,
        0,
        0x07,
        "Start Sampling",
        (
            ("issuer_event_id", "u32"),
            ("start_sampling_time", "utc"),
            ("sample_type", "u8"),
            ("sample_request_interval", "u16"),
            ("max_number_of_samples", "u16"),
        ),
    ),
    (
        0x0702,
        0,
        0x08,
        "Get Sampled Data",
        (
            ("sample_id", "u16"),
            ("earliest_sample_time", "utc"),
            ("sample_type", "u8"),
            ("number_of_samples", "u16"),
        ),
    ),
    (
        0x0702,
        0,
        0x0B,
        "Change Supply",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("request_date_time", "utc"),
            ("implementation_date_time", "utc"),
            ("proposed_supply_status", "u8"),
            ("supply_control_bits", "u8"),
        ),
    ),
    (
        0x0702,
        0,
        0x0D,
        "Set Supply Status",
        (
            ("issuer_event_id", "u32"),
            ("supply_tamper_state", "u8"),
            ("supply_depletion_state", "u8"),
            ("supply_uncontrolled_flow_state", "u8"),
            ("load_limit_supply_state", "u8"),
        ),
    ),
    (
        0x0702,
        0,
        0x0E,
        "Set Uncontrolled Flow Threshold",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("uncontrolled_flow_threshold", "u16"),
            ("unit_of_measure", "u8"),
            ("multiplier", "u16"),
            ("divisor", "u16"),
            ("stabilisation_period", "u8"),
            ("measurement_period", "u16"),
        ),
    ),
    (0x0702, 1, 0x06, "Publish Snapshot", _SNAPSHOT),
    (
        0x0702,
        1,
        0x07,
        "Get Sampled Data Response",
        (
            ("sample_id", "u16"),
            ("sample_start_time", "utc"),
            ("sample_type", "u8"),
            ("sample_request_interval", "u16"),
            ("number_of_samples", "u16"),
            ("samples", "*", (("sample", "u24"),)),
        ),
    ),
    (
        0x0702,
        1,
        0x0C,
        "Supply Status Response",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("implementation_date_time", "utc"),
            ("supply_status", "u8"),
        ),
    ),
    (0x0702, 1, 0x0D, "Start Sampling Response", (("sample_id", "u16"),)),
    # Messaging 0x0703
    (0x0703, 0, 0x01, "Message Confirmation", None),
    (
        0x0703,
        1,
        0x00,
        "Display Message",
        (
            ("message_id", "u32"),
            ("message_control", "u8"),
            ("start_time", "utc"),
            ("duration_minutes", "u16"),
            ("message", "oct"),
        ),
    ),
    (0x0703, 1, 0x01, "Cancel Message", (("message_id", "u32"), ("message_control", "u8"))),
    # Prepayment 0x0705
    (
        0x0705,
        0,
        0x00,
        "Select Available Emergency Credit",
        (("command_issue_date_time", "utc"), ("originating_device", "u8")),
    ),
    (
        0x0705,
        0,
        0x02,
        "Change Debt",
        (
            ("issuer_event_id", "u32"),
            ("debt_label", "oct"),
            ("debt_amount", "u32"),
            ("debt_recovery_method", "u8"),
            ("debt_amount_type", "u8"),
            ("debt_recovery_start_time", "utc"),
            ("debt_recovery_collection_time", "u16"),
            ("debt_recovery_frequency", "u8"),
            ("debt_recovery_amount", "u32"),
            ("debt_recovery_balance_percentage", "u16"),
        ),
    ),
    (
        0x0705,
        0,
        0x03,
        "Emergency Credit Setup",
        (
            ("issuer_event_id", "u32"),
            ("start_time", "utc"),
            ("emergency_credit_limit", "u32"),
            ("emergency_credit_threshold", "u32"),
        ),
    ),
    (0x0705, 0, 0x04, "Consumer Top Up", (("originating_device", "u8"), ("top_up_code", "oct"))),
    (
        0x0705,
        0,
        0x05,
        "Credit Adjustment",
        (
            ("issuer_event_id", "u32"),
            ("start_time", "utc"),
            ("credit_adjustment_type", "u8"),
            ("credit_adjustment_value", "i32"),
        ),
    ),
    (
        0x0705,
        0,
        0x06,
        "Change Payment Mode",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("implementation_date_time", "utc"),
            ("proposed_payment_control_configuration", "u16"),
            ("cut_off_value", "i32"),
        ),
    ),
    (0x0705, 0, 0x07, "Get Prepay Snapshot", _GET_SNAPSHOT),
    (0x0705, 0, 0x08, "Get Top Up Log", (("latest_end_time", "utc"), ("number_of_records", "u8"))),
    (0x0705, 0, 0x09, "Set Low Credit Warning Level", (("low_credit_warning_level", "u32"),)),
    (
        0x0705,
        0,
        0x0A,
        "Get Debt Repayment Log",
        (("latest_end_time", "utc"), ("number_of_debts", "u8"), ("debt_type", "u8")),
    ),
    (
        0x0705,
        0,
        0x0B,
        "Set Maximum Credit Limit",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("implementation_date_time", "utc"),
            ("maximum_credit_level", "u32"),
            ("maximum_credit_per_top_up", "u32"),
        ),
    ),
    (
        0x0705,
        0,
        0x0C,
        "Set Overall Debt Cap",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("implementation_date_time", "utc"),
            ("overall_debt_cap", "u32"),
        ),
    ),
    (0x0705, 1, 0x01, "Publish Prepay Snapshot", _SNAPSHOT),
    (
        0x0705,
        1,
        0x02,
        "Change Payment Mode Response",
        (
            ("friendly_credit", "u8"),
            ("friendly_credit_calendar_id", "u32"),
            ("emergency_credit_limit", "u32"),
            ("emergency_credit_threshold", "u32"),
        ),
    ),
    (
        0x0705,
        1,
        0x03,
        "Consumer Top Up Response",
        (
            ("result_type", "u8"),
            ("top_up_value", "i32"),
            ("source_of_top_up", "u8"),
            ("credit_remaining", "i32"),
        ),
    ),
    (
        0x0705,
        1,
        0x05,
        "Publish Top Up Log",
        (
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("top_ups", "*", (("top_up_code", "oct"), ("top_up_amount", "i32"), ("top_up_time", "utc"))),
        ),
    ),
    (
        0x0705,
        1,
        0x06,
        "Publish Debt Log",
        (
            ("command_index", "u8"),
            ("total_commands", "u8"),
            (
                "debts",
                "*",
                (
                    ("collection_time", "utc"),
                    ("amount_collected", "u32"),
                    ("debt_type", "u8"),
                    ("outstanding_debt", "u32"),
                ),
            ),
        ),
    ),
    # Calendar 0x0707
    (
        0x0707,
        0,
        0x00,
        "Get Calendar",
        (
            ("earliest_start_time", "utc"),
            ("min_issuer_event_id", "u32"),
            ("number_of_calendars", "u8"),
            ("calendar_type", "u8"),
            ("provider_id", "u32"),
        ),
    ),
    (
        0x0707,
        0,
        0x01,
        "Get Day Profiles",
        (
            ("provider_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("start_day_id", "u8"),
            ("number_of_days", "u8"),
        ),
    ),
    (
        0x0707,
        0,
        0x02,
        "Get Week Profiles",
        (
            ("provider_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("start_week_id", "u8"),
            ("number_of_weeks", "u8"),
        ),
    ),
    (0x0707, 0, 0x03, "Get Seasons", (("provider_id", "u32"), ("issuer_calendar_id", "u32"))),
    (
        0x0707,
        0,
        0x04,
        "Get Special Days",
        (
            ("start_time", "utc"),
            ("number_of_events", "u8"),
            ("calendar_type", "u8"),
            ("provider_id", "u32"),
            ("issuer_calendar_id", "u32"),
        ),
    ),
    (
        0x0707,
        1,
        0x00,
        "Publish Calendar",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("start_time", "utc"),
            ("calendar_type", "u8"),
            ("calendar_time_reference", "u8"),
            ("calendar_name", "oct"),
            ("number_of_seasons", "u8"),
            ("number_of_week_profiles", "u8"),
            ("number_of_day_profiles", "u8"),
        ),
    ),
    (
        0x0707,
        1,
        0x01,
        "Publish Day Profile",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("day_id", "u8"),
            ("total_schedule_entries", "u8"),
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("calendar_type", "u8"),
            ("entries", "*", (("start_time", "u16"), ("value", "u8"))),
        ),
    ),
    (
        0x0707,
        1,
        0x02,
        "Publish Week Profile",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("week_id", "u8"),
            ("day_id_refs", "b7"),
        ),
    ),
    (
        0x0707,
        1,
        0x03,
        "Publish Seasons",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("seasons", "*", (("start_date", "date"), ("week_id_ref", "u8"))),
        ),
    ),
    (
        0x0707,
        1,
        0x04,
        "Publish Special Days",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("issuer_calendar_id", "u32"),
            ("start_time", "utc"),
            ("calendar_type", "u8"),
            ("total_special_days", "u8"),
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("special_days", "*", (("date", "date"), ("day_id_ref", "u8"))),
        ),
    ),
    # Device Management 0x0708
    (0x0708, 0, 0x02, "Request New Password", (("password_type", "u8"),)),
    (
        0x0708,
        0,
        0x04,
        "Report Event Configuration",
        (
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("events", "*", (("event_id", "u16"), ("event_configuration", "u8"))),
        ),
    ),
    (
        0x0708,
        1,
        0x00,
        "Publish Change of Tenancy",
        (
            ("provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("tariff_type", "u8"),
            ("implementation_date_time", "utc"),
            ("proposed_tenancy_change_control", "u32"),
        ),
    ),
    (
        0x0708,
        1,
        0x01,
        "Publish Change of Supplier",
        (
            ("current_provider_id", "u32"),
            ("issuer_event_id", "u32"),
            ("tariff_type", "u8"),
            ("proposed_provider_id", "u32"),
            ("provider_change_implementation_time", "utc"),
            ("provider_change_control", "u32"),
            ("proposed_provider_name", "oct"),
            ("proposed_provider_contact_details", "oct"),
        ),
    ),
    (
        0x0708,
        1,
        0x02,
        "Request New Password Response",
        (
            ("issuer_event_id", "u32"),
            ("implementation_date_time", "utc"),
            ("duration_minutes", "u16"),
            ("password_type", "u8"),
            ("password", "oct"),
        ),
    ),
    (
        0x0708,
        1,
        0x03,
        "Update Site ID",
        (
            ("issuer_event_id", "u32"),
            ("site_id_time", "utc"),
            ("provider_id", "u32"),
            ("site_id", "oct"),
        ),
    ),
    (
        0x0708,
        1,
        0x04,
        "Set Event Configuration",
        (
            ("issuer_event_id", "u32"),
            ("start_date_time", "utc"),
            ("event_configuration", "u8"),
            ("configuration_control", "u8"),
            # Its form depends on configuration_control (0: count + event IDs, 1: group, ...).
            ("event_configuration_payload", "rest"),
        ),
    ),
    (0x0708, 1, 0x05, "Get Event Configuration", (("event_id", "u16"),)),
    (
        0x0708,
        1,
        0x06,
        "Update CIN",
        (
            ("issuer_event_id", "u32"),
            ("cin_implementation_time", "utc"),
            ("provider_id", "u32"),
            ("customer_id_number", "oct"),
        ),
    ),
    # Events 0x0709
    (
        0x0709,
        0,
        0x00,
        "Get Event Log",
        (
            ("event_control_log_id", "u8"),
            ("event_id", "u16"),
            ("start_time", "utc"),
            ("end_time", "utc"),
            ("number_of_events", "u8"),
            ("event_offset", "u16"),
        ),
    ),
    (0x0709, 0, 0x01, "Clear Event Log Request", (("log_id", "u8"),)),
    (
        0x0709,
        1,
        0x00,
        "Publish Event",
        (
            ("log_id", "u8"),
            ("event_id", "u16"),
            ("event_time", "utc"),
            ("event_control", "u8"),
            ("event_data", "oct"),
        ),
    ),
    (
        0x0709,
        1,
        0x01,
        "Publish Event Log",
        (
            ("total_number_of_events", "u16"),
            ("command_index", "u8"),
            ("total_commands", "u8"),
            ("log_payload_control", "u8"),
            (
                "events",
                "*",
                (("log_id", "u8"), ("event_id", "u16"), ("event_time", "utc"), ("event_data", "oct")),
            ),
        ),
    ),
    (0x0709, 1, 0x02, "Clear Event Log Response", (("cleared_event_logs", "u8"),)),
)


# ---- snapshots (Metering Publish Snapshot, Prepayment Publish Prepay Snapshot) -----------------
# Snapshot cause bits (ZSE 1.4 SnapshotCause bitmap) that GBCS asks for: GCS16a general (the daily
# read log), GCS15c end of billing period, GCS15b tariff / supplier / payment mode (RTDS 0x6008).
SNAPSHOT_CAUSE_GENERAL = 0x00000001
SNAPSHOT_CAUSE_END_OF_BILLING_PERIOD = 0x00000002
SNAPSHOT_CAUSE_TARIFF = 0x00000008
SNAPSHOT_CAUSE_SUPPLIER = 0x00002000
SNAPSHOT_CAUSE_PAYMENT_MODE = 0x00004000
SNAPSHOT_CAUSE_ANY = 0xFFFFFFFF
# Snapshot payload types: Metering 6 "Block Tier Information Set Delivered (no billing)": current
# summation u48, TOU tier count u8, a u48 per tier, (block tiers << 4 | blocks) u8, a u48 per block;
# Prepayment 0 "Debt/Credit Status": accumulated debt u32, debt 1/2/3 remaining u32, emergency
# credit remaining i32, credit remaining i32 (RTDS 4.5.0 GCS15b/GCS15c/GCS16a).
SNAPSHOT_PAYLOAD_BLOCK_TIER_DELIVERED = 6
SNAPSHOT_PAYLOAD_DEBT_CREDIT_STATUS = 0

# ---- calendars (Calendar cluster Get Day Profiles / Week Profiles / Seasons / Special Days) ------
CALENDAR_DELIVERED = 0x00  # the tariff (TOU / block) calendar
CALENDAR_FRIENDLY_CREDIT = 0x03  # the non-disablement calendar
# Issuer calendar IDs that name "the calendar in force" of a type [RTDS 4.5.0: GCS21f reads the
# tariff calendar with 0xFFFFFFFF, GCS21b the friendly credit calendar with 0xFFFFFFFE].
CALENDAR_CURRENT_IDS = ((0xFFFFFFFF, CALENDAR_DELIVERED), (0xFFFFFFFE, CALENDAR_FRIENDLY_CREDIT))


def current_calendar_type(issuer_calendar_id):
    """The calendar type an issuer calendar ID stands for when it names "the one in force", or None."""
    for cid, kind in CALENDAR_CURRENT_IDS:
        if cid == issuer_calendar_id:
            return kind
    return None


# ---- lookups -------------------------------------------------------------------------------------


def _lookup(table, key):
    for row in table:
        if row[0] == key:
            return row[1]
    return None


def cluster_name(cluster_id):
    return _lookup(CLUSTERS, cluster_id)


def status_name(status):
    return _lookup(STATUS, status)


def data_type_name(type_id):
    return _lookup(DATA_TYPES, type_id)


def attribute_name(cluster_id, attribute_id):
    for c, a, name in ATTRIBUTES:
        if c == cluster_id and a == attribute_id:
            return name
    return None


def find_command(cluster_id, direction, command_id):
    """The (cluster, direction, id, name, layout) row of a cluster-specific command, or None."""
    for row in COMMANDS:
        if row[0] == cluster_id and row[1] == direction and row[2] == command_id:
            return row
    return None


def command_name(cluster_id, frame_control, command_id):
    """A readable name for a ZCL command given its cluster and frame control octet."""
    if frame_control & 0x03 == 0:
        return _lookup(GLOBAL_COMMANDS, command_id)
    row = find_command(cluster_id, (frame_control >> 3) & 1, command_id)
    return row[3] if row else None
