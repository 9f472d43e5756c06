"""A premises: a Comms Hub (CHF and GPF) and the meters on its HAN, sans-I/O.

Theory of operation. Everything from the WAN enters through ``receive(frame, now)``. The CHF reads
only the grouping header's recipient EUI and hands the whole frame to that device: itself (device
log, its own reads, time), the GPF (gas reads from its mirror), the ESME, or the GSME. The GSME is
sleepy: its commands wait at the CHF (a bounded queue, oldest refused first when full) until it
wakes, every ``wake_interval`` seconds; its responses and alerts leave when it does. Each wake-up
also refreshes the GPF's mirror of the GSME (every attribute the GSME holds, stamped with the wake
time), and a tapped-off GSME configuration command that the GSME accepted updates the GPF at once.
The HAN devices that are not meters (PPMID, IHD, HCALCS; optional, ``han``) are routed to the same
way and are told the premises' meters (their displays and buttons use them).
A frame for nobody in the premises is discarded and logged in the CHF's security log.

``tick(now)`` moves every device's time on and returns what became due: alerts, and the GSME's
traffic when it woke. Outputs are bytes, oldest first.
"""

from smets.wire import frame as wire
from smets.wire import message_codes as mc
from smets.wire.errors import DecodeError

DEFAULT_WAKE_INTERVAL = 1800  # [I] seconds between GSME wake-ups (half-hourly)
GSME_QUEUE_SIZE = 16

# GSME configuration use cases the CHF taps off to the GPF (S5 "GPF Gas ESI Tap-Off = Yes").
TAP_OFF = ("GCS01a", "GCS01b", "GCS05", "GCS07", "GCS23", "GCS25", "GCS25a", "GCS44")
EV_UNKNOWN_RECIPIENT = 0x8F3E


class Premises:
    __slots__ = (
        "chf",
        "gpf",
        "esme",
        "gsme",
        "han",
        "wake_interval",
        "next_wake",
        "gsme_queue",
        "gsme_out",
        "mirrored_at",
        "_tap_off",
    )

    def __init__(
        self, chf, gpf=None, esme=None, gsme=None, now=0, wake_interval=DEFAULT_WAKE_INTERVAL, han=None
    ):
        self.chf = chf
        self.gpf = gpf
        self.esme = esme
        self.gsme = gsme
        self.han = tuple(han) if han else ()  # PPMID, IHD, HCALCS devices
        for d in self.han:
            d.attach((esme, gsme))
        self.wake_interval = wake_interval
        self.next_wake = now + wake_interval
        self.gsme_queue = []
        self.gsme_out = []
        self.mirrored_at = None
        self._tap_off = [mc.code_for(n) for n in TAP_OFF]

    def devices(self):
        return [d for d in (self.chf, self.gpf, self.esme, self.gsme) if d is not None] + list(self.han)

    def han_device(self, name):
        """The HAN device of that name ("PPMID", "IHD", "HCALCS"), or None."""
        for d in self.han:
            if d.name == name:
                return d
        return None

    # -- the WAN side ----------------------------------------------------------------------------
    def receive(self, data, now):
        """One frame from the WAN; returns the frames that leave now."""
        try:
            parsed = wire.parse(data)
            recipient = parsed.recipient
        except (DecodeError, ValueError):
            parsed = recipient = None
        if recipient is not None and self.gsme is not None and recipient == self.gsme.eui:
            if len(self.gsme_queue) >= GSME_QUEUE_SIZE:
                self.gsme_queue.pop(0)  # [I] the oldest waiting command is dropped
            self.gsme_queue.append(data)
            return self.tick(now)  # answered now if the GSME is awake (its wake-up is due)
        out = self.tick(now)
        for d in (self.chf, self.gpf, self.esme):
            if d is not None and recipient == d.eui:
                return out + d.handle(data, now, parsed)
        for d in self.han:
            if recipient == d.eui:
                return out + d.handle(data, now, parsed)
        self.chf.security_log.add(now & 0xFFFFFFFF, EV_UNKNOWN_RECIPIENT, 0)
        return out

    def tick(self, now):
        out = []
        for d in (self.chf, self.gpf, self.esme):
            if d is not None:
                out += d.tick(now)
        for d in self.han:
            out += d.tick(now)
        if self.gsme is not None:
            self.gsme_out += self.gsme.tick(now)
            while now >= self.next_wake:
                wake = self.next_wake
                if not self.gsme_queue:
                    # Nothing waits for the GSME: the wake-ups in between change nothing the last one
                    # does not, so only the last one due is run (a long tick stays cheap).
                    wake += (now - wake) // self.wake_interval * self.wake_interval
                self.next_wake = wake + self.wake_interval
                out += self.wake(wake)
        return out

    # -- the sleepy GSME -------------------------------------------------------------------------
    def wake(self, now):
        """The GSME wakes: it takes its waiting commands, sends what it holds, the GPF mirrors it."""
        g = self.gsme
        out = self.gsme_out
        self.gsme_out = []
        out += g.tick(now)
        queue = self.gsme_queue
        self.gsme_queue = []
        for data in queue:
            frames = g.handle(data, now)
            out += frames
            if g.last_gate == "accepted" and self._tapped_off(data, frames):
                self.mirror(now)
        self.mirror(now)
        return out

    def _tapped_off(self, data, frames):
        try:
            code = wire.parse(data).message_code
        except (DecodeError, ValueError):
            return False
        if code not in self._tap_off:
            return False
        # Only a premises with a GSME gets here: a board without one never loads the GBZ code.
        from smets.wire import gbz

        for f in frames:  # the GPF follows only what the GSME accepted
            resp = wire.parse(f)
            if resp.cra != wire.CRA_RESPONSE:
                continue
            try:
                comps = gbz.parse_payload(resp.payload, alert=False).components
            except DecodeError:
                return False
            for c in comps:
                if c.command_id == 0x0B and not c.is_cluster_specific() and c.payload and c.payload[1] != 0:
                    return False
            return True
        return False

    def mirror(self, now):
        """Copy every attribute the GSME holds into the GPF, stamped with this time."""
        if self.gpf is None or self.gsme is None:
            return
        g, p = self.gsme, self.gpf
        for cluster, attr_id in list(g.zmodel.attributes) + list(g.zstore.values):
            v = g.read(cluster, attr_id)
            if v is not None:
                p.load(cluster, attr_id, v[0], v[1])
        p.samples[0] = g.meter.profile.entries()
        p.samples[1] = g.meter.daily_consumption.entries()
        p.data_stamp = (now, 0x00)
        self.mirrored_at = now
