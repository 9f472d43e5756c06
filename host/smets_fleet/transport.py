"""The transport between the fleet's premises and the head end: publish/subscribe of raw GBCS
frames on the topics of smets.topics, behind one small interface.

``Transport.connect(client_id, subscriptions, on_message)`` opens one client (a CHF, or the head
end) and returns a ``Link`` to publish on. ``on_message(topic, payload)`` is called on the event
loop for every message that matches a subscription (MQTT wildcards ``+`` and ``#``). Two
implementations: ``InProcessTransport`` here (no broker; the default, so ``smets-fleet run`` needs
nothing installed) and the MQTT one in smets_fleet.mqtt (gmqtt against a real broker).

The in-process transport keeps MQTT's guarantees that matter to us: delivery is asynchronous (the
publisher never runs the subscriber's code in its own call), and messages between one publisher and
one subscriber arrive in the order they were published.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable

MessageHandler = Callable[[str, bytes], None]


class TransportError(Exception):
    """A transport could not connect or publish (the message says why, in one line)."""


class Link(ABC):
    """One connected client."""

    client_id: str

    @abstractmethod
    async def publish(self, topic: str, payload: bytes) -> None: ...

    def publish_now(self, topic: str, payload: bytes) -> bool:
        """Publish without awaiting, if this link can (True); False: use ``publish`` instead. Raises
        TransportError as ``publish`` does. Lets a sender skip a task switch per message."""
        return False

    @abstractmethod
    async def close(self) -> None: ...


class Transport(ABC):
    @abstractmethod
    async def connect(self, client_id: str, subscriptions: list[str], on_message: MessageHandler) -> Link: ...

    @abstractmethod
    async def close(self) -> None:
        """Close every link still open."""

    def inflight(self) -> int:
        """Publishes not yet acknowledged by the broker (0 where delivery needs no acknowledgement);
        the fast clock waits for 0 before it jumps."""
        return 0


def topic_matches(pattern: str, topic: str) -> bool:
    """MQTT topic filter matching (``+`` one level, ``#`` the rest)."""
    p = pattern.split("/")
    t = topic.split("/")
    for i, part in enumerate(p):
        if part == "#":
            return True
        if i >= len(t):
            return False
        if part != "+" and part != t[i]:
            return False
    return len(p) == len(t)


class _InProcessLink(Link):
    def __init__(self, transport: InProcessTransport, client_id: str) -> None:
        self.client_id = client_id
        self._transport = transport
        self.closed = False

    async def publish(self, topic: str, payload: bytes) -> None:
        if self.closed:
            raise TransportError("client %s is closed" % self.client_id)
        self._transport.deliver(topic, bytes(payload))

    async def close(self) -> None:
        self.closed = True
        self._transport.forget(self)


class InProcessTransport(Transport):
    """A broker in this process. Exact topics are looked up in a dict (a fleet has one subscription
    per CHF); wildcard subscriptions are few (the head end) and matched one by one."""

    def __init__(self) -> None:
        self._exact: dict[str, list[tuple[_InProcessLink, MessageHandler]]] = {}
        self._wild: list[tuple[str, _InProcessLink, MessageHandler]] = []
        self._links: list[_InProcessLink] = []
        self.delivered = 0

    async def connect(self, client_id: str, subscriptions: list[str], on_message: MessageHandler) -> Link:
        link = _InProcessLink(self, client_id)
        for s in subscriptions:
            if "+" in s or "#" in s:
                self._wild.append((s, link, on_message))
            else:
                self._exact.setdefault(s, []).append((link, on_message))
        self._links.append(link)
        return link

    def deliver(self, topic: str, payload: bytes) -> None:
        loop = asyncio.get_running_loop()
        for link, handler in self._exact.get(topic, ()):
            if not link.closed:
                loop.call_soon(handler, topic, payload)
                self.delivered += 1
        for pattern, link, handler in self._wild:
            if not link.closed and topic_matches(pattern, topic):
                loop.call_soon(handler, topic, payload)
                self.delivered += 1

    def forget(self, link: _InProcessLink) -> None:
        for subs in self._exact.values():
            subs[:] = [s for s in subs if s[0] is not link]
        self._wild = [w for w in self._wild if w[1] is not link]
        if link in self._links:
            self._links.remove(link)

    async def close(self) -> None:
        for link in list(self._links):
            await link.close()
