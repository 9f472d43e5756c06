"""Firmware use cases: activate firmware (CS06, SRV 11.3), now or at a future date-time.

CS06 is DER: SEQUENCE { manufacturer image hash OCTET STRING (32), originator counter INTEGER,
[execution date-time GeneralizedTime] }. Run now, the response is the execution outcome SEQUENCE
{ response code INTEGER, firmware version OCTET STRING (4) }; held for later, the response is NULL
("command accepted") and, when it runs, the device sends FDFA (message code 0x00CA): SEQUENCE {
alert code (0x8F66 / 0x8F67), execution date-time, originator counter, execution outcome }. An
execution date-time of 9999-12-31T23:59:59Z cancels a held activation [RTDS 4.5.0 CS06 decodes].
The image itself arrives by distribution (the behaviour's firmware store holds its hash).
"""

from smets.behaviour import firmware_store as fw
from smets.behaviour.timeutil import NEVER, civil_from_days, to_seconds
from smets.usecases.common import SUPPLIER
from smets.usecases.registry import Held, Raw, entry
from smets.wire import der
from smets.wire.errors import DecodeError

MC_FDFA = 0x00CA
RESULT_SUCCESS = 0
RESULT_NO_IMAGE = 1
RESULT_HASH_MISMATCH = 2
OUTCOMES = (
    (fw.ACTIVATED, RESULT_SUCCESS),
    (fw.NO_IMAGE, RESULT_NO_IMAGE),
    (fw.HASH_MISMATCH, RESULT_HASH_MISMATCH),
)
FUTURE_OK = 0x8F66
FUTURE_FAILED = 0x8F67
CANCEL_YEAR = 9999
_HELD = (0, b"CS06\x00\x00", 0)  # the held-item key of a future-dated activation


def _outcome(dev, result):
    code = RESULT_HASH_MISMATCH
    for r, c in OUTCOMES:
        if r == result:
            code = c
    version = dev.meter.firmware.running_version & 0xFFFFFFFF
    return code, der.make_sequence([der.make_int(code), der.make_octets(version.to_bytes(4, "big"))])


def _time(node):
    y, mo, d, h, mi, s = der.generalized_time(node)
    if y >= CANCEL_YEAR:
        return NEVER
    return to_seconds(y, mo, d, h, mi, s)


def _gtime(t):
    y, mo, d = civil_from_days(t // 86400)
    r = t % 86400
    return der.make_generalized_time(y, mo, d, r // 3600, (r // 60) % 60, r % 60)


def cs06(dev, ctx):
    try:
        n = der.parse_payload(ctx.frame.payload)
        image_hash = der.to_bytes(n[0])
        counter = der.to_int(n[1])
        at = _time(n[2]) if len(n) > 2 else None
    except DecodeError:
        dev.integrity_failure(ctx)
        return None
    if at is None or (at != NEVER and at <= ctx.now):
        result = dev.behaviour_call(dev.meter.activate_firmware(image_hash, ctx.now, ctx.now))
        return der.build_payload(_outcome(dev, result)[1])
    dev.cancel(*_HELD)
    run = Held(run_activation, (bytes(image_hash), counter, bytes(ctx.frame.originator)))
    if at != NEVER and not dev.hold(at, ctx, _HELD[0], _HELD[1], _HELD[2], run):
        dev.integrity_failure(ctx)
        return None
    return der.build_payload(der.make_null())


def run_activation(dev, at, image_hash, counter, recipient):
    """A future-dated CS06 falls due: activate, then the FDFA alert (DER) to the command's
    originator and the version change (0x8F43) after it."""
    result, alerts = dev.meter.activate_firmware(image_hash, at, at)
    code, outcome = _outcome(dev, result)
    alert = FUTURE_OK if code == RESULT_SUCCESS else FUTURE_FAILED
    body = der.make_sequence([der.make_int(alert), _gtime(at), der.make_int(counter), outcome])
    dev.raise_alert(alert, at, Raw(der.build_payload(body)), MC_FDFA, recipient)
    dev.behaviour_call((result, alerts))
    return None  # the alert is raised here, in its DER form


def use_cases():
    return (entry("CS06", SUPPLIER, cs06, replay=True, dated=True),)
