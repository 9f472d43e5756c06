"""HeadEndClient over the in-process transport, against premises answering on their CHF topics
(a small responder here; the fleet runtime is the real one): requests and their validated
responses, many at once, retries after a lost frame, timeouts, alerts to the queue, late answers.
Timeouts are short and only their outcome is asserted, never their duration.
"""

from __future__ import annotations

import asyncio

import pytest

from smets import topics
from smets.build import build_premises
from smets.timeutil import to_seconds
from smets_fleet import headend, identity
from smets_fleet.client import HeadEndClient, RequestTimeout
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.transport import InProcessTransport

P = HostCrypto()
SEED = "client-test"
NOW = to_seconds(2025, 6, 1)
PENCE = 1000


class Responder:
    """The CHF of one premises on the transport: each command into premises.receive, the frames
    that come out published on the up topic (a GSME's at its next wake-up). `drop` frames are lost
    on the way in, first come first lost; `mute` answers nothing."""

    def __init__(self, transport: InProcessTransport, number: int, drop: int = 0, mute: bool = False) -> None:
        self.transport = transport
        self.number = number
        self.premises = build_premises(identity.premises_config(P, number, SEED), P, NOW)
        self.chf = identity.device_eui("chf", number)
        self.now = NOW
        self.drop = drop
        self.mute = mute
        self.received = 0
        self.link = None

    async def start(self) -> None:
        self.link = await self.transport.connect(
            "chf-%d" % self.number, [topics.down(self.chf)], self.on_down
        )

    def on_down(self, topic: str, payload: bytes) -> None:
        self.received += 1
        if self.drop:
            self.drop -= 1
            return
        if self.mute:
            return
        out = self.premises.receive(payload, self.now)
        if self.premises.gsme_queue:
            self.now = self.premises.next_wake
            out += self.premises.tick(self.now)
        self.publish(out)

    def publish(self, frames: list[bytes]) -> None:
        for f in frames:
            self.transport.deliver(topics.up(self.chf), f)

    def tick(self, now: int) -> None:
        self.now = now
        self.publish(self.premises.tick(now))


async def _rig(numbers=(1,), **kw):
    transport = InProcessTransport()
    responders = {}
    for n in numbers:
        responders[n] = Responder(transport, n, **kw)
        await responders[n].start()
    he = headend.HeadEnd.for_seed(P, SEED, counter_floor=1)
    client = HeadEndClient(transport, he, alert_queue=16)
    await client.start()
    return transport, responders, he, client


async def test_request_top_up_then_read_balance():
    transport, rs, he, client = await _rig()
    esme = identity.device_eui("esme", 1)
    before = (await client.request("read-balance", esme)).values["balance"]
    r = await client.request("top-up", esme, {"amount": 1500})
    assert r.ok and r.pending.sr == "top-up"
    after = await client.request("read-balance", esme)
    assert after.ok and after.values["balance"] == before + 1500 * PENCE
    assert client.in_flight == 0 and not he.pending
    assert client.stats.sent == 3 and client.stats.responses == 3 and client.stats.retries == 0
    await client.close()


async def test_gsme_answers_at_its_wake_up():
    transport, rs, he, client = await _rig()
    gsme = identity.device_eui("gsme", 1)
    r = await client.request("payment-mode", gsme, {"mode": "prepayment"})
    assert r.ok and rs[1].premises.gsme.meter.account.prepayment()
    await client.close()


async def test_many_requests_in_flight_at_once():
    numbers = tuple(range(10, 18))
    transport, rs, he, client = await _rig(numbers)
    jobs = []
    for n in numbers:
        esme = identity.device_eui("esme", n)
        for i in range(25):
            jobs.append(client.request("adjust-balance", esme, {"amount": i + 1}))
    results = await asyncio.gather(*jobs)
    assert all(r.ok for r in results)
    # every premises' ESME saw 25 adjustments of 1..25 pence, in whatever order they ran
    for n in numbers:
        assert rs[n].premises.esme.meter.account.balance == sum(range(1, 26)) * PENCE
    keys = {r.pending.key for r in results}
    assert len(keys) == len(results)  # one counter per command and device
    assert client.in_flight == 0 and not he.pending
    await client.close()


async def test_a_lost_command_is_sent_again_and_answered():
    transport, rs, he, client = await _rig(drop=1)
    esme = identity.device_eui("esme", 1)
    r = await client.request("top-up", esme, {"amount": 250}, timeout=0.05, retries=2)
    assert r.ok and client.stats.retries == 1 and rs[1].received == 2
    assert rs[1].premises.esme.meter.account.balance == 250 * PENCE
    await client.close()


async def test_a_retried_command_already_run_is_not_run_twice():
    """The response is lost (the device ran the command): the retry is the same frame, which the
    device refuses as a replay, so the top-up is credited once and the request times out."""
    transport, rs, he, client = await _rig()
    esme = identity.device_eui("esme", 1)
    lost = []
    rs[1].publish = lambda frames: lost.extend(frames)  # the way up is broken
    with pytest.raises(RequestTimeout, match="no response after 3 attempt"):
        await client.request("top-up", esme, {"amount": 100}, timeout=0.02, retries=2)
    assert rs[1].received == 3 and len(lost) == 1  # three copies in, one answer (lost)
    assert rs[1].premises.esme.meter.account.balance == 100 * PENCE
    assert client.stats.timeouts == 1 and client.in_flight == 0 and not he.pending
    # the lost answer turning up now is refused: nobody waits for it any more
    transport.deliver(topics.up(rs[1].chf), lost[0])
    await asyncio.sleep(0)
    assert any("no command pending" in reason for reason in client.stats.invalid)
    await client.close()


async def test_no_answer_times_out_and_forgets():
    transport, rs, he, client = await _rig(mute=True)
    with pytest.raises(RequestTimeout):
        await client.request("read-balance", identity.device_eui("esme", 1), timeout=0.01, retries=0)
    assert client.in_flight == 0 and not he.pending and client.stats.timeouts == 1
    await client.close()


async def test_alerts_reach_the_queue_and_the_callback():
    transport, rs, he, client = await _rig()
    seen = []
    client.on_alert = seen.append
    esme = identity.device_eui("esme", 1)
    r = await client.request("payment-mode", esme, {"mode": "prepayment", "at": "2025-06-01T01:00:00Z"})
    assert r.ok
    rs[1].tick(NOW + 3600)  # the future-dated change runs and the ESME reports it
    alert = await asyncio.wait_for(client.alerts.get(), 1.0)
    assert alert.code == 0x8F66 and alert.device == esme and seen and seen[0] is alert
    await client.close()


async def test_bad_input_raises_before_anything_is_sent():
    transport, rs, he, client = await _rig()
    from smets_fleet.srv import SrError

    with pytest.raises(SrError):
        await client.request("top-up", identity.device_eui("esme", 1), {"amount": -5})
    assert client.stats.sent == 0 and client.in_flight == 0
    await client.close()
