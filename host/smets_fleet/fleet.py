"""The fleet of one process: a range of premises held as data, driven by one scheduler, each CHF on
one transport link.

Theory of operation. Premises are plain objects in lists indexed by their position in the range;
nothing runs per premises unless an event of the scheduler (smets_fleet.scheduler) or a frame from
the head end concerns it. Events:

* ``CONSUME`` each half-hour, at a seeded second 60..1739 into it (spreading the load): each meter
  gets the half-hour's energy from the demand model (smets_fleet.consumption), so its registers
  and profile log see it inside its half-hour even with a drifting clock.
* ``WAKE`` the sleepy GSME wakes (smets.premises): takes its waiting commands, sends what it holds,
  the GPF mirrors it. ``wakes="every"`` (realtime and scaled clocks) runs every wake-up;
  ``"when-needed"`` (the fast clock) runs one only when something waits for or from the GSME, and a
  premises touched between is first brought up to date (the premises runs only the last of its
  missed idle wake-ups, so what the head end reads is the same). A wake-up mirrors the whole GSME
  into the GPF (~0.2 ms), which would dominate a fast run if every one ran.
* ``TICK`` the earliest future-dated item any device holds falls due (its 0x8F66 alert goes at its
  time); behaviour's own instants (tariff switches, billing ends) run at the next ``CONSUME``.
* ``SYNC`` once a day at a seeded time the CHF re-syncs its meters' clocks: each meter's clock runs
  at a seeded rate error (up to ``drift_ppm``) from a seeded starting error (up to
  ``initial_offset`` seconds), and the sync sets it back to true time. Modelled simply: the error is
  an offset on the device's clock (Device.drift), recomputed at each ``CONSUME``, zeroed at ``SYNC``;
  the CHF itself and the GPF (in the comms hub) keep WAN time.
* ``POWER_OFF`` / ``POWER_ON`` seeded ESME mains outages (``outages_per_day`` per premises, 1 min to
  ``max_outage`` long): no consumption while off, the ECS80 alert when an outage of 3 minutes or
  more ends.

Frames from the head end arrive on the CHF's down topic and go to ``Premises.receive`` at the
clock's time; what comes out is published on the up topic in order: at once when nothing is queued
and the link can publish without awaiting (MQTT), else queued for one publisher task. Figures go
to a FleetMetrics (smets_fleet.metrics).

``state()`` is everything needed to continue (premises via smets.persist, the heap, the per-premises
clock bookkeeping, frames not yet published, the figures); ``Fleet(..., resume=state)`` continues
from it. The fleet is single-threaded, so any point between two awaits is a consistent snapshot.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from smets import topics
from smets.build import build_premises
from smets.premises import DEFAULT_WAKE_INTERVAL, Premises
from smets.timeutil import DAY, HALF_HOUR
from smets.wire import frame as wire
from smets.wire.ber import read_length
from smets.wire.errors import DecodeError
from smets_fleet import identity
from smets_fleet.clock import FAST, Clock
from smets_fleet.consumption import DemandModel, seed_key, uniform
from smets_fleet.metrics import FleetMetrics
from smets_fleet.scheduler import Scheduler
from smets_fleet.transport import Link, Transport, TransportError

TICK, WAKE, CONSUME, SYNC, POWER_OFF, POWER_ON = range(6)
KIND_NAMES = ("tick", "wake", "consume", "sync", "power-off", "power-on")
STATE_VERSION = 1
BATCH = 512  # events run between two chances for inbound frames to be handled
NO_EVENT = -1


@dataclass(frozen=True)
class FleetConfig:
    """What the devices of a fleet are and how the world around them behaves; the same config and
    seed give the same fleet."""

    seed: str = identity.DEFAULT_SEED
    meters: tuple[str, ...] = identity.DEFAULT_MIX
    fleet: str = topics.DEFAULT_FLEET
    log_sizes: str = "full"
    wake_interval: int = DEFAULT_WAKE_INTERVAL
    wakes: str = "auto"  # "every", "when-needed", or "auto" (when-needed on the fast clock only)
    drift_ppm: float = 30.0
    initial_offset: int = 5
    outages_per_day: float = 0.001
    max_outage: int = 4 * 3600

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["meters"] = list(self.meters)
        return d

    @staticmethod
    def from_dict(d: dict[str, Any]) -> FleetConfig:
        d = dict(d)
        d["meters"] = tuple(d.get("meters", identity.DEFAULT_MIX))
        return FleetConfig(**d)


def cra_of(data: bytes) -> int:
    """A frame's CRA flag without parsing it all (0 when the frame is not GBCS-shaped)."""
    try:
        pos = 0
        if data[0] == 0xDD:
            _, pos = read_length(data, 7, len(data))
            pos += 5
        if data[pos] != 0xDF:
            return 0
        return data[pos + 2]
    except (IndexError, DecodeError, ValueError):
        return 0


