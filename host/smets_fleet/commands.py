"""Command payloads the head end sends, one builder per use case, from checked parameters.

Each builder takes a ``Build`` (the command's counter, originator and recipient, a UTRN maker, and
``notes`` for what the caller should see, such as the UTRN generated) and the parameters that
smets_fleet.srv has already checked, and returns the payload octets. The COSEM objects, ZSE
commands and data types are GBCS's (as the RTDS 4.5.0 command frames carry them); the values come
from the parameters. Only the objects a use case needs to mean what the parameters say are sent:
a tariff is one rate, a season and a day, not RTDS's 48-tier matrix.

Units: money parameters are in pence except the tariff's ``price`` and ``standing_charge``, which
are in milli-pence (10^-5 GBP, the meter's own unit; prices need the fraction of a penny). Times
are core seconds (smets.timeutil) or None for "now".
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smets.behaviour.firmware_store import OTA_MAGIC, OTA_MIN_HEADER
from smets.behaviour.timeutil import UNIX_OFFSET, civil_from_days
from smets.security import utrn as ut
from smets.usecases import esme_model as em
from smets.usecases import gas, prepayment, supply
from smets.usecases.common import obis
from smets.wire import der, dlms, gbz
from smets.wire import dlms_axdr as ax

PENCE = 1000  # the meter's money unit is 10^-5 GBP: 1,000 per penny
POUND = 100 * PENCE
LONG_MAX = 0x7FFF
INT32_MAX = 0x7FFFFFFF


class ParamError(ValueError):
    """A parameter the device's wire format cannot carry (one line, names the parameter)."""


@dataclass
class Build:
    counter: int
    originator: bytes
    recipient: bytes
    utrn: Callable[[int, int], str]  # (value, value class) -> 20 digits, for this command's counter
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def invoke_id(self) -> int:
        return dlms.BREAK_ON_ERROR | (self.counter & dlms.INVOKE_ID_MASK)

    @property
    def issuer_event_id(self) -> int:
        return self.counter & 0xFFFFFFFF


# ---- shared pieces -------------------------------------------------------------------------------

NOW_DATE_TIME = b"\x00" * 9 + b"\x80\x00\xff"  # DLMS date-time "now" (all fields zero, as RTDS)


def dlms_time(at: int | None) -> tuple[int, bytes]:
    """A DLMS activation date-time: now, or the core time `at`."""
    return (ax.T_OCTET_STRING, NOW_DATE_TIME if at is None else ax.datetime_from_utc(at + UNIX_OFFSET))


def zcl_time(at: int | None) -> int:
    """ZSE implementation/start time: 0 is now, else UTC seconds since 2000 (the core's clock)."""
    return 0 if at is None else at


def request(b: Build, specs: list[dlms.Spec], data: list[Any]) -> bytes:
    return dlms.build_payload(dlms.AccessRequest(b.invoke_id, specs, data))


def gbz_payload(components: list[gbz.Component]) -> bytes:
    for i, c in enumerate(components):
        c.sequence = i
        c.control = (c.control & ~gbz.CTRL_LAST & 0xFF) | (gbz.CTRL_LAST if i == len(components) - 1 else 0)
    return gbz.build_payload(gbz.Gbz(components))


FC_CLIENT = 0x01  # cluster-specific, client to server
FC_SERVER = 0x09  # cluster-specific, server to client (the Publish commands)


def zcl(
    cluster: int,
    command_id: int,
    name: str,
    fields: list[list[Any]],
    fc: int = FC_CLIENT,
    from_date_time: int | None = None,
) -> gbz.Component:
    c = gbz.Component(cluster, command_id, b"", fc)
    if from_date_time is not None:
        c.control |= gbz.CTRL_FROM_DATE_TIME
        c.from_date_time = from_date_time
    c.set_command(gbz.ZclCommand(name, fields))
    return c


def read_attributes(cluster: int, attributes: list[int]) -> gbz.Component:
    c = gbz.Component(cluster, 0x00, b"", 0x00)
    c.set_command(gbz.ZclCommand("Read Attributes", [["attributes", list(attributes)]]))
    return c


def money(pence: int) -> int:
    return pence * PENCE


