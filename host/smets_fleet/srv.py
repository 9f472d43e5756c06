"""The head end's catalogue of service requests: one table, ``CATALOGUE``, of what it can send.

Each row: the service request's name (``top-up``) and DUIS SRV number (``2.2``; None for the
SECMP0002 debt reset, which has none yet), the device kind it targets, the GBCS use case(s) it
sends (a parameter picks one where the SRV has several), its parameters with their checks, and the
functions that build the command payload (smets_fleet.commands) and decode the response
(smets_fleet.responses). Whether a use case is critical is the message-code table's fact
(smets.wire.message_codes), not repeated here.

Every row is answered successfully by the emulated devices (tests/host/test_headend.py sends each
one to a premises). Reads the firmware keeps only as stored values (the ESME event and security
logs) are left out: a fresh meter answers them with "object undefined".

Parameters arrive as text (``--param k=v``) or TOML values; ``check_params`` turns them into ints,
choices, core times (``at``: "now" or an ISO 8601 UTC date-time) and octets, and raises
``SrError`` with one line naming the parameter.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from smets.behaviour.timeutil import UNIX_OFFSET
from smets.usecases import esme_model as em
from smets.usecases import gas
from smets.usecases import supply as supply_uc
from smets.wire import message_codes as mc
from smets_fleet import commands as c
from smets_fleet import responses as r

REQUIRED = object()


class SrError(ValueError):
    """An unknown service request, a device that does not take it, or a bad parameter (one line)."""


@dataclass(frozen=True)
class Param:
    name: str
    help: str
    kind: str = "int"  # int, choice, time, hex32
    default: Any = REQUIRED
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "choice":
            shape = "|".join(self.choices)
        elif self.kind == "time":
            shape = "now|YYYY-MM-DDTHH:MM:SSZ"
        elif self.kind == "hex32":
            shape = "64 hex digits"
        else:
            shape = "integer"
            if self.low is not None and self.high is not None:
                shape = "%d..%d" % (self.low, self.high)
        default = "required" if self.default is REQUIRED else "default %s" % _show(self.default)
        return "%s (%s; %s): %s" % (self.name, shape, default, self.help)


def _show(value: Any) -> str:
    return "now" if value is None else str(value)


Builder = Callable[[c.Build, dict[str, Any]], bytes]


@dataclass(frozen=True)
class Sr:
    name: str
    srv: str | None
    title: str
    kind: str
    use_cases: tuple[str, ...]
    params: tuple[Param, ...]
    build: Builder
    decode: r.Decoder
    select: Callable[[dict[str, Any]], str] | None = None
    originator: str = "supplier"

    def use_case(self, params: dict[str, Any]) -> str:
        return self.select(params) if self.select is not None else self.use_cases[0]

    def message_code(self, params: dict[str, Any]) -> int:
        return mc.code_for(self.use_case(params))


def critical(message_code: int) -> bool:
    row = mc.lookup(message_code)
    return row is not None and row[3] == mc.CRITICAL


# ---- parameters ----------------------------------------------------------------------------------

PENCE_MAX = c.INT32_MAX // c.PENCE  # money fields are 32-bit in milli-pence


def pence(name: str, help_: str, default: Any = REQUIRED, low: int = 0, high: int = PENCE_MAX) -> Param:
    return Param(name, help_ + " (pence)", "int", default, low, high)


AT = Param("at", "when it takes effect (core time, UTC)", "time", None)
AMOUNT_TOP_UP = Param(
    "amount",
    "credit to add, in pence (1..8191 pence, or whole pounds up to 819100)",
    "int",
    REQUIRED,
    1,
    819100,
)
AMOUNT_ADJUST = pence(
    "amount", "amount added to the meter balance, negative to take off", REQUIRED, -PENCE_MAX
)
MODE = Param("mode", "payment mode", "choice", REQUIRED, choices=("credit", "prepayment"))
DISABLEMENT = pence(
    "disablement_threshold", "prepayment: supply is disabled below this balance", 0, -PENCE_MAX
)
TARIFF = (
    Param("price", "price per kWh in milli-pence (10^-5 GBP)", "int", REQUIRED, 0, c.INT32_MAX),
    Param("standing_charge", "standing charge per day in milli-pence", "int", 0, 0, c.INT32_MAX),
    AT,
)
PREPAY_COMMON = (
    pence("low_credit", "low credit warning level", 200),
    pence("ec_limit", "emergency credit limit", 500),
    pence("ec_threshold", "emergency credit becomes available below this balance", 100),
    pence("max_credit", "largest top-up accepted", 10000),
)
PREPAY_ESME = PREPAY_COMMON + (
    pence("max_meter_balance", "largest balance a top-up may reach", 50000),
    pence("debt_cap", "debt recovered per cap period at most (whole pounds on the ESME)", 1000),
    Param("cap_period", "debt cap period in seconds", "int", 604800, 1, c.INT32_MAX),
    AT,
)
PREPAY_GSME = PREPAY_COMMON + (pence("debt_cap", "overall debt cap", 1000), AT)
PERIOD = ("daily", "hourly")


_TAKE_OFF = ("", ", negative to take off (ESME; the GSME only adds)")


def _debt(low: int) -> tuple[Param, ...]:
    return (
        pence("tdr1", "added to time debt register 1%s" % _TAKE_OFF[low < 0], 0, low),
        pence("tdr2", "added to time debt register 2%s" % _TAKE_OFF[low < 0], 0, low),
        pence("pdr", "added to the payment debt register%s" % _TAKE_OFF[low < 0], 0, low),
        pence("tdr1_rate", "time debt 1 recovered per period", 0),
        pence("tdr2_rate", "time debt 2 recovered per period", 0),
        Param("tdr1_period", "time debt 1 recovery period", "choice", "daily", choices=PERIOD),
        Param("tdr2_period", "time debt 2 recovery period", "choice", "daily", choices=PERIOD),
        Param("pdr_percent", "share of each top-up that pays the payment debt", "int", 0, 0, 100),
    )


REGISTER = Param(
    "register", "debt register to reset to zero", "choice", REQUIRED, choices=("tdr1", "tdr2", "pdr")
)
LOG = Param("log", "which log", "choice", "event", choices=("event", "security"))
IMAGE = (Param("image_hash", "SHA-256 of the image after its OTA header", "hex32"), AT)


@dataclass(frozen=True)
class Target:
    """How one device kind takes a service request: its use case, or (parameter, {value: use case})
    when a parameter picks it; the payload builder; the response decoder; parameters of its own."""

    use_case: str | tuple[str, dict[str, str]]
    build: Builder
    decode: r.Decoder
    params: tuple[Param, ...] | None = None


_PREPAY_READ = c.gbz_read(gas.PREPAYMENT_CLUSTER, list(c.PREPAY_ATTRIBUTES))
_BALANCE_READ = c.gbz_read(gas.PREPAYMENT_CLUSTER, [0x0001])
_SUPPLY_READ = c.gbz_read(gas.METERING, [c.SUPPLY_STATUS_ATTRIBUTE])
_RESET_TITLE = "Reset a Debt Register (SECMP0002, provisional codes)"

# ---- the catalogue ---------------------------------------------------------------------------

# (name, DUIS SRV, title, parameters, {device kind: Target})
TABLE: tuple[tuple[str, str | None, str, tuple[Param, ...], dict[str, Target]], ...] = (
    ("set-tariff", "1.1.1", "Update Import Tariff", TARIFF, {
        "esme": Target("ECS01a", c.esme_set_tariff, r.dlms_status),
        "gsme": Target("GCS01a", c.gsme_set_tariff, r.gbz_status),
    }),
    ("adjust-balance", "1.5", "Adjust Meter Balance", (AMOUNT_ADJUST,), {
        "esme": Target("ECS04a", c.esme_adjust_balance, r.dlms_status),
        "gsme": Target("GCS40a", c.gsme_adjust_balance, r.gbz_status),
    }),
    ("payment-mode", "1.6", "Update Payment Mode", (MODE, DISABLEMENT, AT), {
        "esme": Target(("mode", {"credit": "ECS02", "prepayment": "ECS03"}), c.esme_payment_mode,
                       r.dlms_status),
        "gsme": Target(("mode", {"credit": "GCS02", "prepayment": "GCS03"}), c.gsme_payment_mode,
                       r.gbz_status),
    }),
    ("prepay-config", "2.1", "Update Prepay Configuration", PREPAY_ESME, {
        "esme": Target("ECS08a", c.esme_prepay_config, r.dlms_status),
        "gsme": Target("GCS05", c.gsme_prepay_config, r.gbz_status, PREPAY_GSME),
    }),
    ("top-up", "2.2", "Top Up Device", (AMOUNT_TOP_UP,), {
        "esme": Target("CS01a", c.esme_top_up, r.dlms_status),
        "gsme": Target("CS01b", c.gsme_top_up, r.gbz_top_up),
    }),
    ("update-debt", "2.3", "Update Debt", _debt(-PENCE_MAX), {
        "esme": Target("ECS07", c.esme_update_debt, r.dlms_status),
        "gsme": Target("GCS04", c.gsme_update_debt, r.gbz_status, _debt(0)),
    }),
    ("reset-debt", None, _RESET_TITLE, (REGISTER,), {
        "esme": Target(("register", {"tdr1": "ECS07R1", "tdr2": "ECS07R2", "pdr": "ECS07R3"}),
                       c.esme_reset_debt, r.dlms_status),
        "gsme": Target(("register", {"tdr1": "GCS04R1", "tdr2": "GCS04R2", "pdr": "GCS04R3"}),
                       c.gsme_reset_debt, r.gbz_status),
    }),
    ("activate-ec", "2.5", "Activate Emergency Credit", (), {
        "esme": Target("ECS09", c.esme_activate_ec, r.dlms_status),
    }),
    ("read-registers", "4.3", "Read Prepayment Registers", (), {
        "esme": Target("ECS19", c.esme_read_registers, r.dlms_registers),
        "gsme": Target("GCS14", _PREPAY_READ, r.gbz_prepayment),
    }),
    ("read-top-up-log", "4.4.5", "Read Billing Data Log (prepayment credits)", (), {
        "gsme": Target("GCS15e", c.gsme_top_up_log, r.gbz_top_up_log),
    }),
    ("read-balance", "4.18", "Read Meter Balance", (), {
        "esme": Target("ECS82", c.esme_get(em.CREDIT, em.METER_BALANCE, 2), r.dlms_balance),
        "gsme": Target("GCS60a", _BALANCE_READ, r.gbz_prepayment),
        "gpf": Target("GCS60a", _BALANCE_READ, r.gbz_prepayment),  # the GPF's mirror of the GSME
    }),
    ("read-log", "6.13", "Read Event or Security Log", (LOG,), {
        "gsme": Target(("log", {"event": "CS10a", "security": "CS10b"}), c.gsme_read_log, r.gbz_event_log),
    }),
    ("enable-supply", "7.1", "Enable Supply", (), {
        "esme": Target("ECS42", c.esme_supply(supply_uc.ENABLE), r.dlms_status),
    }),
    ("disable-supply", "7.2", "Disable Supply", (), {
        "esme": Target("ECS43", c.esme_supply(supply_uc.DISABLE), r.dlms_status),
        "gsme": Target("GCS32", c.gsme_supply("disable"), r.gbz_supply_change),
    }),
    ("arm-supply", "7.3", "Arm Supply", (), {
        "esme": Target("ECS44", c.esme_supply(supply_uc.ARM), r.dlms_status),
        "gsme": Target("GCS39", c.gsme_supply("arm"), r.gbz_supply_change),
    }),
    ("read-supply", "7.4", "Read Supply Status", (), {
        "esme": Target("ECS45", c.esme_get(em.DISCONNECT_CONTROL, em.SUPPLY_SWITCH, 3), r.dlms_supply),
        "gsme": Target("GCS33", _SUPPLY_READ, r.gbz_supply_read),
    }),
    ("activate-firmware", "11.3", "Activate Firmware", IMAGE, {
        "esme": Target("CS06", c.activate_firmware, r.der_firmware),
        "gsme": Target("CS06", c.activate_firmware, r.der_firmware),
    }),
)  # fmt: skip


def _expand() -> tuple[Sr, ...]:
    rows = []
    for name, srv_number, title, params, targets in TABLE:
        for kind, t in targets.items():
            use_cases: tuple[str, ...]
            if isinstance(t.use_case, str):
                use_cases, select = (t.use_case,), None
            else:
                param, choice = t.use_case
                use_cases = tuple(choice.values())
                select = _selector(param, choice)
            own = t.params if t.params is not None else params
            rows.append(Sr(name, srv_number, title, kind, use_cases, own, t.build, t.decode, select))
    return tuple(rows)


def _selector(param: str, choice: dict[str, str]) -> Callable[[dict[str, Any]], str]:
    return lambda p: choice[p[param]]


CATALOGUE = _expand()


def names() -> list[str]:
    """Every service request name, in catalogue order."""
    out: list[str] = []
    for row in CATALOGUE:
        if row.name not in out:
            out.append(row.name)
    return out


def canonical(sr: str) -> str | None:
    """The name of a service request given by name or SRV number, or None."""
    for row in CATALOGUE:
        if sr in (row.name, row.srv):
            return row.name
    return None


def kinds_for(sr: str) -> list[str]:
    """The device kinds a service request (name or SRV) can be sent to, in catalogue order."""
    name = canonical(sr)
    return [row.kind for row in CATALOGUE if row.name == name]


def find(sr: str, kind: str) -> Sr:
    name = canonical(sr)
    if name is None:
        raise SrError("unknown service request %r (smets-fleet send --list shows them)" % sr)
    for row in CATALOGUE:
        if row.name == name and row.kind == kind:
            return row
    raise SrError("%s is not sent to a %s (only to: %s)" % (name, kind, ", ".join(kinds_for(name))))


# ---- checking parameters -----------------------------------------------------------------------


def check_params(row: Sr, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of `row` from `raw`, converted and checked; SrError names the first bad one."""
    known = {p.name: p for p in row.params}
    for name in raw:
        if name not in known:
            allowed = ", ".join(known) if known else "none"
            raise SrError("%s takes no parameter %r (parameters: %s)" % (row.name, name, allowed))
    out = {}
    for p in row.params:
        if p.name in raw:
            out[p.name] = _convert(row, p, raw[p.name])
        elif p.default is REQUIRED:
            raise SrError("%s needs --param %s=... (%s)" % (row.name, p.name, p.help))
        else:
            out[p.name] = p.default
    return out


