"""Use cases of the HAN devices that are not meters (PPMID, HCALCS): read the firmware version
(CS08, SRV 11.2).

CS08 comes from the ACB on behalf of the supplier (the supplementary remote party), addressed to the
PPMID or HCALCS itself: the device answers with its own keys (RTDS 4.5.0 11.2_CS08: the SUCCESS
response to ...A4, the PPMID, and the ERROR response to ...A5, the HCALCS, are each MACed with the
key of the device they came from). Payload DER: the command is NULL; the response is SEQUENCE {
firmware version OCTET STRING (4), response code INTEGER (0 read success, 1 read failure) }. A read
failure reports version 00000000, as RTDS's ERROR variant does; it arises from the injected fault
``CS08_FAULT`` (the device cannot read its image header).
"""

from smets.usecases.common import ACB
from smets.usecases.registry import entry
from smets.wire import der
from smets.wire.errors import DecodeError

READ_SUCCESS = 0
READ_FAILURE = 1
CS08_FAULT = ("der", 0x0129)  # injected fault: the firmware version cannot be read


def version_response(code, version):
    return der.build_payload(
        der.make_sequence([der.make_octets((version & 0xFFFFFFFF).to_bytes(4, "big")), der.make_int(code)])
    )


def cs08(dev, ctx):
    try:
        ok = der.parse_payload(ctx.frame.payload).tag == der.NULL
    except DecodeError:
        ok = False
    if not ok:
        dev.integrity_failure(ctx)
        return None
    if dev.is_faulty(CS08_FAULT):
        return version_response(READ_FAILURE, 0)
    return version_response(READ_SUCCESS, dev.firmware.running_version)


def use_cases():
    return (entry("CS08", ACB, cs08),)
