"""The MQTT transport (smets_fleet.transport's interface) on gmqtt: one client, one TCP connection,
per CHF (and one for a head end), QoS 1 both ways, payloads are raw GBCS frames (smets.topics).

gmqtt was chosen by measurement (benchmarks/README.md): at 5,000 connections it cost about 34 us of
CPU per message and nothing while idle; aiomqtt cost 150-190 us with a 1 Hz task per client and
GC stalls in the tail. gmqtt keeps one keep-alive timer and one idle read task per connection,
so idle connections cost memory but no CPU.

Connecting is bounded: each connect has a timeout and raises TransportError with one line saying
why (bad URL, refused, unreachable, timed out); ``connect_many`` paces thousands of clients with
bounded concurrency. A broken connection is not hidden: gmqtt's reconnects are switched off and a
publish on a closed client raises TransportError, counted by the fleet.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from gmqtt import Client
from gmqtt.mqtt.constants import MQTTv311

from smets.topics import QOS
from smets_fleet.transport import Link, MessageHandler, Transport, TransportError

DEFAULT_PORT = 1883
CONNECT_TIMEOUT = 10.0
KEEPALIVE = 300  # seconds: 20,000 clients ping ~130 times a second in all, nothing between
CONNECT_CONCURRENCY = 200

T = TypeVar("T")


def parse_broker_url(url: str) -> tuple[str, int]:
    """``mqtt://host[:port]`` -> (host, port). Raises TransportError for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TransportError("bad broker URL %r: %s" % (url, exc)) from None
    if parts.scheme != "mqtt":
        raise TransportError("bad broker URL %r: expected mqtt://host:port" % url)
    if not parts.hostname:
        raise TransportError("bad broker URL %r: no host" % url)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise TransportError("bad broker URL %r: expected mqtt://host:port and nothing else" % url)
    return parts.hostname, port if port is not None else DEFAULT_PORT


class MqttLink(Link):
    def __init__(self, client: Client, client_id: str, transport: MqttTransport) -> None:
        self.client_id = client_id
        self._client = client
        self._transport = transport
        self.closed = False

    @property
    def inflight(self) -> int:
        """QoS-1 publishes not yet acknowledged by the broker."""
        return len(self._client._persistent_storage.get_all())

    async def publish(self, topic: str, payload: bytes) -> None:
        self.publish_now(topic, payload)

    def publish_now(self, topic: str, payload: bytes) -> bool:
        """gmqtt's publish only queues the packet on the socket: nothing to await."""
        if self.closed or not self._client.is_connected:
            raise TransportError("client %s is not connected" % self.client_id)
        self._client.publish(topic, payload if type(payload) is bytes else bytes(payload), qos=QOS)
        self._transport.published += 1
        return True

    async def drain(self, timeout: float) -> bool:
        """Wait until every QoS-1 publish of this client is acknowledged (False on timeout)."""
        try:
            await asyncio.wait_for(self._client._persistent_storage.wait_empty(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._transport.forget(self)
        try:
            await asyncio.wait_for(self._client.disconnect(), 5.0)
        except (OSError, asyncio.TimeoutError, ConnectionError):
            pass


class MqttTransport(Transport):
    """Clients of one broker. ``connect`` opens one; ``connect_many`` opens many, paced."""

    def __init__(
        self,
        url: str,
        connect_timeout: float = CONNECT_TIMEOUT,
        keepalive: int = KEEPALIVE,
        concurrency: int = CONNECT_CONCURRENCY,
    ) -> None:
        self.host, self.port = parse_broker_url(url)
        self.url = url
        self.connect_timeout = connect_timeout
        self.keepalive = keepalive
        self.concurrency = concurrency
        self.published = 0
        self._links: list[MqttLink] = []
        # gmqtt logs every refused or lost connection at WARNING; the fleet counts them instead.
        logging.getLogger("gmqtt").setLevel(logging.ERROR)

    async def connect(self, client_id: str, subscriptions: list[str], on_message: MessageHandler) -> Link:
        client = Client(client_id, clean_session=True, optimistic_acknowledgement=True)
        client.set_config({"reconnect_retries": 0, "reconnect_delay": 1})

        def deliver(_client: Any, topic: str, payload: bytes, _qos: int, _properties: Any) -> int:
            on_message(topic, payload)
            return 0  # PUBACK reason code: success

        client.on_message = deliver
        where = "%s:%d" % (self.host, self.port)
        try:
            await asyncio.wait_for(
                client.connect(self.host, self.port, keepalive=self.keepalive, version=MQTTv311),
                self.connect_timeout,
            )
        except asyncio.TimeoutError:
            await _abandon(client)
            why = "MQTT broker %s did not answer within %gs" % (where, self.connect_timeout)
            raise TransportError(why) from None
        except (OSError, ConnectionError) as exc:
            await _abandon(client)
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise TransportError("cannot connect to MQTT broker %s: %s" % (where, reason)) from None
        except Exception as exc:  # gmqtt raises its own errors for a refused CONNECT
            await _abandon(client)
            raise TransportError("MQTT broker %s refused %s: %s" % (where, client_id, exc)) from None
        _nodelay(client)
        for s in subscriptions:
            client.subscribe(s, qos=QOS)
        link = MqttLink(client, client_id, self)
        self._links.append(link)
        return link

    async def connect_many(self, requests: Iterable[tuple[str, list[str], MessageHandler]]) -> list[Link]:
        """Connect many clients, at most ``concurrency`` connecting at once; the links in order.
        The first failure raises its TransportError (``close()`` closes what was opened)."""
        factories: list[Callable[[], Awaitable[Link]]] = [
            functools.partial(self.connect, cid, subs, handler) for cid, subs, handler in requests
        ]
        return await bounded_gather(factories, self.concurrency)

    def inflight(self) -> int:
        return sum(link.inflight for link in self._links)

    async def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every client's publishes are acknowledged."""
        busy = [link for link in self._links if link.inflight]
        results = await asyncio.gather(*(link.drain(timeout) for link in busy))
        return all(results)

    def forget(self, link: MqttLink) -> None:
        if link in self._links:
            self._links.remove(link)

    async def close(self) -> None:
        links = list(self._links)
        await bounded_gather([link.close for link in links], self.concurrency)


async def bounded_gather(factories: list[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run the coroutines the factories make, at most `limit` at once; results in order. On the
    first exception the others still pending are cancelled and it is raised."""
    results: list[Any] = [None] * len(factories)
    it = iter(enumerate(factories))

    async def worker() -> None:
        for i, make in it:
            results[i] = await make()

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, min(limit, len(factories))))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return results


async def _abandon(client: Client) -> None:
    try:
        client._is_active = False  # no reconnect attempts for a client we give up on
        if client._connection is not None:
            await asyncio.wait_for(client._connection.close(), 1.0)
    except Exception:
        pass


def _nodelay(client: Client) -> None:
    """Frames are small and latency matters: no Nagle delay (asyncio usually sets it already)."""
    conn = client._connection
    sock = conn._transport.get_extra_info("socket") if conn is not None else None
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