def scaled_long(value_mp: int, what: str) -> tuple[int, int]:
    """(price scale, value) of a milli-pence amount as a DLMS 'long' with the finest scale that holds
    it exactly: scale -5 (milli-pence) up to 32767, then -4, -3 (tenths of pence)..."""
    for scale in (-5, -4, -3, -2):
        step = 10 ** (scale + 5)
        if value_mp % step == 0 and value_mp // step <= LONG_MAX:
            return scale, value_mp // step
    raise ParamError("%s=%d milli-pence does not fit the ESME's tariff format" % (what, value_mp))


def unit_charge(scale: int, rate: int, commodity: tuple[int, bytes, int], index: bytes) -> Any:
    """A Charge unit_charge: {charge_per_unit_scaling {commodity scale, price scale}, commodity
    {class, logical name, attribute}, charge_prices [{index, charge_per_unit}]}."""
    cls, name, attr = commodity
    commodity_scale = 3 if cls else 0  # prices per kWh (Wh x 10^3) for an energy register
    return (
        ax.T_STRUCTURE,
        [
            (ax.T_STRUCTURE, [(ax.T_INTEGER, commodity_scale), (ax.T_INTEGER, scale)]),
            (ax.T_STRUCTURE, [(ax.T_LONG_UNSIGNED, cls), (ax.T_OCTET_STRING, name), (ax.T_INTEGER, attr)]),
            (
                ax.T_ARRAY,
                [(ax.T_STRUCTURE, [(ax.T_OCTET_STRING, index), (ax.T_LONG, rate)])],
            ),
        ],
    )


NO_COMMODITY = (0, b"\x00" * 6, 0)
ACTIVE_IMPORT = (3, obis(1, 0, 1, 8, 0), 2)  # register 1-0:1.8.0.255 value

# ---- ESME (DLMS) -----------------------------------------------------------------------------

ACTIVITY_CALENDAR = 20
TARIFF_SWITCHING_TABLE = obis(0, 0, 13, 0, 0)
TARIFF_SCRIPTS = obis(0, 0, 10, 0, 100)
STANDING_CHARGE = obis(0, 0, 19, 20, 4)
PRICE_MATRIX = obis(0, 0, 19, 20, 0)
SEASON_PASSIVE, WEEK_PASSIVE, DAY_PASSIVE, CALENDAR_ACTIVATION = 7, 8, 9, 10
UNIT_CHARGE_PASSIVE, UNIT_CHARGE_ACTIVATION = 6, 7


def esme_set_tariff(b: Build, p: dict[str, Any]) -> bytes:
    """ECS01a: one season from 2000, one week of one day, one switch at 00:00 to rate 1; the TOU
    price of rate 1 and the standing charge; all activated at `at`."""
    price_scale, price = scaled_long(p["price"], "price")
    standing_scale, standing = scaled_long(p["standing_charge"], "standing_charge")
    week = b"\x01"
    season = (
        ax.T_STRUCTURE,
        [
            (ax.T_OCTET_STRING, b"all"),
            (ax.T_OCTET_STRING, ax.datetime_from_utc(UNIX_OFFSET)),
            (ax.T_OCTET_STRING, week),
        ],
    )
    week_profile = (ax.T_STRUCTURE, [(ax.T_OCTET_STRING, week)] + [(ax.T_UNSIGNED, 1)] * 7)
    switch = (
        ax.T_STRUCTURE,
        [(ax.T_OCTET_STRING, b"\x00" * 4), (ax.T_OCTET_STRING, TARIFF_SCRIPTS), (ax.T_LONG_UNSIGNED, 1)],
    )
    day = (ax.T_STRUCTURE, [(ax.T_UNSIGNED, 1), (ax.T_ARRAY, [switch])])
    cal = (ACTIVITY_CALENDAR, TARIFF_SWITCHING_TABLE)
    specs = [
        dlms.Spec(dlms.SET, *cal, SEASON_PASSIVE),
        dlms.Spec(dlms.SET, *cal, WEEK_PASSIVE),
        dlms.Spec(dlms.SET, *cal, DAY_PASSIVE),
        dlms.Spec(dlms.SET, em.CHARGE, STANDING_CHARGE, UNIT_CHARGE_PASSIVE),
        dlms.Spec(dlms.SET, em.CHARGE, PRICE_MATRIX, UNIT_CHARGE_PASSIVE),
        dlms.Spec(dlms.SET, *cal, CALENDAR_ACTIVATION),
        dlms.Spec(dlms.SET, em.CHARGE, STANDING_CHARGE, UNIT_CHARGE_ACTIVATION),
        dlms.Spec(dlms.SET, em.CHARGE, PRICE_MATRIX, UNIT_CHARGE_ACTIVATION),
    ]
    when = dlms_time(p.get("at"))
    data = [
        (ax.T_ARRAY, [season]),
        (ax.T_ARRAY, [week_profile]),
        (ax.T_ARRAY, [day]),
        unit_charge(standing_scale, standing, NO_COMMODITY, b""),
        unit_charge(price_scale, price, ACTIVE_IMPORT, b"\x01"),
        when,
        when,
        when,
    ]
    return request(b, specs, data)


