"""The fleet against a real mosquitto on a free 127.0.0.1 port (skipped only when there is no
mosquitto binary): every CHF connects with its own client, alerts arrive on the up topics as raw
GBCS frames a head end finds authentic, a command sent on a CHF's down topic is answered, and the
fast clock waits for the broker's acknowledgements before it jumps."""

import asyncio

import pytest
from board_support import Broker

from smets import topics
from smets.timeutil import DAY, to_seconds
from smets_fleet import identity
from smets_fleet.clock import FAST, Clock
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.fleet import Fleet, FleetConfig
from smets_fleet.mqtt import MqttTransport, parse_broker_url
from smets_fleet.transport import TransportError

P = HostCrypto()
START = to_seconds(2024, 1, 1)


def test_broker_urls():
    assert parse_broker_url("mqtt://127.0.0.1:1999") == ("127.0.0.1", 1999)
    assert parse_broker_url("mqtt://broker.local") == ("broker.local", 1883)
    for bad in ("tcp://h:1", "mqtt://", "mqtt://h:70000", "mqtt://h:1/topic", "h:1"):
        with pytest.raises(TransportError):
            parse_broker_url(bad)


def test_fleet_over_mosquitto(tmp_path):
    headend = pytest.importorskip("smets_fleet.headend")
    broker = Broker(tmp_path)
    url = "mqtt://127.0.0.1:%d" % broker.port
    cfg = FleetConfig(outages_per_day=4.0, max_outage=3600, fleet="t%d" % broker.port)
    he = headend.HeadEnd.for_seed(P, cfg.seed)
    results = []
    raw = []

    async def go():
        fleet_transport = MqttTransport(url)
        fleet = Fleet(range(5), cfg, P, Clock(FAST, START), fleet_transport)
        await fleet.build()
        await fleet.connect()
        assert fleet.metrics.premises_up == 5

        he_transport = MqttTransport(url)

        def up(topic, payload):
            raw.append((topic, payload))
            results.append(he.receive(payload))

        link = await he_transport.connect("head-end", [topics.up_wildcard(cfg.fleet)], up)
        await asyncio.sleep(0.2)  # the subscription is in place
        esme = identity.device_eui("esme", 3)
        frame, _ = he.build("read-balance", esme, {}, START)
        await link.publish(topics.down(identity.device_eui("chf", 3), cfg.fleet), frame)
        deadline = asyncio.get_running_loop().time() + 10
        while not any(isinstance(r, headend.Response) for r in results):
            assert asyncio.get_running_loop().time() < deadline, results
            await asyncio.sleep(0.02)
        await fleet.run(START + 2 * DAY)
        await fleet.flush()
        await asyncio.sleep(0.3)  # the last alerts reach the head end
        m = fleet.metrics
        await fleet.close()
        await he_transport.close()
        await fleet_transport.close()
        return m

    try:
        m = asyncio.run(go())
    finally:
        broker.stop()
    responses = [r for r in results if isinstance(r, headend.Response)]
    alerts = [r for r in results if isinstance(r, headend.Alert)]
    assert len(responses) == 1 and responses[0].ok
    assert m.outages > 0 and len(alerts) == m.alerts_out > 0
    assert all(a.code == 0x8F36 for a in alerts)
    assert not [r for r in results if isinstance(r, headend.Invalid)]
    # each frame came up on the topic of its own CHF, the premises of the device that sent it
    for topic, _payload in raw:
        chf = topics.chf_of(topic)
        assert chf is not None and identity.premises_number(chf) is not None
    assert m.frames_out == len(raw) and m.errors == 0
