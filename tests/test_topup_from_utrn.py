"""UTRN acceptance from real UTRNs: the security layer's decode and verification feed the
behaviour's acceptance rules (duplicate, not authentic), on both interpreters.

The UTRN and its counter come from RTDS 2.2_CS01a (SUCCESS: "73946144332040217315", counter
0x300000000, GBP 10.00 for ESME 00DB1234567890A0 from supplier 90B3D51F30010000).
"""

from smets.behaviour import topup as tu
from smets.behaviour.logs import BOARD_LOG_SIZES
from smets.behaviour.meter import EsmeBehaviour
from smets.crypto.pure import PureCrypto
from smets.security import utrn as ut
from smets.wire import alert_codes as ac
from support import rtds_keyring

SUPPLIER = b"\x90\xb3\xd5\x1f\x30\x01\x00\x00"
ESME = b"\x00\xdb\x12\x34\x56\x78\x90\xa0"
DIGITS = "73946144332040217315"
COUNTER = 3 << 32
T0 = 473385600  # 2015-01-01T00:00:00Z in seconds since 2000-01-01


def _top_up(digits, counter):
    provider = PureCrypto()
    ring = rtds_keyring()
    u = ut.decode_utrn(digits)
    key = ut.utrn_key(
        provider, ring.private(SUPPLIER, "pp-ka"), ring.public(ESME, "ka"), SUPPLIER, ESME, counter
    )
    authentic = ut.verify_utrn(provider, u, key, SUPPLIER, ESME, counter)
    return tu.TopUp(counter, u.value, u.value_class, authentic, True)


def test_real_utrn_credits_once_then_is_a_duplicate():
    meter = EsmeBehaviour(T0, BOARD_LOG_SIZES)
    before = meter.account.balance
    topup = _top_up(DIGITS, COUNTER)
    assert topup.authentic
    assert topup.amount() == 10 * 100000  # GBP 10.00 in 10^-5 GBP
    code, _ = meter.apply_top_up(topup, tu.REMOTE, T0)
    assert code == 0
    assert meter.account.balance - before == 1000000
    code, _ = meter.apply_top_up(_top_up(DIGITS, COUNTER), tu.REMOTE, T0 + 60)
    assert code == ac.A_DUPLICATE_UTRN
    assert meter.account.balance - before == 1000000


def test_utrn_with_the_wrong_counter_is_not_authentic():
    meter = EsmeBehaviour(T0, BOARD_LOG_SIZES)
    before = meter.account.balance
    # same digits, but the device expects them under another counter: the GMAC key differs
    topup = _top_up(DIGITS, COUNTER + (1 << 32) * 1024)
    assert not topup.authentic
    code, _ = meter.apply_top_up(topup, tu.REMOTE, T0)
    assert code == ac.A_UTRN_NOT_AUTHENTIC
    assert meter.account.balance == before