def alert_code_of(data: bytes) -> int | None:
    """The alert code an alert frame carries (DLMS or GBZ payload), or None."""
    from smets.wire import payload as wp

    try:
        kind, structure = wp.decode_payload(wire.parse(data).payload)
    except (DecodeError, ValueError, IndexError, TypeError):
        return None
    code = structure.alert_code() if kind == wp.KIND_DLMS else getattr(structure, "alert_code", None)
    return code if isinstance(code, int) else None


class Fleet:
    """Premises ``numbers`` (a range) of one process."""

    def __init__(
        self,
        numbers: range,
        config: FleetConfig,
        provider: Any,
        clock: Clock,
        transport: Transport,
        metrics: FleetMetrics | None = None,
    ) -> None:
        self.numbers = numbers
        self.config = config
        self.provider = provider
        self.clock = clock
        self.transport = transport
        self.metrics = metrics or FleetMetrics()
        self.demand = DemandModel(config.seed)
        self.sched = Scheduler()
        self.sched.on_earlier = clock.interrupt
        self.lazy_wakes = config.wakes == "when-needed" or (config.wakes == "auto" and clock.mode == FAST)
        n = len(numbers)
        self.premises: list[Premises] = []
        self.links: list[Link | None] = [None] * n
        self.up_topics = [topics.up(identity.device_eui("chf", k), config.fleet) for k in numbers]
        self.down_index = {
            topics.down(identity.device_eui("chf", k), config.fleet): i for i, k in enumerate(numbers)
        }
        # Per-premises bookkeeping (plain lists: cheap at 20,000 premises).
        keys = [seed_key(config.seed, label) for label in ("phase consume", "phase sync", "phase wake")]
        self._keys = {label: seed_key(config.seed, label) for label in ("outage", "outage at", "outage for")}
        self.consume_phase = [60 + int(uniform(keys[0], k, 0) * (HALF_HOUR - 120)) for k in numbers]
        self.sync_phase = [int(uniform(keys[1], k, 0) * DAY) for k in numbers]
        self.wake_phase = [int(uniform(keys[2], k, 0) * config.wake_interval) for k in numbers]
        drift_key = seed_key(config.seed, "clock drift")
        offset_key = seed_key(config.seed, "clock offset")
        rate = config.drift_ppm * 1e-6
        # [electricity, gas] per premises: seconds of error per second, and error right after a sync.
        self.drift_rate = [[rate * (2 * uniform(drift_key, k, m) - 1) for m in (0, 1)] for k in numbers]
        self.drift_base = [
            [round(config.initial_offset * (2 * uniform(offset_key, k, m) - 1)) for m in (0, 1)]
            for k in numbers
        ]
        self.synced_at = [0] * n
        self.wake_at = [NO_EVENT] * n
        self.due_at = [NO_EVENT] * n
        self.outbox: deque[tuple[int, bytes]] = deque()
        self._outbox_ready = asyncio.Event()
        self.stopping = False
        self._activity = 0
        self._quiet_activity = -1
        self._last_yield = time.monotonic()
        self._publisher: asyncio.Task[None] | None = None
        self._publishing = False  # the publisher task is inside a publish
        self.on_frame_out: Callable[[int, bytes], None] | None = None
        clock.settle = self._settle
        self.metrics.premises = n

    # -- building and connecting ---------------------------------------------------------------------
    def premises_config(self, number: int, remote: dict[str, identity.Party]) -> dict[str, Any]:
        c = self.config
        return identity.premises_config(
            self.provider, number, c.seed, c.meters, remote, c.wake_interval, c.log_sizes
        )

    async def build(self, resume: dict[str, Any] | None = None) -> None:
        """Build every premises: fresh at the clock's start (a scaled clock may already have run on
        while building), or from a checkpoint's state."""
        remote = identity.parties(self.provider, self.config.seed)
        now = self.clock.start
        states = resume["premises"] if resume is not None else None
        if states is not None and len(states) != len(self.numbers):
            raise ValueError("the checkpoint holds %d premises, not %d" % (len(states), len(self.numbers)))
        for i, number in enumerate(self.numbers):
            cfg = self.premises_config(number, remote)
            if states is not None:
                from smets.persist import load_premises  # the firmware's own state format

                pr = load_premises(cfg, states[i], self.provider)
            else:
                pr = build_premises(cfg, self.provider, now)
            self.premises.append(pr)
            self.metrics.devices += len(pr.devices())
            if i % 200 == 199:
                await asyncio.sleep(0)  # let progress reports through while 20,000 build
        if resume is not None:
            self._load_state(resume)
        else:
            self._first_events(now)

    def _first_events(self, now: int) -> None:
        push = self.sched.push
        hh0 = now - now % HALF_HOUR
        day0 = now - now % DAY
        for i, pr in enumerate(self.premises):
            self.synced_at[i] = now
            for m, dev in enumerate((pr.esme, pr.gsme)):
                if dev is not None and self.drift_base[i][m]:
                    dev.drift(self.drift_base[i][m])
            t = hh0 + self.consume_phase[i]
            push(t if t >= now else t + HALF_HOUR, CONSUME, i)
            t = day0 + self.sync_phase[i]
            first_sync = t if t > now else t + DAY
            push(first_sync, SYNC, i)
            self._plan_outage(i, now, first_sync, first_sync // DAY - 1)
            if pr.gsme is not None:
                pr.next_wake = now + self.wake_phase[i] + 1  # spread wake-ups over the interval
                if not self.lazy_wakes:
                    self._schedule_wake(i)

    async def connect(self) -> None:
        """One link per CHF, subscribed to its down topic (bounded concurrency for a real broker);
        frames the premises answer are published from now on."""
        self._start_publisher()
        requests = []
        for number in self.numbers:
            chf = identity.device_eui("chf", number)
            requests.append(
                ("chf-" + topics.eui_hex(chf), [topics.down(chf, self.config.fleet)], self.on_down)
            )
        connect_many = getattr(self.transport, "connect_many", None)
        if connect_many is not None:
            links = await connect_many(requests)
            for i, link in enumerate(links):
                self.links[i] = link
            self.metrics.premises_up = len(links)
            return
        for i, (cid, subs, handler) in enumerate(requests):
            self.links[i] = await self.transport.connect(cid, subs, handler)
            self.metrics.premises_up += 1

    # -- the run loop --------------------------------------------------------------------------------
    async def run(self, until: int) -> bool:
        """Run events until simulated time `until` (True) or until stopped (False)."""
        self._start_publisher()
        sched = self.sched
        clock = self.clock
        m = self.metrics
        try:
            while not self.stopping:
                t = sched.next_time()
                target = until if t is None or t >= until else t
                sched.waiting_until = target
                await clock.sleep_until(target)
                sched.waiting_until = None
                if self.stopping:
                    break
                now = clock.now()
                for ev in sched.pop_due(now, until, BATCH):
                    self._dispatch(ev)
                m.sim_time = min(now, until)
                if now >= until:
                    t = sched.next_time()
                    if t is None or t >= until:
                        return True
                if clock.mode != FAST:
                    await asyncio.sleep(0)
            return False
        finally:
            sched.waiting_until = None

    def request_stop(self) -> None:
        self.stopping = True
        self.clock.interrupt()

    async def flush(self, timeout: float = 10.0) -> None:
        """Publish everything queued and wait (bounded) for the broker's acknowledgements; then stop
        the publisher. Call after ``run`` (and after a checkpoint: what is published is in it)."""
        self._start_publisher()
        deadline = time.monotonic() + timeout
        while (self.outbox or self.transport.inflight()) and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        if self._publisher is not None:
            self._publisher.cancel()
            try:
                await self._publisher
            except asyncio.CancelledError:
                pass
            self._publisher = None

    async def _settle(self) -> None:
        """The fast clock's hook: return once nothing is in flight through this process."""
        if (
            not self.outbox
            and self._activity == self._quiet_activity
            and time.monotonic() - self._last_yield < 0.02
        ):
            return
        quiet_turns = 0
        while quiet_turns < 2:
            seen = self._activity
            await asyncio.sleep(0)
            if self.outbox or self.transport.inflight():
                quiet_turns = 0
                await asyncio.sleep(0.0005 if self.transport.inflight() else 0)
                continue
            quiet_turns = quiet_turns + 1 if self._activity == seen else 0
        self._quiet_activity = self._activity
        self._last_yield = time.monotonic()

    # -- events --------------------------------------------------------------------------------------
    def _dispatch(self, ev: tuple[int, int, int]) -> None:
        t, kind, i = ev
        self.metrics.events += 1
        try:
            if kind == CONSUME:
                self._consume(t, i)
            elif kind == WAKE:
                if self.wake_at[i] == t:
                    self.wake_at[i] = NO_EVENT
                    self._send(i, self.premises[i].tick(t))
                    self._after(i, t)
            elif kind == TICK:
                if self.due_at[i] == t:
                    self.due_at[i] = NO_EVENT
                    self._send(i, self.premises[i].tick(t))
                    self._after(i, t)
            elif kind == SYNC:
                self._sync(t, i)
            elif kind == POWER_OFF:
                esme = self.premises[i].esme
                if esme is not None and esme.powered:
                    esme.power_off(t)
                    self.metrics.outages += 1
            elif kind == POWER_ON:
                esme = self.premises[i].esme
                if esme is not None:
                    self._send(i, esme.power_on(t))
        except Exception as exc:  # a device must never raise; count it and carry on
            self.metrics.error("%s: %s" % (KIND_NAMES[kind], type(exc).__name__))

    def _consume(self, t: int, i: int) -> None:
        pr = self.premises[i]
        number = self.numbers[i]
        hh = t // HALF_HOUR
        m = self.metrics
        esme = pr.esme
        if esme is not None:
            self._drift(i, 0, esme, t)
            if esme.powered:
                wh = self.demand.electricity_wh(number, hh)
                out = esme.consume(t, wh)
                m.consumption_wh += wh
                m.half_hours += 1
                if out:
                    self._send(i, out)
        gsme = pr.gsme
        if gsme is not None:
            self._drift(i, 1, gsme, t)
            wh = self.demand.gas_wh(number, hh)
            held = gsme.consume(t, wh)
            m.consumption_wh += wh
            m.half_hours += 1
            if held:
                pr.gsme_out += held  # a sleepy meter's alerts leave when it wakes
                self._after(i, t)
        self.sched.push(t + HALF_HOUR, CONSUME, i)

    def _drift(self, i: int, m: int, dev: Any, t: int) -> None:
        want = self.drift_base[i][m] + int(self.drift_rate[i][m] * (t - self.synced_at[i]))
        if want != dev.clock_offset:
            dev.drift(want - dev.clock_offset)

    def _sync(self, t: int, i: int) -> None:
        pr = self.premises[i]
        m = self.metrics
        for k, dev in enumerate((pr.esme, pr.gsme)):
            if dev is None:
                continue
            self._drift(i, k, dev, t)
            error = dev.clock_offset
            if abs(error) > m.clock_drift_max_s:
                m.clock_drift_max_s = abs(error)
            if error:
                dev.drift(-error)
            self.drift_base[i][k] = 0
            m.clock_syncs += 1
        self.synced_at[i] = t
        self.sched.push(t + DAY, SYNC, i)
        self._plan_outage(i, t, t + DAY, t // DAY)

    def _plan_outage(self, i: int, start: int, end: int, key: int) -> None:
        """Maybe one ESME outage starting in [start, end), decided by (seed, premises, key)."""
        c = self.config
        if self.premises[i].esme is None or c.outages_per_day <= 0 or end <= start:
            return
        number = self.numbers[i]
        if uniform(self._keys["outage"], number, key) >= c.outages_per_day * (end - start) / DAY:
            return
        at = start + int(uniform(self._keys["outage at"], number, key) * (end - start))
        length = 60 + int(uniform(self._keys["outage for"], number, key) * max(0, c.max_outage - 60))
        self.sched.push(at, POWER_OFF, i)
        self.sched.push(at + length, POWER_ON, i)

    def _after(self, i: int, now: int) -> None:
        """Schedule what a premises now needs: a wake-up for its GSME, a tick for its earliest
        future-dated item."""
        pr = self.premises[i]
        if pr.gsme is not None and (not self.lazy_wakes or pr.gsme_queue or pr.gsme_out):
            if pr.next_wake <= now:
                self._send(i, pr.tick(now))  # missed idle wake-ups first (only the last runs)
            if pr.gsme_queue or pr.gsme_out or not self.lazy_wakes:
                self._schedule_wake(i)
        due = None
        for dev in (pr.chf, pr.gpf, pr.esme, pr.gsme):
            if dev is not None and dev.pending:
                at = min(p.at for p in dev.pending) - dev.clock_offset
                if due is None or at < due:
                    due = at
        if due is not None:
            due = max(due, now)
            if self.due_at[i] == NO_EVENT or due < self.due_at[i]:
                self.due_at[i] = due
                self.sched.push(due, TICK, i)

    def _schedule_wake(self, i: int) -> None:
        t = self.premises[i].next_wake
        if self.wake_at[i] != t:
            self.wake_at[i] = t
            self.sched.push(t, WAKE, i)

    # -- frames --------------------------------------------------------------------------------------
    def on_down(self, topic: str, payload: bytes) -> None:
        """A frame from the head end on a CHF's down topic."""
        m = self.metrics
        self._activity += 1
        i = self.down_index.get(topic)
        if i is None:
            m.error("unknown topic")
            return
        m.frames_in += 1
        if self.stopping:
            m.error("arrived while stopping")
            return
        now = self.clock.now()
        pr = self.premises[i]
        try:
            out: list[bytes] = []
            if self.lazy_wakes and pr.gsme is not None and pr.next_wake <= now:
                out = pr.tick(now)  # missed idle wake-ups first, so a command is not run in the past
            queued = len(pr.gsme_queue) if pr.gsme is not None else 0
            out += pr.receive(payload, now)
            answered = self._send(i, out)
            if answered:
                m.commands += 1
            elif pr.gsme is None or len(pr.gsme_queue) <= queued:
                m.refused += 1
            self._after(i, now)
        except Exception as exc:
            m.error("receive: %s" % type(exc).__name__)
        for dev in pr.devices():
            if dev.last_error is not None:
                m.error("device: %s" % type(dev.last_error).__name__)
                dev.last_error = None

    def _send(self, i: int, frames: list[bytes]) -> int:
        """Queue frames for the up topic; returns how many were responses."""
        if not frames:
            return 0
        m = self.metrics
        responses = 0
        for f in frames:
            cra = cra_of(f)
            if cra == wire.CRA_RESPONSE:
                responses += 1
                m.responses_out += 1
            elif cra == wire.CRA_ALERT:
                m.alerts_out += 1
                code = alert_code_of(f)
                if code is not None:
                    m.alert(code)
            # Nothing queued ahead of it (and nothing mid-publish): publish here when the link can
            # without awaiting, sparing a wake-up of the publisher task per frame; order is kept.
            if self.outbox or self._publishing or not self._publish_now(i, f):
                self.outbox.append((i, f))
        self._activity += 1
        if self.outbox:
            self._outbox_ready.set()
        return responses

    def _publish_now(self, i: int, f: bytes) -> bool:
        """Publish one frame without awaiting; False when it must go through the publisher task
        (not publishing now, no link, or a link that cannot)."""
        link = self.links[i]
        if self._publisher is None or link is None:
            return False
        try:
            if not link.publish_now(self.up_topics[i], f):
                return False
        except TransportError:
            self.metrics.error("publish")
            return True
        self.metrics.frames_out += 1
        if self.on_frame_out is not None:
            self.on_frame_out(i, f)
        return True

    def _start_publisher(self) -> None:
        if self._publisher is None:
            self._publisher = asyncio.ensure_future(self._publish_loop())
        self._outbox_ready.set()  # frames left by a checkpoint go first

    async def _publish_loop(self) -> None:
        m = self.metrics
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self.outbox:
                i, f = self.outbox.popleft()
                link = self.links[i]
                try:
                    if link is None:
                        raise TransportError("premises %d is not connected" % self.numbers[i])
                    self._publishing = True
                    try:
                        await link.publish(self.up_topics[i], f)
                    finally:
                        self._publishing = False
                    m.frames_out += 1
                    if self.on_frame_out is not None:
                        self.on_frame_out(i, f)
                except TransportError:
                    m.error("publish")

    async def close(self) -> None:
        for i, link in enumerate(self.links):
            if link is not None:
                try:
                    await link.close()
                except TransportError:
                    pass
                self.links[i] = None
        self.metrics.premises_up = 0

    # -- checkpoints ---------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything needed to continue this fleet (plain data; smets.persist for the premises)."""
        from smets.persist import dump_premises

        return {
            "version": STATE_VERSION,
            "numbers": [self.numbers.start, self.numbers.stop],
            "config": self.config.to_dict(),
            "clock": self.clock.state(),
            "events": self.sched.state(),
            "drift_base": [list(b) for b in self.drift_base],
            "synced_at": list(self.synced_at),
            "wake_at": list(self.wake_at),
            "due_at": list(self.due_at),
            "outbox": list(self.outbox),
            "metrics": self.metrics.as_dict(),
            "premises": [dump_premises(pr) for pr in self.premises],
        }

    def _load_state(self, s: dict[str, Any]) -> None:
        if s.get("version") != STATE_VERSION:
            raise ValueError("checkpoint state version %r is not %d" % (s.get("version"), STATE_VERSION))
        self.sched.load(s["events"])
        self.drift_base = [list(b) for b in s["drift_base"]]
        self.synced_at = list(s["synced_at"])
        self.wake_at = list(s["wake_at"])
        self.due_at = list(s["due_at"])
        self.outbox.extend((int(i), bytes(f)) for i, f in s["outbox"])
        devices = self.metrics.devices
        self.metrics.load(s["metrics"])
        self.metrics.devices = devices
        self.metrics.premises = len(self.numbers)
