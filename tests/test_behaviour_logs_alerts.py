"""Log rings, the alert code table and alert configuration."""

from smets.behaviour.alerts import AUDIBLE, HAN, LOG, WAN, AlertSettings
from smets.behaviour.errors import BehaviourError
from smets.behaviour.logs import SMETS_LOG_SIZES, EventLog, RecordLog, SeriesLog
from smets.behaviour.meter import EsmeBehaviour
from smets.behaviour.timeutil import DAY, HALF_HOUR, to_seconds
from smets.wire import alert_codes as ac

T0 = to_seconds(2024, 1, 1)


def test_smets_log_sizes():
    s = SMETS_LOG_SIZES
    assert (s.event, s.security, s.daily_read, s.prepay_daily_read) == (100, 100, 31, 31)
    assert (s.profile, s.billing_snapshots, s.billing_credits, s.billing_debt_payments) == (19056, 12, 5, 10)
    assert s.daily_consumption == 731


def test_event_log_ring_keeps_the_newest():
    log = EventLog(3)
    for i in range(5):
        log.add(100 + i, 0x8100 + i, i)
    assert log.entries() == [(102, 0x8102, 2), (103, 0x8103, 3), (104, 0x8104, 4)]
    log.clear()
    assert log.entries() == []


def test_security_log_cannot_be_cleared():
    m = EsmeBehaviour(T0)
    m.security_log.add(T0, 0x8F1E)
    try:
        m.security_log.clear()
        raise AssertionError("cleared")
    except BehaviourError:
        pass
    assert len(m.security_log) == 1


def test_clear_event_log_records_0x8f52():
    m = EsmeBehaviour(T0)
    m.event_log.add(T0, 0x81AB)
    _, out = m.clear_event_log(T0 + 5)
    assert out == [(0x8F52, T0 + 5)]
    assert m.event_log.entries() == [(T0 + 5, 0x8F52, 0)]


def test_record_log_and_series_log_gaps():
    r = RecordLog(2, 3)
    r.add(1, (1, -2, 3))
    r.add(2, (4, 5, 6))
    r.add(3, (7, 8, -9))
    assert r.entries() == [(2, (4, 5, 6)), (3, (7, 8, -9))]
    s = SeriesLog(4, HALF_HOUR)
    s.add(0, 10)
    s.add(3 * HALF_HOUR, 40)  # two missing half-hours are zero
    assert s.entries() == [(0, 10), (HALF_HOUR, 0), (2 * HALF_HOUR, 0), (3 * HALF_HOUR, 40)]
    s.add(4 * HALF_HOUR, 50)
    assert s.entries()[0] == (HALF_HOUR, 0) and len(s) == 4


def test_profile_log_is_compact():
    s = SeriesLog(19056, HALF_HOUR)
    assert len(bytes(s.values)) == 4 * 19056


def test_alert_table_sorted_unique_and_classes_from_the_spec():
    codes = [row[0] for row in ac.rows()]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    for code in (0x8F0F, 0x8F83, 0x8F0A, 0x8F1E, 0x8F66, 0x8F67, 0x8F0C, 0x8F72, 0x8F1C, 0x8F43):
        assert ac.is_critical(code), hex(code)
    for code in (0x810D, 0x810E, 0x8119, 0x81AA, 0x81AB, 0x81A7, 0x81A8, 0x81A9, 0x81C4, 0x81C5):
        assert not ac.is_critical(code), hex(code)
    assert ac.name(0x81A0) == "Smart Meter Integrity Issue - Warning"  # as in the RTDS decode
    assert ac.name(0x8F0A) == "Billing Data Log Updated"
    assert ac.lookup(0x1234) is None and ac.is_critical(0x8FFE) and not ac.is_critical(0x81FE)
    for row in ac.rows():
        assert row[2] == ((row[0] & 0xFF00) == 0x8F00), hex(row[0])


def test_every_alert_the_behaviour_raises_is_in_the_table():
    names = [n for n in dir(ac) if n.startswith("A_")]
    assert names
    for n in names:
        assert ac.lookup(getattr(ac, n)) is not None, n


def test_alert_configuration():
    a = AlertSettings()
    assert a.route(0x8F0F) == WAN | LOG
    assert a.route(0x810D) == WAN | HAN | LOG
    assert a.route(0x81A7) == WAN | LOG
    a.configure(0x81A7, HAN | AUDIBLE)
    assert a.route(0x81A7) == HAN | AUDIBLE
    assert a.route(0x810D) == WAN | HAN | LOG
    for bad in (0x8F0F, 0x1234):
        try:
            a.configure(bad, WAN)
            raise AssertionError("configured %x" % bad)
        except BehaviourError:
            pass


def test_unlogged_alert_is_not_in_the_event_log():
    m = EsmeBehaviour(T0)
    m.configure_alert(0x810D, WAN, T0)  # low credit: WAN only, not logged
    m._emit(0x810D, T0)
    m._emit(0x81AB, T0)
    assert [c for _, c, _ in m.event_log.entries()] == [0x81AB]


def test_daily_logs_at_midnight():
    m = EsmeBehaviour(T0)
    m.consume(T0 + 10, 700)
    m.tick(T0 + DAY)
    assert m.daily_consumption.entries() == [(T0, 700)]
    assert m.daily_read.entries()[0][0] == T0 + DAY and m.daily_read.entries()[0][1][0] == 700
    assert len(m.prepay_daily_read) == 1
