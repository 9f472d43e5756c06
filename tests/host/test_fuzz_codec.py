"""Mutated RTDS frames: the codecs answer with DecodeError (naming an offset) or a valid parse.

Hypothesis takes RTDS 4.5.0 frames and truncates, flips, extends, corrupts lengths and tags.
Nothing but the codec's documented exception may come out of parsing the frame or its payload,
and whatever does parse must build again to the same bytes.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smets.wire import frame as wire
from smets.wire.errors import DecodeError
from smets.wire.payload import decode_payload, encode_payload
from support import list_frames, read_frame, rtds_dir

EXAMPLES = int(os.environ.get("SMETS_FUZZ_EXAMPLES", "10000"))

if rtds_dir() is None:
    pytest.skip("RTDS 4.5.0 vectors not found: set SMETS_RTDS_DIR", allow_module_level=True)

FRAMES = [read_frame(folder, name) for folder, name in list_frames()]


@st.composite
def mutated_frames(draw):
    data = bytearray(draw(st.sampled_from(FRAMES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "extend", "length", "tag", "splice"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[i:]
        elif kind == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "extend":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "length":
            data[i] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFF]))
        elif kind == "tag":
            data[i] = draw(
                st.sampled_from([0xD9, 0xDA, 0x0F, 0xDD, 0xDF, 0x01, 0x02, 0x09, 0x30, 0xA0, 0x00])
            )
        else:
            other = draw(st.sampled_from(FRAMES))
            j = draw(st.integers(0, len(other)))
            data[i:] = other[j:]
    return bytes(data)


def _check(data):
    try:
        frame = wire.parse(data)
    except DecodeError as exc:
        assert "offset" in str(exc), str(exc)
        return "frame"
    assert wire.build(frame) == data
    try:
        kind, structure = decode_payload(frame.payload)
    except DecodeError as exc:
        assert "offset" in str(exc), str(exc)
        return "payload"
    assert encode_payload(kind, structure) == frame.payload
    return "ok"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_frames())
def test_mutated_frames_raise_only_decode_error(data):
    _check(data)


def test_payload_mutations_alone():
    """Mutating only the payload reaches deep into the DLMS, GBZ and DER decoders."""
    import random

    rng = random.Random(4242)
    outcomes = {}
    for _ in range(EXAMPLES // 2):
        frame = wire.parse(rng.choice(FRAMES))
        payload = bytearray(frame.payload)
        if not payload:
            continue
        i = rng.randrange(len(payload))
        op = rng.randrange(3)
        if op == 0:
            del payload[i:]
        elif op == 1:
            payload[i] ^= 1 << rng.randrange(8)
        else:
            payload[i] = rng.choice([0x00, 0x7F, 0x80, 0x81, 0x82, 0xFF])
        try:
            kind, structure = decode_payload(bytes(payload))
            assert encode_payload(kind, structure) == bytes(payload)
            outcome = "ok"
        except DecodeError as exc:
            assert "offset" in str(exc), str(exc)
            outcome = "refused"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print("payload mutations:", outcomes)
    assert outcomes.get("refused", 0) > 0
