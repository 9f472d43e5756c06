"""Which codec a GBCS payload needs, and one entry point over the three.

ESME and CHF use cases carry DLMS/COSEM xDLMS (Access-Request 0xD9, Access-Response 0xDA,
Data-Notification 0x0F); GSME and GPF use cases carry GBZ (profile 0x0109); security, join,
firmware and GPF-log use cases carry DER. The codecs are imported lazily so a board that never
sees one does not load it.
"""

KIND_DLMS = "dlms"
KIND_GBZ = "gbz"
KIND_DER = "der"

_DLMS_FIRST = (0xD9, 0xDA, 0x0F)


def payload_kind(payload):
    if not payload:
        return KIND_DER
    if payload[0] in _DLMS_FIRST:
        return KIND_DLMS
    if len(payload) >= 2 and payload[0] == 0x01 and payload[1] == 0x09:
        return KIND_GBZ
    return KIND_DER


def _codec(kind):
    if kind == KIND_DLMS:
        from smets.wire import dlms

        return dlms
    if kind == KIND_GBZ:
        from smets.wire import gbz

        return gbz
    from smets.wire import der

    return der


def decode_payload(payload):
    """(kind, structure). Raises DecodeError."""
    kind = payload_kind(payload)
    return kind, _codec(kind).parse_payload(payload)


def encode_payload(kind, structure):
    return _codec(kind).build_payload(structure)


def payload_to_json(kind, structure):
    if kind == KIND_DLMS:
        # DLMS rendering lives apart from the codec so that a device never loads it.
        from smets.wire import dlms_text

        return dlms_text.to_json(structure)
    if kind == KIND_GBZ:
        return _codec(kind).to_json(structure)
    from smets.wire import der_text  # apart from the DER codec, as dlms_text is from DLMS's

    return der_text.to_json(structure)
