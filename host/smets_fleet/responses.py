"""Response payloads the head end receives, decoded into what they mean: success or the device's
error, and the values a read returns (money in milli-pence, 10^-5 GBP, the meter's unit).

One decoder per response shape; smets_fleet.srv names the one each use case needs. A decoder gets
the parsed frame and a ``decrypt(frame, content) -> plaintext or None`` for encrypted reads, and
returns a ``Decoded``. A device-level error (a DLMS result other than success, a ZCL status other
than SUCCESS, a refused top-up, a firmware outcome other than success) is ``ok=False`` with the
reason in ``error``; a payload that does not decode raises smets.wire.errors.DecodeError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smets.behaviour import supply as sp
from smets.usecases import firmware as fw
from smets.usecases import gas, zse
from smets.wire import der, dlms, dlms_text, gbz
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire.errors import DecodeError
from smets_fleet.commands import PREPAY_ATTRIBUTES, SUPPLY_STATUS_ATTRIBUTE

Decrypt = Callable[[wire.Frame, bytes], "bytes | None"]


@dataclass
class Decoded:
    ok: bool
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


Decoder = Callable[[wire.Frame, Decrypt], Decoded]

# ---- DLMS ------------------------------------------------------------------------------------


def result_name(code: int) -> str:
    for value, name in dlms_text.RESULT_NAMES:
        if value == code:
            return name
    return "result %d" % code


def access_response(frame: wire.Frame) -> dlms.AccessResponse:
    obj = dlms.parse_payload(frame.payload)
    if not isinstance(obj, dlms.AccessResponse):
        raise DecodeError("response payload is not a DLMS Access-Response")
    return obj


def _dlms_outcome(resp: dlms.AccessResponse) -> Decoded:
    failed = [(i, code) for i, (_kind, code) in enumerate(resp.results) if code != 0]
    if not failed:
        return Decoded(True)
    i, code = failed[0]
    return Decoded(False, "specification %d: %s" % (i, result_name(code)))


def dlms_status(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """Every specification succeeded."""
    return _dlms_outcome(access_response(frame))


def _int(value: Any) -> int:
    tag, v = value
    if isinstance(v, bool) or not isinstance(v, int):
        raise DecodeError("expected an integer, found DLMS type %d" % tag)
    return v


def dlms_balance(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """ECS82: the meter balance (double-long)."""
    resp = access_response(frame)
    out = _dlms_outcome(resp)
    if out.ok:
        out.values["balance"] = _int(resp.data[0])
    return out


def dlms_supply(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """ECS45: the disconnect control's control_state."""
    resp = access_response(frame)
    out = _dlms_outcome(resp)
    if out.ok:
        state = _int(resp.data[0])
        out.values["supply"] = sp.STATE_NAMES[state] if 0 <= state < len(sp.STATE_NAMES) else state
    return out


# ECS19's prepayment registers, in the order the structure holds them (GBCS use case table).
REGISTER_NAMES = ("balance", "ec_balance", "accumulated_debt", "pdr", "tdr1", "tdr2")


