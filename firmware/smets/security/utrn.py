"""UTRN (Unique Transaction Reference Number) top-ups: decode, verify and generate (spec §2.6).

A UTRN is 20 decimal digits: the 19-digit PPTD followed by a check digit (GBCS §14.8, tables
14.8a-c below). PPTD = PTUT + 7394156990786306048, where the 64-bit PTUT is

    high word: 7 zero bits | 10 bits of (counter >> 32) | 2-bit value class | 13-bit value
    low word:  the last 4 octets of a 16-octet AES-128-GCM GMAC

The GMAC key is the GBCS KDF (smets.security.kdf, command mode) between the supplier's
*prepayment top-up* key-agreement key and the device's key-agreement key, with the supplier as
originator, the device as recipient and the full 64-bit originator counter. Its IV is the
supplier's title followed by four zero octets, and its additional data is
11 00000000 00 || supplier title || device title || 01 || counter (8) || PTUT high word (4).

Value units: value class 0 counts pennies (1/100 of the currency unit), class 1 whole pounds
(currency units); classes 2 and 3 are reserved and rejected. `Utrn.amount()` converts to the
core's money unit, 10^-5 of the currency unit: a 1250 pennies UTRN is 1250000 (as the RTDS
CS01b response reports) and a £10 one is 1000000.

Only 10 bits of the counter travel in the UTRN. A WAN top-up (CS01a/b) brings the full counter in
its grouping header; for keypad entry the device has to supply the rest itself.
"""

from smets.compat import const, constant_time_eq, int_to_be
from smets.security.kdf import MODE_COMMAND_MAC, counter_bytes, derive_key
from smets.wire.errors import DecodeError

PPTD_OFFSET = 7394156990786306048
VALUE_CLASS_PENNIES = const(0)
VALUE_CLASS_POUNDS = const(1)
MAX_VALUE = const(8191)
UTRN_DIGITS = const(20)

# Money per value unit, in 10^-5 of the currency unit, by value class.
_UNIT = (1000, 100000)


def _digit_rows(text):
    return tuple(bytes(int(c) for c in row) for row in text.split())


# GBCS table 14.8a: permutation by position (row), applied to each digit.
_PERMUTE = _digit_rows(
    "0123456789 1576283094 5803796142 8916043527 9453126870 4286573901 2793806415 7046913258"
)
# GBCS table 14.8b: the dihedral group D5 multiplication table.
_MULTIPLY = _digit_rows(
    "0123456789 1234067895 2340178956 3401289567 4012395678 "
    "5987604321 6598710432 7659821043 8765932104 9876543210"
)
# GBCS table 14.8c: the final map to the check digit (GBCS's own, not textbook Verhoeff's inverse).
_FINAL = bytes((1, 2, 6, 7, 5, 8, 3, 0, 9, 4))
# The first (most significant) digit uses permutation row 4; each later digit the next row mod 8.
_FIRST_ROW = const(4)


def check_digit(digits):
    """The GBCS §14.8 check digit (one character) of a string of decimal digits."""
    acc = 0
    row = _FIRST_ROW
    for i in range(len(digits)):
        d = ord(digits[i]) - 48
        if not 0 <= d <= 9:
            raise DecodeError("UTRN: not a decimal digit", i)
        acc = _MULTIPLY[acc][_PERMUTE[row][d]]
        row = (row + 1) & 7
    return chr(48 + _FINAL[acc])


def ptut_high(counter, value, value_class):
    """The PTUT high word for a top-up of `value` units of `value_class` under `counter`."""
    if not 0 <= value <= MAX_VALUE:
        raise ValueError("UTRN value must be 0..8191")
    if value_class not in (VALUE_CLASS_PENNIES, VALUE_CLASS_POUNDS):
        raise ValueError("UTRN value class must be 0 (pennies) or 1 (pounds)")
    if not 0 <= counter < (1 << 64):
        raise ValueError("UTRN counter out of range")
    return (((counter >> 32) & 0x3FF) << 15) | (value_class << 13) | value


