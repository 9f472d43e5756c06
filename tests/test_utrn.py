"""UTRN decode, verify and generate against RTDS 2.2 CS01a/CS01b and gbcs-parser's vectors.

Expected values: the RTDS frames themselves (counter in the grouping header, UTRN in the payload,
the RTDS keystore's supplier prepayment KA key and device KA certificates), the decodes in
../shared/rtds/decoded/2.2_CS01*.txt and spec §2.6, and SmartDCCInnovation/gbcs-parser
test/utrn.test.ts (GPL: values only). Runs on CPython and MicroPython (one ECDH per UTRN).
"""

from smets.crypto.pure import PureCrypto
from smets.security import keys
from smets.security.utrn import (
    PPTD_OFFSET,
    VALUE_CLASS_PENNIES,
    VALUE_CLASS_POUNDS,
    Utrn,
    check_digit,
    decode_utrn,
    generate_utrn,
    utrn_key,
    verify_utrn,
)
from smets.wire.errors import DecodeError
from support import key_file, raises, read_frame

C = PureCrypto()
SUPPLIER = b"\x90\xb3\xd5\x1f\x30\x01\x00\x00"
ESME = b"\x00\xdb\x12\x34\x56\x78\x90\xa0"
GSME = b"\x00\xdb\x12\x34\x56\x78\x90\xa1"


def _supplier_pp():
    return keys.private_scalar(key_file("90b3d51f30010000-pp-ka.key"))


def _device(eui):
    return keys.public_point(key_file(eui + "-ka.pem"))


def _frame_utrn(frame):
    """(originator counter, recipient title, UTRN digits) of a CS01a/b command, by slicing: the
    UTRN is the 20 ASCII digits after the octet-string length 0x14 in the payload."""
    apdu = frame[13:]
    assert apdu[:2] == b"\xdf\x09"
    counter = int.from_bytes(apdu[3:11], "big")
    recipient = apdu[21:29]
    for i in range(30, len(apdu) - 20):
        if apdu[i] == 0x14 and all(0x30 <= b <= 0x39 for b in apdu[i + 1 : i + 21]):
            return counter, recipient, apdu[i + 1 : i + 21].decode()
    raise AssertionError("no UTRN in frame")


# -- the check digit ------------------------------------------------------------------------------


def test_check_digit_gbcs_parser_vectors():
    # gbcs-parser utrn.test.ts "verhoeff" cases: the last digit is the check digit of the rest.
    for digits in (
        "73943333457189043313",
        "74301825837596672005",
        "73946144332040217315",
        "73947252416745201637",
    ):
        assert check_digit(digits[:19]) == digits[19]


def test_check_digit_catches_single_digit_errors():
    good = "73946144332040217315"
    for pos in range(20):
        d = ord(good[pos]) - 48
        bad = good[:pos] + chr(48 + (d + 3) % 10) + good[pos + 1 :]
        raises(DecodeError, decode_utrn, bad)
    # An adjacent transposition too.
    raises(DecodeError, decode_utrn, good[:5] + good[6] + good[5] + good[7:])


def test_decode_rejects_malformed():
    raises(DecodeError, decode_utrn, "7394614433204021731")  # 19 digits
    raises(DecodeError, decode_utrn, "739461443320402173155")  # 21 digits
    raises(DecodeError, decode_utrn, "7394614433204021731a")
    raises(DecodeError, decode_utrn, " 7394614433204021731")
    raises(DecodeError, decode_utrn, b"\xff" * 20)


def test_decode_accepts_bytes():
    u = decode_utrn(b"73946144332040217315")
    assert isinstance(u, Utrn) and u.digits == "73946144332040217315"


# -- RTDS -----------------------------------------------------------------------------------------


def test_rtds_cs01a_success():
    # Spec §2.6 verified vector: counter 3 (high word of 0x0000000300000000), pounds, £10.
    counter, recipient, digits = _frame_utrn(read_frame("2.2_CS01a", "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"))
    assert counter == 0x0000000300000000 and recipient == ESME
    assert digits == "73946144332040217315"
    u = decode_utrn(digits)
    assert (u.counter_bits, u.value_class, u.value) == (3, VALUE_CLASS_POUNDS, 10)
    assert u.amount() == 10 * 100000  # £10 in 10^-5 pounds
    key = utrn_key(C, _supplier_pp(), _device("00db1234567890a0"), SUPPLIER, recipient, counter)
    assert verify_utrn(C, u, key, SUPPLIER, recipient, counter)
    assert generate_utrn(C, key, counter, 10, VALUE_CLASS_POUNDS, SUPPLIER, recipient) == digits


def test_rtds_cs01a_error_command_utrn_is_authentic():
    # The ERROR variant's UTRN is genuine (counter 5, spec §2.6); the ESME's failure is a
    # hardware fault in the response, not a rejected UTRN.
    counter, recipient, digits = _frame_utrn(read_frame("2.2_CS01a", "CS01a_2.2_ERROR_COMMAND_GBCS.HEX"))
    assert counter == 0x0000000500000000
    u = decode_utrn(digits)
    assert u.counter_bits == 5
    key = utrn_key(C, _supplier_pp(), _device("00db1234567890a0"), SUPPLIER, recipient, counter)
    assert verify_utrn(C, u, key, SUPPLIER, recipient, counter)
    assert generate_utrn(C, key, counter, u.value, u.value_class, SUPPLIER, recipient) == digits


