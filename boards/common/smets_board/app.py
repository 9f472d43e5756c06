"""The board's main loop: the device core, a clock, the broker, flash and the hardware around it.

Theory of operation. ``Board`` builds the premises (or one device) from its configuration with
``smets.build``, restores the last saved state from flash, subscribes to the CHF's ``down`` topic
(``smets.topics``: the same topics and raw GBCS frames as a host fleet device) and then loops:
messages from the broker go to ``premises.receive(frame, now)``; button presses become the meter's
stimuli; ``premises.tick(now)`` runs every ``tick_interval`` seconds; the relay and the display
follow the meter's state.

Nothing acknowledged is ever lost. Every change that sends something out (a response, an alert)
is *committed*: the state and the frames about to leave are saved together (store.py, atomic
replace) before the first of them is published, and the broker's PUBACK for the command itself
goes out only after that. The frames are then published at QoS 1 and, once the broker has them
all, the save's number is written to the ``.ack`` file. After a power cut the board restores the
saved state and publishes again whatever was saved but not acknowledged (QoS 1 is at-least-once:
a duplicate is possible, a loss is not). A command the broker delivers again (DUP flag, the
previous connection died before our PUBACK) that equals the last one handled is not handled twice.
State that changes without sending anything (consumption, debt collection) is saved every
``save_interval`` seconds.

A simulated-time mode (``simulate``) drives the same commit path with a clock that jumps, for the
week-long memory run.
"""

import binascii
import gc
import hashlib
import sys
import time

from smets import topics
from smets.build import build_device, build_premises, parse_hex
from smets.timeutil import HALF_HOUR, UNIX_OFFSET
from smets_board import display
from smets_board.hal import EC, SUPPLY

try:
    from smets import persist
except ImportError:  # the state codec has not landed in this build: the board runs without flash
    persist = None
else:
    # A board saves every half hour or so: it reads the state table again each time rather than
    # keep a few hundred field names on its heap between saves.
    persist.CACHE_FIELDS = False

FORMAT = 1
MAX_PENDING = 64  # outbound frames kept while the broker is away (oldest dropped past this)


def _sleep_ms(ms):
    if hasattr(time, "sleep_ms"):
        time.sleep_ms(ms)
    else:
        time.sleep(ms / 1000)


class RealClock:
    """Seconds since 2000-01-01 UTC from the port's clock (the unix port and RP2 count from 1970,
    the ESP32 from 2000)."""

    def __init__(self):
        self.offset = UNIX_OFFSET if time.gmtime(0)[0] == 1970 else 0

    def now(self):
        return int(time.time()) - self.offset


class SimClock:
    def __init__(self, t):
        self.t = t

    def now(self):
        return self.t


class Single:
    """One device on its own, behind the premises' interface (receive, tick, devices)."""

    def __init__(self, kind, device):
        self.kind = kind
        self.device = device
        self.chf = device
        self.esme = device if kind == "esme" else None
        self.gsme = device if kind == "gsme" else None

    def receive(self, data, now):
        return self.device.handle(data, now)

    def tick(self, now):
        return self.device.tick(now)

    def devices(self):
        return [self.device]


class SinkLink:
    """A link that keeps nothing: simulated runs publish here."""

    def __init__(self):
        self.published = 0
        self.octets = 0

    def connected(self):
        return True

    def connect(self):
        return False

    def subscribe(self, topic, qos=1):
        return qos

    def publish(self, topic, payload, qos=1, retain=False):
        self.published += 1
        self.octets += len(payload)

    def poll(self, timeout_ms=0):
        return 0


def _digest(data):
    return binascii.hexlify(hashlib.sha256(data).digest()[:8]).decode()


