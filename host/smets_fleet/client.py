"""The head end on a transport: ``HeadEndClient`` sends service requests to premises and awaits
their validated responses.

One client is one connection (``head-end``), subscribed to every premises' up topic
(smets.topics). ``await request(sr, device, params, timeout, retries)`` builds the command with
the sans-I/O HeadEnd, publishes it on the device's CHF down topic and waits for the response the
HeadEnd correlates by (device EUI, originator counter). A retry after a timeout publishes the very
same frame again (same counter): a device that already ran the command refuses the copy as a
replay, so a retried top-up is never credited twice; a late answer to the first copy still counts.
After the last attempt the request raises ``RequestTimeout`` and the HeadEnd forgets the command.

Built for thousands of requests in flight: a request is a future in one dict keyed by (device,
counter), resolved from the transport's message callback; nothing is spawned per request, and a
future is removed when its request returns, whatever the outcome. Alerts go to ``on_alert`` and,
if given a size, to a bounded ``alerts`` queue (the oldest dropped when full, counted). Frames the
HeadEnd refuses go to ``on_invalid`` and are counted by reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smets import topics
from smets_fleet.headend import Alert, HeadEnd, Invalid, Response
from smets_fleet.transport import Link, Transport

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2


class RequestTimeout(Exception):
    """No validated response after every attempt (the message says which request)."""


@dataclass
class ClientStats:
    sent: int = 0
    retries: int = 0
    responses: int = 0
    timeouts: int = 0
    alerts: int = 0
    alerts_dropped: int = 0
    invalid: dict[str, int] = field(default_factory=dict)

    def invalid_total(self) -> int:
        return sum(self.invalid.values())


class HeadEndClient:
    def __init__(
        self,
        transport: Transport,
        headend: HeadEnd,
        fleet: str = topics.DEFAULT_FLEET,
        client_id: str = "head-end",
        on_alert: Callable[[Alert], None] | None = None,
        on_invalid: Callable[[Invalid], None] | None = None,
        alert_queue: int = 0,
        clock: Callable[[], float] = time.monotonic,
        subscriptions: list[str] | None = None,
    ) -> None:
        self.transport = transport
        self.headend = headend
        self.fleet = fleet
        self.client_id = client_id
        self.on_alert = on_alert
        self.on_invalid = on_invalid
        self.alerts: asyncio.Queue[Alert] | None = asyncio.Queue(alert_queue) if alert_queue else None
        self.clock = clock
        # every premises' up topic by default; a one-shot sender listens to its premises only
        self.subscriptions = subscriptions if subscriptions is not None else [topics.up_wildcard(fleet)]
        self.stats = ClientStats()
        self.link: Link | None = None
        self._waiting: dict[tuple[bytes, int], asyncio.Future[Response]] = {}

    async def start(self) -> None:
        self.link = await self.transport.connect(self.client_id, self.subscriptions, self.on_up)

    async def close(self) -> None:
        if self.link is not None:
            await self.link.close()
            self.link = None

    async def __aenter__(self) -> HeadEndClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    @property
    def in_flight(self) -> int:
        return len(self._waiting)

    async def request(
        self,
        sr: str,
        device: bytes,
        params: Mapping[str, Any] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> Response:
        """Send one service request and return its validated Response (``ok`` False for a device-level
        error). Raises srv.SrError for bad input, RequestTimeout when nothing valid comes back, and
        the transport's TransportError when publishing fails."""
        if self.link is None:
            raise RuntimeError("HeadEndClient.start() first")
        now = self.clock()
        frame, pending = self.headend.build(sr, device, params, now, timeout * (retries + 1))
        topic = topics.down(pending.chf, self.fleet)
        fut: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._waiting[pending.key] = fut
        try:
            for attempt in range(retries + 1):
                if attempt:
                    self.stats.retries += 1
                await self.link.publish(topic, frame)
                self.stats.sent += 1
                try:
                    return await asyncio.wait_for(asyncio.shield(fut), timeout)
                except asyncio.TimeoutError:
                    continue
            self.stats.timeouts += 1
            raise RequestTimeout(
                "%s to %s (counter %d): no response after %d attempt(s) of %gs"
                % (pending.sr, pending.device.hex(), pending.counter, retries + 1, timeout)
            )
        finally:
            self._waiting.pop(pending.key, None)
            if not fut.done():
                fut.cancel()
                self.headend.forget(pending)

    def on_up(self, topic: str, payload: bytes) -> None:
        """Every frame from a premises: a response resolves its request; alerts and refused frames
        go to their callbacks. Never raises into the transport."""
        try:
            result: Response | Alert | Invalid = self.headend.receive(payload, self.clock())
        except Exception as exc:  # a head-end bug must not break the transport's delivery
            result = Invalid("head end error: %s" % type(exc).__name__)
        if isinstance(result, Response):
            self.stats.responses += 1
            fut = self._waiting.get(result.pending.key)
            if fut is not None and not fut.done():
                fut.set_result(result)
            if result.alert is not None:
                self._alert(result.alert)
        elif isinstance(result, Alert):
            self._alert(result)
        else:
            self.stats.invalid[result.reason] = self.stats.invalid.get(result.reason, 0) + 1
            if self.on_invalid is not None:
                self.on_invalid(result)

    def _alert(self, alert: Alert) -> None:
        self.stats.alerts += 1
        if self.on_alert is not None:
            self.on_alert(alert)
        q = self.alerts
        if q is not None:
            if q.full():
                q.get_nowait()
                self.stats.alerts_dropped += 1
            q.put_nowait(alert)