def esme_adjust_balance(b: Build, p: dict[str, Any]) -> bytes:
    """ECS04a: Credit (meter balance) update_amount(delta)."""
    spec = dlms.Spec(dlms.ACTION, em.CREDIT, em.METER_BALANCE, prepayment.UPDATE_AMOUNT)
    return request(b, [spec], [(ax.T_DOUBLE_LONG, money(p["amount"]))])


def credit_charge_configuration() -> Any:
    """Which credit pays which charge (Account credit_charge_configuration): meter balance and
    emergency credit pay the TOU and standing charges and the three debts, all collected also while
    supply is disabled (flags 111)."""
    pairs = []
    for credit in (em.METER_BALANCE, em.EMERGENCY_CREDIT):
        for charge in (PRICE_MATRIX, STANDING_CHARGE, em.TIME_DEBT_1, em.TIME_DEBT_2, em.PAYMENT_DEBT):
            pairs.append(
                (
                    ax.T_STRUCTURE,
                    [
                        (ax.T_OCTET_STRING, credit),
                        (ax.T_OCTET_STRING, charge),
                        (ax.T_BIT_STRING, (3, b"\xe0")),
                    ],
                )
            )
    return (ax.T_ARRAY, pairs)


MODE_CREDIT = 1  # Account payment mode (IEC 62056-6-2 class 111)
MODE_PREPAYMENT = 2


def esme_payment_mode(b: Build, p: dict[str, Any]) -> bytes:
    """ECS02 (credit) / ECS03 (prepayment, with the disablement threshold)."""
    prepay = p["mode"] == "prepayment"
    account = (prepayment.ACCOUNT, prepayment.ACCOUNT_PASSIVE)
    threshold = (prepayment.EXTENDED, prepayment.DISABLEMENT_THRESHOLD)
    mode = (ax.T_STRUCTURE, [(ax.T_ENUM, MODE_PREPAYMENT if prepay else MODE_CREDIT), (ax.T_ENUM, 1)])
    when = dlms_time(p.get("at"))
    specs = [dlms.Spec(dlms.SET, *account, prepayment.ACCOUNT_MODE_AND_STATUS)]
    data: list[Any] = [mode]
    if prepay:
        specs.append(dlms.Spec(dlms.SET, *threshold, prepayment.PASSIVE_VALUE))
        data.append((ax.T_DOUBLE_LONG, money(p["disablement_threshold"])))
    specs.append(dlms.Spec(dlms.SET, *account, prepayment.CREDIT_CHARGE_CONFIGURATION))
    data.append(credit_charge_configuration())
    if prepay:
        specs.append(dlms.Spec(dlms.SET, *threshold, prepayment.ACTIVATION_TIME))
        data.append(when)
    specs.append(dlms.Spec(dlms.SET, *account, prepayment.ACCOUNT_ACTIVATION_TIME))
    data.append(when)
    return request(b, specs, data)


