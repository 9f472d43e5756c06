"""Event log and clock use cases on DLMS devices: clear the ESME event log (ECS15a, profile generic
0-0:99.98.0.255 reset) and synchronise the clock (ECS70, SRV 6.11 and 8.1.1 Commission); on the GSME
(DER payloads) the clock (GCS28) and the device log read (CS07, Read Device Join Details).

ECS70 sets the clock base, presets the adjusting time with a validity window, adjusts to it and
reads the time and status back. The device adjusts its clock to the Comms Hub's (true) time only
when that time lies inside the window; an adjustment refused while the clock is more than 10 s out
raises 0x8F0C [I: SMETS clock rules as the spec summarises them, §2.16].
"""

from smets.behaviour.timeutil import UNIX_OFFSET, civil_from_days, to_seconds
from smets.usecases.common import SUPPLIER, SUPPLIER_ACB, dlms_use_case, find, obis
from smets.usecases.registry import entry
from smets.wire import dlms
from smets.wire import dlms_axdr as ax

PROFILE_GENERIC = 7
EVENT_LOG = obis(0, 0, 99, 98, 0)
CLOCK = 8
CLOCK_OBJ = obis(0, 0, 1, 0, 0)
RESET = 1
ADJUST_TO_PRESET_TIME = 4
PRESET_ADJUSTING_TIME = 5
CLOCK_NOT_ADJUSTED = 0x8F0C
_TOLERANCE = 10


def ecs15a(dev, ctx, req):
    dev.behaviour_call(dev.meter.clear_event_log(ctx.now))
    return None


def ecs70(dev, ctx, req):
    i = find(req, CLOCK, CLOCK_OBJ, PRESET_ADJUSTING_TIME, dlms.ACTION)
    if i < 0:
        raise KeyError("ECS70 without preset_adjusting_time")
    _preset, start, end = req.data[i][1]
    lo = ax.datetime_to_utc(start[1]) - UNIX_OFFSET
    hi = ax.datetime_to_utc(end[1]) - UNIX_OFFSET
    true_now = ctx.now - dev.clock_offset
    if lo <= true_now <= hi:
        dev.clock_offset = 0
        dev.now = true_now  # the time read back in the same request is the adjusted one
    elif abs(dev.clock_offset) > _TOLERANCE:
        dev.raise_alert(CLOCK_NOT_ADJUSTED, ctx.now)
    return None


STATUS_RELIABLE = 0
STATUS_UNRELIABLE = 2
GCS28_FAULT = ("der", 0x007F)  # injected fault: the GSME cannot take the Comms Hub's time


def gcs28(dev, ctx):
    """GCS28 (SRV 6.11, 8.1.1), DER: SEQUENCE { validity start, validity end } (GeneralizedTime).
    The GSME takes the Comms Hub's time when it lies inside the window (reliable), else keeps its
    own (unreliable; 0x8F0C when more than 10 s out). Response: SEQUENCE { device time, status }."""
    from smets.wire import der
    from smets.wire.errors import DecodeError

    try:
        n = der.parse_payload(ctx.frame.payload)
        lo = to_seconds(*der.generalized_time(n[0]))
        hi = to_seconds(*der.generalized_time(n[1]))
    except (DecodeError, ValueError):
        dev.integrity_failure(ctx)
        return None
    true_now = ctx.now - dev.clock_offset
    status = STATUS_UNRELIABLE
    if lo <= true_now <= hi and not dev.is_faulty(GCS28_FAULT):
        dev.clock_offset = 0
        dev.now = true_now
        status = STATUS_RELIABLE
    elif abs(dev.clock_offset) > _TOLERANCE:
        dev.raise_alert(CLOCK_NOT_ADJUSTED, ctx.now)
    y, mo, d = civil_from_days(dev.now // 86400)
    r = dev.now % 86400
    when = der.make_generalized_time(y, mo, d, r // 3600, (r // 60) % 60, r % 60)
    return der.build_payload(der.make_sequence([when, der.make_int(status)]))


CS07_FAULT = ("der", 0x0013)  # injected fault: the device log cannot be read
CS07_SUCCESS = 0
CS07_READ_FAILURE = 1
JOIN_LOG_SIZE = 8  # [I] the devices a GSME may talk to: GPF, PPMID, HCALCS and spares


def join(dev, eui, device_type):
    """Add a device (EUI-64, GBCS device type) to the device log; False when it is full."""
    eui = bytes(eui)
    for i in range(len(dev.join_log)):
        if dev.join_log[i][0] == eui:
            dev.join_log[i] = (eui, device_type)
            return True
    if len(eui) != 8 or len(dev.join_log) >= JOIN_LOG_SIZE:
        return False
    dev.join_log.append((eui, device_type))
    return True


def cs07(dev, ctx):
    """CS07 (SRV 8.9), DER: NULL. Response SEQUENCE { response code, SEQUENCE OF SEQUENCE { device
    EUI-64 OCTET STRING, device type INTEGER } }; a failed read answers SEQUENCE { read failure }."""
    from smets.wire import der
    from smets.wire.errors import DecodeError

    try:
        der.expect(der.parse_payload(ctx.frame.payload), der.NULL, "CS07 command")
    except DecodeError:
        dev.integrity_failure(ctx)
        return None
    if dev.is_faulty(CS07_FAULT):
        return der.build_payload(der.make_sequence([der.make_int(CS07_READ_FAILURE)]))
    entries = [der.make_sequence([der.make_octets(eui), der.make_int(kind)]) for eui, kind in dev.join_log]
    return der.build_payload(der.make_sequence([der.make_int(CS07_SUCCESS), der.make_sequence(entries)]))


def gsme_use_cases():
    return (entry("GCS28", SUPPLIER, gcs28, replay=True), entry("CS07", SUPPLIER_ACB, cs07))


def _time(dev, sel):
    return (ax.T_OCTET_STRING, dev.wire_time(dev.now))


def _status(dev, sel):
    return (ax.T_UNSIGNED, 0)


def bind_clock(model):
    model.attribute(CLOCK, CLOCK_OBJ, 2, _time, lambda dev, v: None)
    model.attribute(CLOCK, CLOCK_OBJ, 4, _status, lambda dev, v: None)


def esme_use_cases():
    return (
        entry("ECS15a", SUPPLIER, dlms_use_case(ecs15a)),
        entry("ECS70", SUPPLIER, dlms_use_case(ecs70), replay=True),
    )