def test_rtds_cs01b_success():
    # decoded/2.2_CS01b.txt: value class 0, value 1250; the GSME's response reports a top-up of
    # 1250000 (10^-5 pounds), i.e. £12.50.
    counter, recipient, digits = _frame_utrn(read_frame("2.2_CS01b", "CS01b_2.2_SUCCESS_COMMAND_GBCS.HEX"))
    assert counter == 0x0000000600000000 and recipient == GSME
    u = decode_utrn(digits)
    assert (u.counter_bits, u.value_class, u.value) == (6, VALUE_CLASS_PENNIES, 1250)
    assert u.amount() == 1250000
    key = utrn_key(C, _supplier_pp(), _device("00db1234567890a1"), SUPPLIER, recipient, counter)
    assert verify_utrn(C, digits, key, SUPPLIER, recipient, counter)
    assert generate_utrn(C, key, counter, 1250, VALUE_CLASS_PENNIES, SUPPLIER, recipient) == digits


def test_rtds_cs01b_error_utrn_is_rejected():
    # The ERROR command carries "12345678910121314156", which is no UTRN (its check digit is
    # wrong); the GSME's response reports a top-up value of -1.
    _, _, digits = _frame_utrn(read_frame("2.2_CS01b", "CS01b_2.2_ERROR_COMMAND_GBCS.HEX"))
    assert digits == "12345678910121314156"
    raises(DecodeError, decode_utrn, digits)


def test_verify_rejects_wrong_context():
    counter = 0x0000000300000000
    digits = "73946144332040217315"
    u = decode_utrn(digits)
    pp = _supplier_pp()
    esme = _device("00db1234567890a0")
    key = utrn_key(C, pp, esme, SUPPLIER, ESME, counter)
    # A counter with other low 10 bits of the high word does not match the UTRN at all.
    assert not verify_utrn(C, u, key, SUPPLIER, ESME, 0x0000000400000000)
    # Same 10 bits, different full counter: the GMAC (and the key) differ.
    other = counter + (1 << 42)
    assert not verify_utrn(C, u, utrn_key(C, pp, esme, SUPPLIER, ESME, other), SUPPLIER, ESME, other)
    # Another device, or another key.
    assert not verify_utrn(C, u, key, SUPPLIER, GSME, counter)
    gsme_key = utrn_key(C, pp, _device("00db1234567890a1"), SUPPLIER, ESME, counter)
    assert not verify_utrn(C, u, gsme_key, SUPPLIER, ESME, counter)
    # The same MAC with the value raised to £11 (check digit recomputed) fails.
    pptd = str(PPTD_OFFSET + u.ptut + (1 << 32))
    forged = decode_utrn(pptd + check_digit(pptd))
    assert forged.value == 11 and forged.mac == u.mac
    assert not verify_utrn(C, forged, key, SUPPLIER, ESME, counter)


# -- gbcs-parser's generation vectors -------------------------------------------------------------


def test_generate_gbcs_parser_vectors():
    # utrn.test.ts: supplier 90B3D51F30010000 (prepayment KA key) to ESME 00DB1234567890A0.
    pp = _supplier_pp()
    esme = _device("00db1234567890a0")
    cases = (
        (0x100000000, 100, VALUE_CLASS_POUNDS, "73943333457189043313"),
        (0x400000000, 1234, VALUE_CLASS_PENNIES, "73947252416745201637"),
        (0x100000000, 8191, VALUE_CLASS_POUNDS, "7394368095646343255"),  # PPTD only in the source
    )
    for counter, value, value_class, expected in cases:
        key = utrn_key(C, pp, esme, SUPPLIER, ESME, counter)
        digits = generate_utrn(C, key, counter, value, value_class, SUPPLIER, ESME)
        assert digits[: len(expected)] == expected
        u = decode_utrn(digits)
        assert (u.value, u.value_class, u.counter_bits) == (value, value_class, (counter >> 32) & 0x3FF)
        assert verify_utrn(C, u, key, SUPPLIER, ESME, counter)
    # pounds and pennies differ for the same number.
    key = utrn_key(C, pp, esme, SUPPLIER, ESME, 0x100000000)
    assert (
        generate_utrn(C, key, 0x100000000, 100, VALUE_CLASS_PENNIES, SUPPLIER, ESME) != "73943333457189043313"
    )


def test_generate_rejects_out_of_range():
    key = bytes(16)
    raises(ValueError, generate_utrn, C, key, 1 << 32, 8192, VALUE_CLASS_POUNDS, SUPPLIER, ESME)
    raises(ValueError, generate_utrn, C, key, 1 << 32, -1, VALUE_CLASS_POUNDS, SUPPLIER, ESME)
    raises(ValueError, generate_utrn, C, key, 1 << 32, 5, 2, SUPPLIER, ESME)
    raises(ValueError, generate_utrn, C, key, 1 << 64, 5, VALUE_CLASS_PENNIES, SUPPLIER, ESME)