def _convert(row: Sr, p: Param, value: Any) -> Any:
    where = "%s: %s=%r" % (row.name, p.name, value)
    if p.kind == "int":
        v = _integer(value, where)
        if (p.low is not None and v < p.low) or (p.high is not None and v > p.high):
            raise SrError("%s is out of range (%s..%s)" % (where, p.low, p.high))
        return v
    if p.kind == "choice":
        if value not in p.choices:
            raise SrError("%s: expected one of %s" % (where, ", ".join(p.choices)))
        return value
    if p.kind == "time":
        return core_time(value, where)
    if p.kind == "hex32":
        try:
            octets = bytes.fromhex(value) if isinstance(value, str) else b""
        except ValueError:
            octets = b""
        if len(octets) != 32:
            raise SrError("%s: expected 64 hex digits" % where)
        return octets
    raise SrError("%s: unknown parameter kind %s" % (where, p.kind))


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise SrError("%s: expected an integer" % where)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            pass
    raise SrError("%s: expected an integer" % where)


def core_time(value: Any, where: str = "time") -> int | None:
    """None for "now", else seconds since 2000-01-01 UTC of an ISO 8601 date-time (UTC when it
    names no offset)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "now"):
        return None
    if isinstance(value, datetime.datetime):
        when = value
    elif isinstance(value, str):
        try:
            when = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise SrError(
                '%s: expected "now" or an ISO 8601 date-time such as 2030-01-01T00:00:00Z' % where
            ) from None
    else:
        raise SrError('%s: expected "now" or an ISO 8601 date-time' % where)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    t = int(when.timestamp()) - UNIX_OFFSET
    if not 0 <= t < 0xFFFFFFFE:
        raise SrError("%s: outside 2000-01-01 .. 2136" % where)
    return t


def listing() -> list[str]:
    """One block per service request: name, SRV, title, devices and use cases, parameters."""
    lines = []
    for name in names():
        rows = [row for row in CATALOGUE if row.name == name]
        first = rows[0]
        lines.append("%s%s  %s" % (name, " (SRV %s)" % first.srv if first.srv else "", first.title))
        for row in rows:
            cats = sorted({"critical" if critical(mc.code_for(u)) else "non-critical" for u in row.use_cases})
            lines.append("    %-5s %s (%s)" % (row.kind, "/".join(row.use_cases), ", ".join(cats)))
        seen = set()
        for row in rows:
            for p in row.params:
                if p.name not in seen:
                    seen.add(p.name)
                    takers = [x.kind for x in rows if any(q.name == p.name for q in x.params)]
                    only = " [%s only]" % ", ".join(takers) if len(takers) < len(rows) else ""
                    lines.append("    --param " + p.describe() + only)
    return lines
