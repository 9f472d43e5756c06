"""Firmware store (receipt, hash, activation, version) and snapshot/restore of whole meters."""

import hashlib
import struct

from smets.behaviour.account import PREPAYMENT
from smets.behaviour.calendar import Calendar
from smets.behaviour.debt import DAILY, HOURLY, PDR, TDR1, TDR2
from smets.behaviour.errors import BehaviourError
from smets.behaviour.firmware_store import ACTIVATED, HASH_MISMATCH, NO_IMAGE, SCHEDULED
from smets.behaviour.logs import BOARD_LOG_SIZES
from smets.behaviour.meter import EsmeBehaviour, GsmeBehaviour, from_snapshot
from smets.behaviour.nondisablement import EsmeSchedule, GsmeCalendar
from smets.behaviour.tariff import BLOCK, TOU, TariffConfig
from smets.behaviour.timeutil import DAY, HALF_HOUR, HOUR, NOW, to_seconds
from smets.behaviour.topup import KEYPAD, POUNDS, TopUp

T0 = to_seconds(2024, 1, 1)


def _image(version, body=b"manufacturer image" * 10, manuf=0x121D, itype=0, magic=0x0BEEF11E, size_delta=0):
    hdr = struct.pack("<IHHHHHIH", magic, 0x0100, 56, 0, manuf, itype, version, 2) + b"H" * 32
    return hdr + struct.pack("<I", 56 + len(body) + size_delta) + body


def test_ota_receipt_hash_and_failures():
    m = EsmeBehaviour(T0, firmware_version=0x01000000, manufacturer=0x121D, image_type=0)
    img = _image(0xACDCACDC)
    (code, digest), out = m.receive_firmware(img, T0)
    assert code == 0x8F72 and out == [(0x8F72, T0)]
    assert digest == hashlib.sha256(img[56:]).digest() and len(digest) == 32
    for bad in (
        _image(1, magic=0x12345678),
        _image(1, size_delta=1),
        _image(1, manuf=1),
        _image(1, itype=0x84),
    ):
        (code, _), out = m.receive_firmware(bad, T0)
        assert code == 0x8F1C and out == [(0x8F1C, T0)]
    (code, _), _ = m.receive_firmware(_image(2), T0, verify_signature=lambda image, h: False)
    assert code == 0x8F1C
    assert m.firmware.held_version == 0xACDCACDC  # failures left the verified image in place


def test_activation_now_future_mismatch_and_version_change():
    m = GsmeBehaviour(T0, firmware_version=5)
    assert m.activate_firmware(b"\x00" * 32, NOW, T0)[0] == NO_IMAGE
    img = _image(6)
    (_, digest), _ = m.receive_firmware(img, T0)
    assert m.activate_firmware(b"\x01" * 32, NOW, T0)[0] == HASH_MISMATCH
    res, out = m.activate_firmware(digest, T0 + HOUR, T0)
    assert res == SCHEDULED and m.firmware_version() == 5
    out = m.tick(T0 + HOUR)
    assert m.firmware_version() == 6 and out == [(0x8F43, T0 + HOUR)]
    # the same version again: no 0x8F43
    res, out = m.activate_firmware(digest, NOW, T0 + 2 * HOUR)
    assert res == ACTIVATED and out == []


def _busy_esme(sizes=None):
    m = EsmeBehaviour(T0, log_sizes=sizes)
    cal = Calendar(
        ((1, 1, 0), (4, 1, 1)), ((0,) * 7, (1,) * 7), (((0, 1), (7 * HOUR, 2)), ((0, 2),)), ((0, 12, 25, 1),)
    )
    m.set_tariff(
        TariffConfig(TOU, cal, (12345, 23456), price_scale=-6, standing_charge=4321, standing_scale=-4),
        NOW,
        T0,
    )
    m.set_tariff(TariffConfig(TOU, Calendar.flat(1), (1,)), T0 + 40 * DAY, T0)  # stays passive
    m.set_prepayment_config(200000, 300000, 100000, 10**6, 5 * 10**6, 30, 604800, NOW, T0)
    m.set_debt_recovery(1000, ((20000, -5, DAILY), (70, -4, HOURLY)), T0)
    m.set_non_disablement(EsmeSchedule(((True, True, 16 * HOUR, 0x7F, 0, None, None),)), NOW, T0)
    m.adjust_debt(TDR1, 50000, T0)
    m.adjust_debt(TDR2, 60000, T0)
    m.adjust_debt(PDR, 70000, T0)
    m.set_payment_mode(PREPAYMENT, True, True, 0, NOW, T0)
    m.adjust_balance(400000, T0)
    m.configure_alert(0x81A7, 3, T0)
    m.receive_firmware(_image(9), T0)
    m.apply_top_up(TopUp(5 << 32, 3, POUNDS, True, True), KEYPAD, T0 + 100)
    for k in range(200):
        m.consume(T0 + k * HALF_HOUR + 7, 333 + k % 5)
    return m


def test_snapshot_roundtrip_loses_nothing_and_runs_on_identically():
    m = _busy_esme()
    blob = m.snapshot()
    assert blob[0] == 1  # format version
    r = from_snapshot(blob)
    assert r.snapshot() == blob
    t = T0 + 200 * HALF_HOUR
    for k in range(300):
        assert m.consume(t + k * HALF_HOUR, 400) == r.consume(t + k * HALF_HOUR, 400)
    assert m.snapshot() == r.snapshot()
    assert m.prepayment_registers() == r.prepayment_registers()
    assert m.event_log.entries() == r.event_log.entries()


def test_gsme_snapshot_roundtrip_with_board_sized_logs():
    g = GsmeBehaviour(T0, log_sizes=BOARD_LOG_SIZES)
    g.set_tariff(
        TariffConfig(BLOCK, Calendar.flat(1), block_thresholds=((1000, 2000),), block_prices=((3, 2, 1),)),
        NOW,
        T0,
    )
    g.set_non_disablement(GsmeCalendar(Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1),),))), T0 + DAY, T0)
    for k in range(100):
        g.consume(T0 + k * HALF_HOUR, 50)
    blob = g.snapshot()
    r = GsmeBehaviour(0, log_sizes=BOARD_LOG_SIZES)
    r.restore(blob)
    assert r.snapshot() == blob
    assert r.nd is not None and r.tariff.counters[0] == g.tariff.counters[0]


def test_snapshot_refuses_other_versions_kinds_sizes_and_truncation():
    blob = EsmeBehaviour(T0).snapshot()
    for bad, target in (
        (b"\x02" + blob[1:], EsmeBehaviour(T0)),
        (blob, GsmeBehaviour(T0)),
        (blob[:-3], EsmeBehaviour(T0)),
        (blob + b"\x00", EsmeBehaviour(T0)),
        (blob, EsmeBehaviour(T0, log_sizes=BOARD_LOG_SIZES)),
    ):
        try:
            target.restore(bad)
            raise AssertionError("restored a bad snapshot")
        except BehaviourError:
            pass