def esme_prepay_config(b: Build, p: dict[str, Any]) -> bytes:
    """ECS08a: the passive value of each threshold and its activation time."""
    values = (
        (prepayment.MAX_METER_BALANCE, ax.T_DOUBLE_LONG, money(p["max_meter_balance"])),
        (prepayment.MAX_CREDIT, ax.T_DOUBLE_LONG, money(p["max_credit"])),
        (prepayment.CAP_AMOUNT, ax.T_LONG_UNSIGNED, p["debt_cap"] // 100),  # whole pounds on the ESME
        (prepayment.CAP_PERIOD, ax.T_DOUBLE_LONG, p["cap_period"]),
        (prepayment.LOW_CREDIT, ax.T_DOUBLE_LONG, money(p["low_credit"])),
        (prepayment.EC_LIMIT, ax.T_DOUBLE_LONG, money(p["ec_limit"])),
        (prepayment.EC_THRESHOLD, ax.T_DOUBLE_LONG, money(p["ec_threshold"])),
    )
    if p["debt_cap"] % 100 or p["debt_cap"] // 100 > 0xFFFF:
        raise ParamError("debt_cap must be whole pounds (a multiple of 100 pence) on the ESME")
    specs = [
        dlms.Spec(dlms.SET, prepayment.EXTENDED, obj, prepayment.PASSIVE_VALUE) for obj, _t, _v in values
    ]
    data: list[Any] = [(t, v) for _obj, t, v in values]
    when = dlms_time(p.get("at"))
    for obj, _t, _v in values:
        specs.append(dlms.Spec(dlms.SET, prepayment.EXTENDED, obj, prepayment.ACTIVATION_TIME))
        data.append(when)
    return request(b, specs, data)


def utrn_for(b: Build, amount_pence: int) -> str:
    """A UTRN for `amount_pence` under the command's counter: pennies up to 8191, else whole pounds."""
    if 0 < amount_pence <= ut.MAX_VALUE:
        value, value_class = amount_pence, ut.VALUE_CLASS_PENNIES
    elif amount_pence % 100 == 0 and 0 < amount_pence // 100 <= ut.MAX_VALUE:
        value, value_class = amount_pence // 100, ut.VALUE_CLASS_POUNDS
    else:
        raise ParamError("amount=%d: a UTRN carries 1..8191 pence or 1..8191 whole pounds" % amount_pence)
    digits = b.utrn(value, value_class)
    b.notes["utrn"] = digits
    b.notes["amount"] = amount_pence * PENCE
    return digits


def esme_top_up(b: Build, p: dict[str, Any]) -> bytes:
    """CS01a: Token Gateway enter(UTRN)."""
    digits = utrn_for(b, p["amount"])
    spec = dlms.Spec(dlms.ACTION, prepayment.TOKEN_GATEWAY, prepayment.TOKEN_GATEWAY_OBJ, prepayment.ENTER)
    return request(b, [spec], [(ax.T_OCTET_STRING, digits.encode())])


DAILY = 86400
HOURLY = 3600
PERIODS = {"daily": DAILY, "hourly": HOURLY}


def esme_update_debt(b: Build, p: dict[str, Any]) -> bytes:
    """ECS07: time-debt recovery rates (pence per period) and periods, the payment-based share, then
    the signed adjustments of TDR1, TDR2 and the payment debt register."""
    charge = em.CHARGE
    for name in ("tdr1_rate", "tdr2_rate"):
        if p[name] > LONG_MAX:
            raise ParamError("%s must be at most %d pence on the ESME" % (name, LONG_MAX))
    specs = [
        dlms.Spec(dlms.SET, charge, em.TIME_DEBT_1, prepayment.UNIT_CHARGE_PASSIVE),
        dlms.Spec(dlms.SET, charge, em.TIME_DEBT_2, prepayment.UNIT_CHARGE_PASSIVE),
        dlms.Spec(dlms.SET, charge, em.PAYMENT_DEBT, prepayment.PROPORTION),
        dlms.Spec(dlms.SET, charge, em.TIME_DEBT_1, prepayment.PERIOD),
        dlms.Spec(dlms.SET, charge, em.TIME_DEBT_2, prepayment.PERIOD),
        dlms.Spec(dlms.ACTION, charge, em.TIME_DEBT_1, 2),  # activate_passive_unit_charge
        dlms.Spec(dlms.ACTION, charge, em.TIME_DEBT_2, 2),
        dlms.Spec(dlms.ACTION, charge, em.PAYMENT_DEBT, prepayment.UPDATE_TOTAL_AMOUNT_REMAINING),
        dlms.Spec(dlms.ACTION, charge, em.TIME_DEBT_1, prepayment.UPDATE_TOTAL_AMOUNT_REMAINING),
        dlms.Spec(dlms.ACTION, charge, em.TIME_DEBT_2, prepayment.UPDATE_TOTAL_AMOUNT_REMAINING),
    ]
    data = [
        unit_charge(-2, p["tdr1_rate"], NO_COMMODITY, b""),  # rates in pence: price scale -2
        unit_charge(-2, p["tdr2_rate"], NO_COMMODITY, b""),
        (ax.T_LONG_UNSIGNED, p["pdr_percent"] * 100),  # hundredths of a percent
        (ax.T_DOUBLE_LONG_UNSIGNED, PERIODS[p["tdr1_period"]]),
        (ax.T_DOUBLE_LONG_UNSIGNED, PERIODS[p["tdr2_period"]]),
        (ax.T_INTEGER, 0),
        (ax.T_INTEGER, 0),
        (ax.T_DOUBLE_LONG, money(p["pdr"])),
        (ax.T_DOUBLE_LONG, money(p["tdr1"])),
        (ax.T_DOUBLE_LONG, money(p["tdr2"])),
    ]
    return request(b, specs, data)


DEBT_REGISTERS = {"tdr1": em.TIME_DEBT_1, "tdr2": em.TIME_DEBT_2, "pdr": em.PAYMENT_DEBT}


def esme_reset_debt(b: Build, p: dict[str, Any]) -> bytes:
    """ECS07R1/R2/R3 (SECMP0002, provisional codes): set_total_amount_remaining(0)."""
    return dlms.build_payload(prepayment.reset_request(b.invoke_id, DEBT_REGISTERS[p["register"]]))


def esme_activate_ec(b: Build, p: dict[str, Any]) -> bytes:
    """ECS09: Credit (emergency credit) invoke_credit."""
    spec = dlms.Spec(dlms.ACTION, em.CREDIT, em.EMERGENCY_CREDIT, prepayment.INVOKE_CREDIT)
    return request(b, [spec], [(ax.T_INTEGER, 0)])


def esme_supply(selector: int) -> Callable[[Build, dict[str, Any]], bytes]:
    """ECS42 / ECS43 / ECS44: the supply script table's execute(selector)."""

    def build(b: Build, p: dict[str, Any]) -> bytes:
        spec = dlms.Spec(dlms.ACTION, supply.SCRIPT_TABLE, supply.SUPPLY_SCRIPTS, supply.EXECUTE)
        return request(b, [spec], [(ax.T_LONG_UNSIGNED, selector)])

    return build


def esme_get(class_id: int, instance: bytes, attr: int) -> Callable[[Build, dict[str, Any]], bytes]:
    def build(b: Build, p: dict[str, Any]) -> bytes:
        return request(b, [dlms.Spec(dlms.GET, class_id, instance, attr)], [(ax.T_NULL, None)])

    return build


DATA_PROTECTION = obis(0, 0, 43, 2, 1)


def esme_read_registers(b: Build, p: dict[str, Any]) -> bytes:
    """ECS19: get_protected_attributes of the prepayment registers (the response is encrypted)."""
    wanted = (
        ax.T_STRUCTURE,
        [
            (ax.T_LONG_UNSIGNED, em.DATA),
            (ax.T_OCTET_STRING, em.PREPAYMENT_REGISTERS),
            (ax.T_INTEGER, 2),
            (ax.T_LONG_UNSIGNED, 0),
            (ax.T_STRUCTURE, [(ax.T_ENUM, 0), (ax.T_NULL, None)]),
        ],
    )
    params = dlms.protection_parameters(dlms.transaction_id(b.counter), b.originator, b.recipient)
    value = (ax.T_STRUCTURE, [(ax.T_ARRAY, [wanted]), params])
    spec = dlms.Spec(dlms.ACTION, dlms.DATA_PROTECTION_CLASS, DATA_PROTECTION, dlms.GET_PROTECTED_ATTRIBUTES)
    return request(b, [spec], [value])


# ---- firmware (DER, both meters) ---------------------------------------------------------------


def activate_firmware(b: Build, p: dict[str, Any]) -> bytes:
    """CS06: SEQUENCE { manufacturer image hash, originator counter, [execution date-time] }."""
    parts = [der.make_octets(p["image_hash"]), der.make_int(b.counter)]
    at = p.get("at")
    if at is not None:
        y, mo, d = civil_from_days(at // 86400)
        r = at % 86400
        parts.append(der.make_generalized_time(y, mo, d, r // 3600, (r // 60) % 60, r % 60))
    return der.build_payload(der.make_sequence(parts))


def ota_image(version: int, body: bytes, manufacturer: int = 0, image_type: int = 0) -> bytes:
    """A ZigBee OTA image (the header a meter's firmware store checks) around `body`."""
    total = OTA_MIN_HEADER + len(body)
    header = struct.pack(
        "<IHHHHHIH32sI",
        OTA_MAGIC,
        0x0100,
        OTA_MIN_HEADER,
        0,
        manufacturer,
        image_type,
        version,
        2,
        b"",
        total,
    )
    return header + body


def manufacturer_image_hash(image: bytes) -> bytes:
    """The hash CS06 names: SHA-256 over the image after its OTA header (as the meters compute it)."""
    header_length = struct.unpack_from("<H", image, 6)[0]
    return hashlib.sha256(image[header_length:]).digest()


# ---- GSME / GPF (GBZ) -----------------------------------------------------------------------------

PRICE = gas.PRICE
CALENDAR = gas.CALENDAR
PREPAY = gas.PREPAYMENT_CLUSTER
METERING = gas.METERING
GBP = 826  # ISO 4217
TRAILING_DIGITS_MP = 0x50  # price trailing digit 5 (upper nibble): prices in 10^-5 GBP
EVERY_YEAR_1_JAN = b"\xff\x01\x01\xff"  # ZCL date: any year, 1 January, any weekday


def gsme_set_tariff(b: Build, p: dict[str, Any]) -> bytes:
    """GCS01a: a delivered calendar of one season, one week, one day on tier 1; the tariff
    information (standing charge) and the price of tier 1."""
    ev, start = b.issuer_event_id, zcl_time(p.get("at"))
    cal_id = ev
    head = [["provider_id", 0], ["issuer_event_id", ev], ["issuer_calendar_id", cal_id]]
    comps = [
        zcl(
            CALENDAR,
            0x00,
            "Publish Calendar",
            head
            + [
                ["start_time", start],
                ["calendar_type", 0],
                ["calendar_time_reference", 0],
                ["calendar_name", b""],
                ["number_of_seasons", 1],
                ["number_of_week_profiles", 1],
                ["number_of_day_profiles", 1],
            ],
            FC_SERVER,
        ),
        zcl(
            CALENDAR,
            0x01,
            "Publish Day Profile",
            head
            + [
                ["day_id", 1],
                ["total_schedule_entries", 1],
                ["command_index", 0],
                ["total_commands", 1],
                ["calendar_type", 0],
                ["entries", [[["start_time", 0], ["value", 1]]]],
            ],
            FC_SERVER,
        ),
        zcl(
            CALENDAR,
            0x02,
            "Publish Week Profile",
            head + [["week_id", 1], ["day_id_refs", b"\x01" * 7]],
            FC_SERVER,
        ),
        zcl(
            CALENDAR,
            0x03,
            "Publish Seasons",
            head
            + [
                ["command_index", 0],
                ["total_commands", 1],
                ["seasons", [[["start_date", EVERY_YEAR_1_JAN], ["week_id_ref", 1]]]],
            ],
            FC_SERVER,
        ),
        zcl(
            PRICE,
            0x04,
            "Publish Tariff Information",
            [
                ["provider_id", 0],
                ["issuer_event_id", ev],
                ["issuer_tariff_id", 1],
                ["start_time", start],
                ["tariff_type_charging_scheme", 0],
                ["tariff_label", b""],
                ["number_of_price_tiers_in_use", 1],
                ["number_of_block_thresholds_in_use", 0],
                ["unit_of_measure", 0],
                ["currency", GBP],
                ["price_trailing_digit", TRAILING_DIGITS_MP],
                ["standing_charge", p["standing_charge"]],
                ["tier_block_mode", 0xFF],
                ["block_threshold_multiplier", 1],
                ["block_threshold_divisor", 1000],
            ],
            FC_SERVER,
        ),
        zcl(
            PRICE,
            0x05,
            "Publish Price Matrix",
            [
                ["provider_id", 0],
                ["issuer_event_id", ev],
                ["start_time", start],
                ["issuer_tariff_id", 1],
                ["command_index", 0],
                ["total_commands", 1],
                ["sub_payload_control", 1],  # TOU prices
                ["prices", [[["tier_block_id", 1], ["price", p["price"]]]]],
            ],
            FC_SERVER,
        ),
    ]
    return gbz_payload(comps)


def gsme_adjust_balance(b: Build, p: dict[str, Any]) -> bytes:
    """GCS40a: Credit Adjustment, incremental (type 0)."""
    fields = [
        ["issuer_event_id", b.issuer_event_id],
        ["start_time", 0],
        ["credit_adjustment_type", 0],
        ["credit_adjustment_value", money(p["amount"])],
    ]
    return gbz_payload([zcl(PREPAY, 0x05, "Credit Adjustment", fields)])


def gsme_payment_mode(b: Build, p: dict[str, Any]) -> bytes:
    """GCS02 / GCS03: Change Payment Mode with the GBCS payment control configuration."""
    prepay = p["mode"] == "prepayment"
    # credit; prepayment with debt collected in emergency credit and while disabled
    pcc = (gas.PCC_PREPAYMENT_BASE | gas.PCC_DEBT_COLLECTED_IN_EMERGENCY) if prepay else gas.PCC_CREDIT
    fields = [
        ["provider_id", 0],
        ["issuer_event_id", b.issuer_event_id],
        ["implementation_date_time", zcl_time(p.get("at"))],
        ["proposed_payment_control_configuration", pcc],
        ["cut_off_value", money(p["disablement_threshold"]) if prepay else 0],
    ]
    return gbz_payload([zcl(PREPAY, 0x06, "Change Payment Mode", fields)])


def gsme_prepay_config(b: Build, p: dict[str, Any]) -> bytes:
    """GCS05: emergency credit setup, overall debt cap, low credit warning level, maximum credit."""
    ev, at = b.issuer_event_id, zcl_time(p.get("at"))
    comps = [
        zcl(
            PREPAY,
            0x03,
            "Emergency Credit Setup",
            [
                ["issuer_event_id", ev],
                ["start_time", at],
                ["emergency_credit_limit", money(p["ec_limit"])],
                ["emergency_credit_threshold", money(p["ec_threshold"])],
            ],
        ),
        zcl(
            PREPAY,
            0x0C,
            "Set Overall Debt Cap",
            [
                ["provider_id", 0],
                ["issuer_event_id", ev],
                ["implementation_date_time", at],
                ["overall_debt_cap", money(p["debt_cap"])],
            ],
        ),
        zcl(
            PREPAY,
            0x09,
            "Set Low Credit Warning Level",
            [["low_credit_warning_level", money(p["low_credit"])]],
            from_date_time=at,
        ),
        zcl(
            PREPAY,
            0x0B,
            "Set Maximum Credit Limit",
            [
                ["provider_id", 0],
                ["issuer_event_id", ev],
                ["implementation_date_time", at],
                ["maximum_credit_level", money(p["max_credit"])],
                ["maximum_credit_per_top_up", money(p["max_credit"])],
            ],
        ),
    ]
    return gbz_payload(comps)


def gsme_top_up(b: Build, p: dict[str, Any]) -> bytes:
    """CS01b: Consumer Top Up with the UTRN."""
    digits = utrn_for(b, p["amount"])
    fields: list[list[Any]] = [["originating_device", 0], ["top_up_code", digits.encode()]]
    return gbz_payload([zcl(PREPAY, 0x04, "Consumer Top Up", fields)])


FREQUENCY = {"hourly": 0, "daily": 1}  # ZSE debt recovery frequency
# Change Debt amount types: incremental and absolute, by register (ZSE Prepayment cluster).
INCREMENTAL = {"tdr1": 1, "tdr2": 3, "pdr": 5}
ABSOLUTE = {"tdr1": 0, "tdr2": 2, "pdr": 4}


def change_debt(b: Build, kind: int, amount: int, frequency: int = 1, rate: int = 0, share: int = 0) -> Any:
    fields: list[list[Any]] = [
        ["issuer_event_id", b.issuer_event_id],
        ["debt_label", b""],
        ["debt_amount", amount],
        ["debt_recovery_method", 1 if kind >= 4 else 0],  # payment-based for the payment debt
        ["debt_amount_type", kind],
        ["debt_recovery_start_time", 0],
        ["debt_recovery_collection_time", 0],
        ["debt_recovery_frequency", frequency],
        ["debt_recovery_amount", rate],
        ["debt_recovery_balance_percentage", share],
    ]
    return zcl(PREPAY, 0x02, "Change Debt", fields)


def gsme_update_debt(b: Build, p: dict[str, Any]) -> bytes:
    """GCS04: one Change Debt per register: its recovery settings and the amount to add."""
    for name in ("tdr1", "tdr2", "pdr"):
        if p[name] < 0:
            raise ParamError("%s=%d: the GSME's Change Debt only adds debt (>= 0)" % (name, p[name]))
    comps = [
        change_debt(
            b, INCREMENTAL["tdr1"], money(p["tdr1"]), FREQUENCY[p["tdr1_period"]], money(p["tdr1_rate"])
        ),
        change_debt(
            b, INCREMENTAL["tdr2"], money(p["tdr2"]), FREQUENCY[p["tdr2_period"]], money(p["tdr2_rate"])
        ),
        change_debt(b, INCREMENTAL["pdr"], money(p["pdr"]), share=p["pdr_percent"] * 100),
    ]
    return gbz_payload(comps)


def gsme_reset_debt(b: Build, p: dict[str, Any]) -> bytes:
    """GCS04R1/R2/R3 (SECMP0002, provisional codes): Change Debt, absolute type, amount 0."""
    return gbz_payload([change_debt(b, ABSOLUTE[p["register"]], 0)])


SUPPLY_STATUS = {"disable": gas.SUPPLY_OFF, "arm": gas.SUPPLY_ARMED}


def gsme_supply(action: str) -> Callable[[Build, dict[str, Any]], bytes]:
    """GCS32 (close the valve) / GCS39 (arm it): Metering Change Supply."""

    def build(b: Build, p: dict[str, Any]) -> bytes:
        fields = [
            ["provider_id", 0],
            ["issuer_event_id", b.issuer_event_id],
            ["request_date_time", 0],
            ["implementation_date_time", 0],
            ["proposed_supply_status", SUPPLY_STATUS[action]],
            ["supply_control_bits", 0x01],  # acknowledge required
        ]
        return gbz_payload([zcl(METERING, 0x0B, "Change Supply", fields)])

    return build


def gbz_read(cluster: int, attributes: list[int]) -> Callable[[Build, dict[str, Any]], bytes]:
    def build(b: Build, p: dict[str, Any]) -> bytes:
        return gbz_payload([read_attributes(cluster, attributes)])

    return build


# Prepayment cluster attributes (ZSE), by the name the head end reports them under.
PREPAY_ATTRIBUTES = {
    0x0001: "balance",
    0x0002: "ec_balance",
    0x0005: "accumulated_debt",
    0x0231: "pdr",
    0x0211: "tdr1",
    0x0221: "tdr2",
}
SUPPLY_STATUS_ATTRIBUTE = 0x0014  # Metering
LOG_GENERAL = 3
LOG_SECURITY = 4
LOG_CONTROL = 0x10  # Get Event Log: the log ID in the low nibble, "all events" control above it
ZCL_LATEST = 0xFFFFFFFF


LOG_IDS = {"event": LOG_GENERAL, "security": LOG_SECURITY}


def gsme_read_log(b: Build, p: dict[str, Any]) -> bytes:
    """CS10a / CS10b: Get Event Log of the general (3) or security (4) log, all events."""
    fields = [
        ["event_control_log_id", LOG_CONTROL | LOG_IDS[p["log"]]],
        ["event_id", 0],
        ["start_time", 0],
        ["end_time", ZCL_LATEST],
        ["number_of_events", 0],
        ["event_offset", 0],
    ]
    return gbz_payload([zcl(gas.EVENTS, 0x00, "Get Event Log", fields)])


def gsme_top_up_log(b: Build, p: dict[str, Any]) -> bytes:
    """GCS15e: Get Top Up Log, every record the meter keeps."""
    fields = [["latest_end_time", ZCL_LATEST], ["number_of_records", 0]]
    return gbz_payload([zcl(PREPAY, 0x08, "Get Top Up Log", fields, from_date_time=0)])