def dlms_registers(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """ECS19: get_protected_attributes of the prepayment registers, decrypted."""
    resp = access_response(frame)
    out = _dlms_outcome(resp)
    if not out.ok:
        return out
    parts = dlms.protected_parts(resp)
    if parts is None:
        raise DecodeError("ECS19 response holds no protected content")
    plain = decrypt(frame, parts[3] + parts[4])
    if plain is None:
        return Decoded(False, "the encrypted registers do not decrypt (wrong key or tampered)")
    values = ax.decode(plain)[0]
    regs = values[1][0][1]
    for name, v in zip(REGISTER_NAMES, regs):
        out.values[name] = _int(v)
    return out


# ---- GBZ -------------------------------------------------------------------------------------

STATUS_NAMES = {
    zse.S_SUCCESS: "SUCCESS",
    zse.S_FAILURE: "FAILURE",
    zse.S_INVALID_FIELD: "INVALID_FIELD",
    zse.S_UNSUPPORTED_ATTRIBUTE: "UNSUPPORTED_ATTRIBUTE",
    zse.S_INVALID_VALUE: "INVALID_VALUE",
    zse.S_NOT_FOUND: "NOT_FOUND",
    zse.S_HARDWARE_FAILURE: "HARDWARE_FAILURE",
}
TOP_UP_ACCEPTED = 0x00


def status_name(code: int) -> str:
    return STATUS_NAMES.get(code, "0x%02X" % code)


def components(frame: wire.Frame, decrypt: Decrypt) -> list[gbz.Component]:
    """The response's components, encrypted ones decrypted (DecodeError when one does not)."""
    comps = gbz.parse_payload(frame.payload, alert=False).components
    for c in comps:
        if c.is_encrypted():
            plain = decrypt(frame, c.protected)
            if plain is None:
                raise DecodeError("an encrypted component does not decrypt (wrong key or tampered)")
            c.set_plaintext(plain)
    return comps


def _default_status(c: gbz.Component) -> int | None:
    if c.command_id == zse.DEFAULT_RESPONSE and not c.is_cluster_specific():
        return c.payload[1] if len(c.payload) >= 2 else zse.S_FAILURE
    return None


def _gbz_outcome(comps: list[gbz.Component], allowed: tuple[int, ...] = (zse.S_SUCCESS,)) -> Decoded:
    for i, c in enumerate(comps):
        status = _default_status(c)
        if status is not None and status not in allowed:
            return Decoded(False, "component %d (%s): %s" % (i, c.name(), status_name(status)))
        if c.command_id == zse.READ_ATTRIBUTES_RESPONSE and not c.is_cluster_specific():
            for rec in c.command().get("records", []):
                if rec.status != zse.S_SUCCESS:
                    return Decoded(False, "attribute 0x%04X: %s" % (rec.id, status_name(rec.status)))
    return Decoded(True)


def gbz_status(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """Every component answered SUCCESS."""
    return _gbz_outcome(components(frame, decrypt))


def _records(comps: list[gbz.Component], cluster: int) -> dict[int, Any]:
    out = {}
    for c in comps:
        if c.cluster_id == cluster and c.command_id == zse.READ_ATTRIBUTES_RESPONSE:
            for rec in c.command().get("records", []):
                if rec.status == zse.S_SUCCESS:
                    out[rec.id] = rec.value
    return out


def gbz_prepayment(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """GCS60a / GCS14: Prepayment cluster attributes by their head-end names (balance, debts...)."""
    comps = components(frame, decrypt)
    out = _gbz_outcome(comps)
    if out.ok:
        for attr, value in _records(comps, gas.PREPAYMENT_CLUSTER).items():
            out.values[PREPAY_ATTRIBUTES.get(attr, "0x%04X" % attr)] = value
    return out


ZSE_SUPPLY_NAMES = {gas.SUPPLY_OFF: "disabled", gas.SUPPLY_ARMED: "armed", gas.SUPPLY_ON: "enabled"}


def gbz_supply_read(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """GCS33: Metering supply status."""
    comps = components(frame, decrypt)
    out = _gbz_outcome(comps)
    if out.ok:
        status = _records(comps, gas.METERING).get(SUPPLY_STATUS_ATTRIBUTE)
        out.values["supply"] = ZSE_SUPPLY_NAMES.get(status, status) if status is not None else None
    return out


def gbz_supply_change(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """GCS32 / GCS39: the Supply Status Response (or a Default Response with the refusal)."""
    comps = components(frame, decrypt)
    out = _gbz_outcome(comps)
    if out.ok:
        for c in comps:
            if c.is_cluster_specific() and c.cluster_id == gas.METERING:
                status = c.command().get("supply_status")
                out.values["supply"] = ZSE_SUPPLY_NAMES.get(status, status)
    return out


def gbz_top_up(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """CS01b: Consumer Top Up Response: accepted, the value credited and the credit remaining."""
    comps = components(frame, decrypt)
    out = _gbz_outcome(comps)
    if not out.ok:
        return out
    for c in comps:
        if c.is_cluster_specific() and c.cluster_id == gas.PREPAYMENT_CLUSTER:
            cmd = c.command()
            result = cmd.get("result_type")
            if result != TOP_UP_ACCEPTED:
                return Decoded(False, "top-up refused (ZSE result type %d)" % result)
            out.values["credited"] = cmd.get("top_up_value")
            out.values["balance"] = cmd.get("credit_remaining")
    return out


def _gbz_log(
    frame: wire.Frame,
    decrypt: Decrypt,
    cluster: int,
    key: str,
    row: Callable[[dict[str, Any]], dict[str, Any]],
) -> Decoded:
    """A published log: ``values[key]`` holds row(fields) of each entry of the `cluster` command's
    `key` list; NOT_FOUND is an empty log."""
    comps = components(frame, decrypt)
    out = _gbz_outcome(comps, (zse.S_SUCCESS, zse.S_NOT_FOUND))
    if out.ok:
        out.values[key] = [
            row(dict(e))
            for c in comps
            if c.is_cluster_specific() and c.cluster_id == cluster
            for e in c.command().get(key, [])
        ]
    return out


def gbz_event_log(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """CS10a / CS10b: Publish Event Log."""
    return _gbz_log(
        frame,
        decrypt,
        gas.EVENTS,
        "events",
        lambda f: {"time": f["event_time"], "event": f["event_id"], "data": f["event_data"].hex()},
    )


def gbz_top_up_log(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """GCS15e: Publish Top Up Log, most recent first."""
    return _gbz_log(
        frame,
        decrypt,
        gas.PREPAYMENT_CLUSTER,
        "top_ups",
        lambda f: {
            "utrn": bytes(f["top_up_code"]).decode(),
            "amount": f["top_up_amount"],
            "time": f["top_up_time"],
        },
    )


# ---- DER -------------------------------------------------------------------------------------

FIRMWARE_OUTCOMES = {
    fw.RESULT_SUCCESS: "success",
    fw.RESULT_NO_IMAGE: "no image held",
    fw.RESULT_HASH_MISMATCH: "image hash mismatch",
}


def firmware_outcome(node: Any) -> Decoded:
    """An execution outcome SEQUENCE { response code, firmware version (4 octets) }."""
    code = der.to_int(node[0])
    version = der.to_bytes(node[1]).hex()
    values = {"outcome": FIRMWARE_OUTCOMES.get(code, code), "version": version}
    if code != fw.RESULT_SUCCESS:
        return Decoded(False, "firmware activation: %s" % FIRMWARE_OUTCOMES.get(code, code), values)
    return Decoded(True, None, values)


def der_firmware(frame: wire.Frame, decrypt: Decrypt) -> Decoded:
    """CS06: NULL when held for a future date-time, else the execution outcome."""
    node = der.parse_payload(frame.payload)
    if node.tag == der.NULL:
        return Decoded(True, None, {"outcome": "scheduled"})
    return firmware_outcome(node)