class Utrn:
    """A decoded UTRN. `mac` is the 4-octet truncated GMAC carried in the PTUT low word."""

    def __init__(self, digits, ptut):
        self.digits = digits
        self.ptut = ptut
        self.high = ptut >> 32
        self.counter_bits = (self.high >> 15) & 0x3FF
        self.value_class = (self.high >> 13) & 3
        self.value = self.high & 0x1FFF
        self.mac = int_to_be(ptut & 0xFFFFFFFF, 4)

    def amount(self):
        """The top-up in 10^-5 of the currency unit (the core's money unit)."""
        return self.value * _UNIT[self.value_class]

    def matches_counter(self, counter):
        """True when the 10 counter bits in the UTRN agree with a full 64-bit counter."""
        return (counter >> 32) & 0x3FF == self.counter_bits

    def __repr__(self):
        return "Utrn(%s, counter_bits=%d, value_class=%d, value=%d)" % (
            self.digits,
            self.counter_bits,
            self.value_class,
            self.value,
        )


def decode_utrn(digits):
    """Parse 20 ASCII digits (str or bytes) into a Utrn; DecodeError on any malformation."""
    if not isinstance(digits, str):
        try:
            digits = bytes(digits).decode()
        except (UnicodeError, ValueError):
            raise DecodeError("UTRN is not ASCII", 0) from None
    if len(digits) != UTRN_DIGITS:
        raise DecodeError("UTRN must be 20 digits, got %d" % len(digits), 0)
    expected = check_digit(digits[: UTRN_DIGITS - 1])
    if digits[UTRN_DIGITS - 1] != expected:
        raise DecodeError("UTRN check digit wrong", UTRN_DIGITS - 1)
    ptut = int(digits[: UTRN_DIGITS - 1]) - PPTD_OFFSET
    if not 0 <= ptut < (1 << 57):  # below the offset, or a PTUT whose 7 leading bits are not zero
        raise DecodeError("UTRN is not a PTUT", 0)
    utrn = Utrn(digits, ptut)
    if utrn.value_class > VALUE_CLASS_POUNDS:
        raise DecodeError("UTRN value class %d is reserved" % utrn.value_class, 0)
    return utrn


def utrn_key(provider, private, peer_public, originator_title, recipient_title, counter):
    """The 16-octet GMAC key for one UTRN counter: the supplier's prepayment KA key on one side,
    the device's KA key on the other (either side's private key works)."""
    return derive_key(
        provider, private, peer_public, MODE_COMMAND_MAC, originator_title, counter, recipient_title
    )


def utrn_mac(provider, key, originator_title, recipient_title, counter, high):
    """The 4 octets that make the PTUT low word."""
    aad = (
        b"\x11\x00\x00\x00\x00\x00"
        + bytes(originator_title)
        + bytes(recipient_title)
        + b"\x01"
        + counter_bytes(counter)
        + int_to_be(high, 4)
    )
    tag = provider.gcm_encrypt(key, bytes(originator_title) + b"\x00\x00\x00\x00", b"", aad, 16)
    return tag[12:16]


def verify_utrn(provider, utrn, key, originator_title, recipient_title, counter):
    """True when `utrn` (a Utrn or its digits) carries `counter`'s bits and a GMAC made with `key`
    (from utrn_key for the same counter). A malformed string raises DecodeError."""
    if not isinstance(utrn, Utrn):
        utrn = decode_utrn(utrn)
    if not utrn.matches_counter(counter):
        return False
    mac = utrn_mac(provider, key, originator_title, recipient_title, counter, utrn.high)
    return constant_time_eq(mac, utrn.mac)


def generate_utrn(provider, key, counter, value, value_class, originator_title, recipient_title):
    """The 20-digit UTRN for `value` units of `value_class`, MACed with `key` (from utrn_key)."""
    high = ptut_high(counter, value, value_class)
    mac = utrn_mac(provider, key, originator_title, recipient_title, counter, high)
    ptut = (high << 32) | ((mac[0] << 24) | (mac[1] << 16) | (mac[2] << 8) | mac[3])
    pptd = str(PPTD_OFFSET + ptut)
    return pptd + check_digit(pptd)