class Board:
    def __init__(self, cfg, premises_cfg, hal, store, clock, provider, link=None):
        self.cfg = cfg
        parse_hex(premises_cfg)  # keys as bytes the premises will share, before the build's peak
        self.pcfg = premises_cfg
        self.hal = hal
        self.store = store
        self.clock = clock
        self.provider = provider
        self.link = link
        self.fleet = cfg.get("fleet", topics.DEFAULT_FLEET)
        self.single = cfg.get("device")
        self.meter_kind = cfg.get("meter")  # which meter the buttons and the display belong to
        self.tick_interval = cfg.get("tick_interval", 10)
        self.save_interval = cfg.get("save_interval", 300)
        self.load_w = cfg.get("load_w", 0)  # a simulated constant load on the meter, in W
        self.seq = 0
        self.pending = []
        self.last_in = None
        self.saved_at = None
        self.next_tick = 0
        self.energy = 0  # W.s of simulated load not yet counted as whole Wh
        self.energy_at = None
        self.premises = None
        self.restore()
        # The premises configuration (keys, parties) and the firmware image only serve to build: the
        # board keeps what they built, not them (about 9 KB of heap on the unix port).
        self.pcfg = None
        self.cfg = dict((k, v) for k, v in cfg.items() if k not in ("premises", "firmware_image"))
        eui = self.premises.chf.eui
        self.down = topics.down(eui, self.fleet)
        self.up = topics.up(eui, self.fleet)
        if link is not None:
            link.on_message = self.on_message

    # -- state -----------------------------------------------------------------------------------
    def _build(self, now):
        if self.single:
            return Single(self.single, build_device(self.single, self.pcfg, self.provider, now))
        return build_premises(self.pcfg, self.provider, now)

    def _dump(self):
        if persist is None:
            return None
        # Encoded while it is written (no plain copy of the whole state in the heap at once).
        return persist.streamed(self.premises.device if self.single else self.premises)

    def _load(self, state):
        if self.single:
            return Single(self.single, persist.load_device(self.single, self.pcfg, state, self.provider))
        return persist.load_premises(self.pcfg, state, self.provider)

    def restore(self):
        prepare = getattr(self.provider, "prepare", None)
        if prepare is not None:  # the crypto tables first, while the heap is still in one piece
            prepare()
        now = self.clock.now()
        saved = self.store.load() if self.store is not None else None
        if saved is not None and saved.get("state") is not None and persist is not None:
            try:
                self.premises = self._load(saved["state"])
                self.hal.log("state: restored save %d" % saved["seq"])
            except Exception as exc:  # a state from another version of the core: start afresh, loudly
                self.hal.log("state: cannot restore save %d (%r); starting afresh" % (saved["seq"], exc))
        if self.premises is None:
            self.premises = self._build(now)
            self.hal.log("state: new premises at %d" % now)
            self.hold_firmware_image()
            if persist is None:
                self.hal.log("state: no smets.persist in this build, state is not kept in flash")
        if saved is not None:
            self.seq = saved["seq"]
            self.last_in = saved.get("last_in")
            self.saved_at = saved.get("at")
            if self.store.load_ack() != self.seq:
                self.pending = [binascii.unhexlify(h) for h in saved.get("outbox", ())]
                if self.pending:
                    self.hal.log("state: %d frame(s) saved but not yet sent" % len(self.pending))
        # A board loads a state only here, at boot (the store read it through persist.from_json,
        # _load set it): let smets.persist_load go, or its code and strings stay heap for the
        # board's life. The package holds its submodule too. Imported again if a state is loaded.
        sys.modules.pop("smets.persist_load", None)
        pkg = sys.modules["smets"]
        if hasattr(pkg, "persist_load"):  # (MicroPython's delattr of a missing name: KeyError)
            delattr(pkg, "persist_load")
        gc.collect()

    def hold_firmware_image(self):
        """A fresh meter given "firmware_image" (hex of an OTA image) in the config holds it, as if
        it had been distributed to it, so a CS06 activation can be tried on the desk."""
        image = self.cfg.get("firmware_image")
        if not image:
            return
        data = binascii.unhexlify(image)
        for d in self.premises.devices():
            m = getattr(d, "meter", None)
            if m is not None and getattr(m, "firmware", None) is not None:
                code, _digest = m.firmware.receive(data)
                self.hal.log("firmware: %s holds the configured image (outcome 0x%04X)" % (d.name, code))

    def save(self, now):
        """Save the state and the frames not yet acknowledged by the broker, atomically."""
        self.saved_at = now
        if self.store is None:
            return
        self.seq += 1
        outbox = [binascii.hexlify(f).decode() for f in self.pending]
        obj = {
            "v": FORMAT,
            "seq": self.seq,
            "at": now,
            "last_in": self.last_in,
            "outbox": outbox,
            "state": self._dump(),
        }
        self.store.save(obj)
        obj = outbox = None
        gc.collect()

    def commit(self, out, now):
        """A change that sends `out`: saved first, then published."""
        if out:
            self.pending += out
            if len(self.pending) > MAX_PENDING:
                self.pending = self.pending[-MAX_PENDING:]
        self.save(now)
        self.flush()

    def flush(self):
        """Publish what is pending; once the broker has it all, record that in the .ack file."""
        if not self.pending or self.link is None or not self.link.connected():
            return
        try:
            while self.pending:
                self.link.publish(self.up, self.pending[0], 1)
                self.pending.pop(0)
        except OSError as exc:
            self.hal.log("mqtt: publish failed (%s); kept for later" % exc)
            return
        if self.store is not None:
            self.store.save_ack(self.seq)

    # -- inputs ----------------------------------------------------------------------------------
    def on_message(self, topic, payload, dup=False):
        if topic != self.down:
            return
        digest = _digest(payload)
        if dup and digest == self.last_in:
            self.hal.log("mqtt: redelivered command already handled, not run twice")
            return
        now = self.clock.now()
        out = self.premises.receive(payload, now)
        self.last_in = digest
        self.hal.log("in: %s at %d, %d frame(s) out" % (digest, now, len(out)))
        self.commit(out, now)
        self.refresh(now)

    def meter(self):
        return display.meter_of(self.premises, self.meter_kind)

    def press(self, button, now):
        m = self.meter()
        if m is None:
            return
        out = m.press_ec_button(now) if button == EC else m.press_supply_button(now)
        self.commit(out, now)

    def consume(self, now, wh):
        m = self.meter()
        if m is None or wh <= 0:
            return []
        return m.consume(now, wh)

    def step(self, now):
        """Everything but the broker: buttons, simulated load, ticks, periodic save, outputs."""
        for b in self.hal.buttons():
            if b in (EC, SUPPLY):
                self.press(b, now)
        out = []
        if self.load_w and display.supply_on(self.premises, self.meter_kind):
            if self.energy_at is not None and now > self.energy_at:
                self.energy += self.load_w * (now - self.energy_at)
            wh = self.energy // 3600
            if wh:
                self.energy -= wh * 3600
                out += self.consume(now, wh)
        self.energy_at = now
        if now >= self.next_tick:
            self.next_tick = now + self.tick_interval
            out += self.premises.tick(now)
        if out:
            self.commit(out, now)
        elif self.saved_at is None or now - self.saved_at >= self.save_interval:
            self.save(now)
        self.refresh(now)

    def refresh(self, now):
        self.hal.set_supply(display.supply_on(self.premises, self.meter_kind))
        self.hal.show(display.lines(self.premises, now))

    # -- the broker ------------------------------------------------------------------------------
    def connect(self):
        self.link.connect()
        self.link.subscribe(self.down, topics.QOS)
        self.hal.log("mqtt: connected, subscribed to %s" % self.down)
        self.flush()

    def run(self, poll_ms=200, forever=True):
        """The real-time loop. Keeps the meter running while the broker is away, and reconnects
        with a growing back-off."""
        backoff = 1
        retry_at = None
        self.refresh(self.clock.now())
        while True:
            now = self.clock.now()
            if not self.link.connected() and (retry_at is None or now >= retry_at):
                try:
                    self.connect()
                    backoff = 1
                    retry_at = None
                except OSError as exc:
                    self.hal.log("mqtt: cannot connect (%s); retry in %d s" % (exc, backoff))
                    retry_at = now + backoff
                    backoff = min(backoff * 2, 60)
            if self.link.connected():
                try:
                    self.link.poll(poll_ms)
                except OSError as exc:
                    self.hal.log("mqtt: connection lost (%s)" % exc)
            else:
                _sleep_ms(poll_ms)
            self.step(self.clock.now())
            if not forever:
                return

    # -- simulated time --------------------------------------------------------------------------
    def simulate(self, start, end, wh_per_half_hour=0, commands=(), on_step=None):
        """Run from `start` to `end` with a jumping clock: consumption every half hour, `commands`
        ((time, frame) pairs, in time order) delivered as if from the broker. Publishes to the link
        (a SinkLink by default). on_step(now) is called after every half hour."""
        if self.link is None:
            self.link = SinkLink()
        self.clock.t = start
        i = 0
        t = start
        while t < end:
            while i < len(commands) and commands[i][0] <= t:
                self.clock.t = commands[i][0]
                self.on_message(self.down, commands[i][1])
                i += 1
            self.clock.t = t
            out = self.consume(t, wh_per_half_hour)
            out += self.premises.tick(t)
            if out:
                self.commit(out, t)
            elif self.saved_at is None or t - self.saved_at >= self.save_interval:
                self.save(t)
            self.refresh(t)
            if on_step is not None:
                on_step(t)
            t += HALF_HOUR
        return i
