"""What every GBCS device shares: the security gate, anti-replay, response and alert protection,
the future-dated queue, the security log and fault injection.

Theory of operation. ``handle(frame_bytes, now)`` is the only way a command gets in, and it never
raises: it returns the frames to send (a response and any alerts), oldest first, and an empty list
when GBCS says to discard. A command passes these gates in order; the first that fails decides
the answer (the "gate" table below):

1. parse             malformed frame                   discard; security log 0x8F1E
2. CRA flag          not a command                     discard; security log 0x8F3E
3. recipient         not this device's EUI             discard; security log 0x8F3E
4. MAC               ACB command MAC does not verify   discard; security log + alert 0x8F3D
5. message code      not in this device's table        "not supported" alert 0x8F85 (ECS100)
6. role              originator's role not allowed     security log + alert 0x8F30
7. signature         critical command, bad signature   security log + alert 0x8F3D
8. counter           replayed (not above the last)     discard; security log 0x8F53 [I]
9. run               the use case handler              response (and the alerts it raised)

Responses echo the command's counter and message code and go to its originator; a response to a
critical command is signed with the device's DS key, any other is MACed (KDF mode 2) between the
device's KA key and the recipient's. Alerts use the device's own originator counter; critical
alerts are signed, others MACed (mode 3). Time ``now`` is UTC seconds since 2000-01-01 (the
behaviour layer's clock); a device's clock may drift from it (``clock_offset``).

Future-dated commands: a handler that sets an activation time in the future queues one item per
object; ``tick`` (and every ``handle``) runs what fell due, raising 0x8F66 (or 0x8F67 on failure)
with the original message code and counter, in the order the command named the objects.
"""

from smets.behaviour.logs import EventLog
from smets.behaviour.timeutil import UNIX_OFFSET
from smets.devices import trust as tr
from smets.security import protect
from smets.security.kdf import MODE_ENCRYPTION, derive_key
from smets.usecases import registry
from smets.usecases.registry import Raw
from smets.wire import alert_codes as ac
from smets.wire import frame as wire
from smets.wire import message_codes as mc
from smets.wire.dlms_axdr import datetime_from_utc
from smets.wire.errors import DecodeError

# Security log events (alert codes; the security log stores the code and the message code).
EV_INTEGRITY = 0x8F1E  # malformed command
EV_UNAUTHORISED = 0x8F3E  # not addressed to this device / not a command
EV_AUTHENTICATION = 0x8F3D  # MAC or signature does not verify
EV_NO_AUTHORITY = 0x8F30  # role not allowed for the use case
EV_REPLAY = 0x8F53  # [I] counter not above the last accepted: "other authentication failure"
EV_NOT_SUPPORTED = 0x8F85  # message code not supported (alert of ECS100)

MC_GCA = 0x1000  # generic critical alert
MC_GNCA = 0x1001  # generic non-critical alert
MC_FDEIA_DLMS = 0x00CC
MC_FDEIA_GBZ = 0x00CD
MC_NOT_SUPPORTED = 0x0120  # ECS100

SECURITY_LOG_SIZE = 100
MAX_PENDING = 32  # future-dated items held at once
MAX_OUTBOX = 64  # alerts waiting for the next handle/tick

GATE_OK = "accepted"


class Context:
    """One command on its way through a device: the parsed frame, the use case, the time, the role
    the originator acts in, and whatever the handler wants to leave for the response builder."""

    __slots__ = ("frame", "usecase", "now", "role", "request", "supp_counter", "date_time", "outcome")

    def __init__(self, frame, usecase, now, role):
        self.frame = frame
        self.usecase = usecase
        self.now = now
        self.role = role
        self.request = None
        self.supp_counter = None  # the device's counter for a response to an unknown remote party
        self.date_time = None  # a response date-time other than the device's clock (dated reads)
        self.outcome = None


class FutureItem:
    """A held command part: when it runs, what to report (message code, counter and the object's
    class/instance/attribute), and an optional ``run(device, at)``: False reports 0x8F67, True 0x8F66,
    None means run raised its own alert."""

    __slots__ = ("at", "seq", "message_code", "counter", "originator", "class_id", "instance", "attr", "run")

    def __init__(self, at, seq, message_code, counter, originator, class_id, instance, attr, run=None):
        self.at = at
        self.seq = seq
        self.message_code = message_code
        self.counter = counter
        self.originator = originator
        self.class_id = class_id
        self.instance = instance
        self.attr = attr
        self.run = run


class Device:
    """Base class. Subclasses set ``device_type``, build ``usecases`` and the payload formats."""

    device_type = 0
    name = "device"
    future_message_code = MC_FDEIA_DLMS
    urp_counter = True  # a response to an unknown remote party carries a counter of the device's

    def __init__(self, eui, provider, ds_private, ka, trust, usecases, alert_counter=1, ds_public=None):
        self.eui = bytes(eui)
        self.provider = provider
        self.ds_private = ds_private
        self.ds_public = ds_public if ds_public is not None else provider.public_key(ds_private)
        self.ka = ka
        self.trust = trust
        self.usecases = usecases
        self.counters = {}  # originator EUI -> highest counter accepted under replay protection
        self.alert_counter = alert_counter
        self.security_log = EventLog(SECURITY_LOG_SIZE, clearable=False)
        self.pending = []
        self._seq = 0
        self.faults = []  # injected hardware faults: (class id, instance) or message codes
        self.clock_offset = 0
        self.outbox = []
        self.last_error = None
        self.last_gate = None
        self.now = 0
        self.powered = True
        self.power_off_at = None

    # -- time ------------------------------------------------------------------------------------
    def drift(self, seconds):
        """The device's clock runs `seconds` ahead (negative: behind) of true time from now on."""
        self.clock_offset += seconds

    def clock(self, now):
        """The device's own time for a true time `now` (clock drift is an offset)."""
        return now + self.clock_offset

    def wire_time(self, t):
        """A 12-octet DLMS date-time (weekday and deviation not specified, as RTDS writes them)."""
        return datetime_from_utc(t + UNIX_OFFSET)

    # -- faults ----------------------------------------------------------------------------------
    def inject_fault(self, what):
        """Simulate a hardware fault: a message code (the use case is not supported), an object
        (class id, 6-octet instance), or one request specification (see usecases.cosem.fault_key)."""
        if what not in self.faults:
            self.faults.append(what)

    def clear_faults(self):
        self.faults = []

    def is_faulty(self, key):
        return key in self.faults

    def integrity_failure(self, ctx):
        """An authenticated command whose content cannot be understood: log and alert 0x8F1E."""
        self._log(EV_INTEGRITY, ctx.now, ctx.frame.message_code)
        self.raise_alert(EV_INTEGRITY, ctx.now)
        self.last_gate = "malformed payload"

    # -- the gate --------------------------------------------------------------------------------
    def handle(self, data, now, parsed=None):
        """Process one inbound frame (bytes). Returns the outbound frames (bytes), oldest first.
        `parsed` is wire.parse(data) when the caller has it already (the premises parses every
        frame to route it; parsing once saves the device doing it again)."""
        self.last_error = None
        if not self.powered:
            self.last_gate = "powered off"
            return []
        t = self.clock(now)
        self.now = t
        out = []
        try:
            self._due(t, out)
            resp = self._gate(data, t, parsed)
            if resp is not None:
                out.append(resp)
        except Exception as exc:  # errors are answers: nothing escapes, the cause is kept
            self.last_error = exc
            self.last_gate = "internal error"
            self._log(EV_INTEGRITY, t, 0)
        self._flush(out, t)
        return out

    def tick(self, now):
        """Run what became due by `now`; returns the alerts raised (bytes), oldest first."""
        if not self.powered:
            return []
        t = self.clock(now)
        self.now = t
        out = []
        try:
            self._due(t, out)
        except Exception as exc:
            self.last_error = exc
        self._flush(out, t)
        return out

    # -- power ---------------------------------------------------------------------------------
    def power_off(self, now):
        """Mains lost: the device hears nothing and sends nothing until power_on."""
        if self.powered:
            self.powered = False
            self.power_off_at = self.clock(now)
        return []

    def power_on(self, now):
        """Mains back: catch up with time and report the outage (subclasses); returns the alerts."""
        if self.powered:
            return []
        self.powered = True
        t = self.clock(now)
        self.now = t
        out = []
        try:
            self.power_restored(self.power_off_at, t)
            self._due(t, out)
        except Exception as exc:
            self.last_error = exc
        self._flush(out, t)
        return out

    def power_restored(self, off_at, now):
        """Hook: what a device does when power comes back after an outage from off_at to now."""

    def _gate(self, data, now, parsed=None):
        try:
            frame = parsed if parsed is not None else wire.parse(data)
        except (DecodeError, ValueError):
            return self._refuse("malformed frame", EV_INTEGRITY, now, 0)
        code = frame.message_code
        if frame.cra != wire.CRA_COMMAND or frame.signature is None:
            return self._refuse("not a command", EV_UNAUTHORISED, now, code)
        if frame.recipient != self.eui:
            return self._refuse("wrong recipient", EV_UNAUTHORISED, now, code)
        if not self._check_mac(frame):
            self._log(EV_AUTHENTICATION, now, code)
            self.raise_alert(EV_AUTHENTICATION, now)
            self.last_gate = "bad MAC"
            return None
        uc = self.usecases.get(code)
        if uc is None or code in self.faults:
            self.last_gate = "not supported"
            self._log(EV_NOT_SUPPORTED, now, code)
            self._not_supported(frame, now)
            return None
        roles = self.trust.roles_of(frame.originator)
        role = None
        for r in roles:
            if r in uc.roles:
                role = r
                break
        if role is None:
            self._log(EV_NO_AUTHORITY, now, code)
            self.raise_alert(EV_NO_AUTHORITY, now)
            self.last_gate = "no authority"
            return None
        if registry.critical(uc):
            public = self.trust.public(role, tr.USAGE_DS)
            if public is None or not protect.verify_signature(self.provider, frame, public):
                self._log(EV_AUTHENTICATION, now, code)
                self.raise_alert(EV_AUTHENTICATION, now)
                self.last_gate = "bad signature"
                return None
        elif frame.signature:
            return self._refuse("signature on a non-critical command", EV_INTEGRITY, now, code)
        if uc.replay and not self._fresh(frame, role):
            return self._refuse("replayed counter", EV_REPLAY, now, code)
        self.last_gate = GATE_OK
        ctx = Context(frame, uc, now, role)
        payload = uc.handler(self, ctx)
        if payload is None:
            return None
        return self.respond(ctx, payload)

    def _refuse(self, why, event, now, code):
        self.last_gate = why
        self._log(event, now, code)
        return None

    def _log(self, event, now, code):
        self.security_log.add(now & 0xFFFFFFFF, event, code & 0xFFFF)

    def _check_mac(self, frame):
        """Every command carries the ACB's MAC (KDF between the ACB's KA key and the device's)."""
        if frame.mac is None:
            return False
        public = self.trust.public(tr.ROLE_ACB, tr.USAGE_KA)
        if public is None:
            return False
        return protect.verify_mac(self.provider, frame, self.ka, public)

    def _fresh(self, frame, role):
        """Anti-replay: above the last counter accepted from this originator and at or above the
        floor of its trust anchor; accepted counters are remembered."""
        key = bytes(frame.originator)
        last = self.counters.get(key)
        if last is not None and frame.counter <= last:
            return False
        anchor = self.trust.get(role, tr.USAGE_DS) or self.trust.get(role, tr.USAGE_KA)
        if anchor is not None and frame.counter < anchor.floor:
            return False
        self.counters[key] = frame.counter
        return True

    # -- responses -------------------------------------------------------------------------------
    def respond(self, ctx, payload):
        """The protected response to ctx.frame carrying `payload`."""
        cmd = ctx.frame
        f = wire.Frame(
            wire.CRA_RESPONSE,
            cmd.counter,
            self.eui,
            cmd.originator,
            cmd.message_code,
            payload,
            date_time=(ctx.date_time or self.wire_time(ctx.now)) if ctx.usecase.dated else None,
            signature=b"",
            supp_remote_party_id=cmd.supp_remote_party_id,
            supp_remote_party_counter=cmd.supp_remote_party_counter,
            supp_originator_counter=ctx.supp_counter,
        )
        return self._protect(f, registry.critical(ctx.usecase))

    def _protect(self, f, signed):
        if signed:
            protect.sign(self.provider, f, self.ds_private)
            return wire.build(f)
        peer = self.trust.party_public(f.recipient, tr.USAGE_KA)
        if peer is None:
            raise ValueError("no KA key for the recipient")
        return protect.apply_mac(self.provider, f, self.ka, peer)

    def encryption_key(self, f, peer=None):
        """Mode-4 key for a frame this device sends. The other side is `peer` (a KA public key), or
        the KA key of the party the KDF names (the supplementary remote party when there is one)."""
        originator, counter, party = protect.encryption_titles(f)
        if peer is None:
            peer = self.trust.party_public(party, tr.USAGE_KA)
        if peer is None:
            raise ValueError("no KA key for the encryption recipient")
        return derive_key(self.provider, self.ka, peer, MODE_ENCRYPTION, originator, counter, party)

    def response_counter(self, ctx):
        """The supplementary originator counter of a response to an unknown remote party (a command
        carrying the party's KA certificate): one of the device's own counters, taken once."""
        if ctx.supp_counter is None:
            ctx.supp_counter = self.next_counter()
        return ctx.supp_counter

    # -- alerts ----------------------------------------------------------------------------------
    def next_counter(self):
        c = self.alert_counter
        self.alert_counter = c + 1
        return c

    def raise_alert(self, code, t, extra=None, message_code=None, recipient=None, supp=None):
        """Queue an alert (sent with the frames of the current call). `extra` is a list of
        payload-format values appended to the alert body; `supp` is (remote party id, counter)."""
        if len(self.outbox) >= MAX_OUTBOX:
            return
        self.outbox.append((code, t, extra, message_code, recipient, supp))

    def wants_alert(self, code):
        """Whether an alert goes to the WAN at all (subclasses consult their alert settings)."""
        return True

    def behaviour_call(self, outcome):
        """Take a behaviour method's (result, alerts), queue the alerts that go to the WAN, and
        return the result."""
        result, alerts = outcome
        for code, t in alerts:
            if self.wants_alert(code):
                self.raise_alert(code, t)
        return result

    def alert_recipient(self, code):
        return self.trust.eui(tr.ROLE_SUPPLIER)

    def _flush(self, out, t):
        while self.outbox:
            code, at, extra, message_code, recipient, supp = self.outbox.pop(0)
            try:
                f = self.alert_frame(code, at, extra, message_code, recipient, supp)
            except Exception as exc:
                self.last_error = exc
                continue
            if f is not None:
                out.append(f)

    def alert_frame(self, code, t, extra=None, message_code=None, recipient=None, supp=None):
        """One alert as protected bytes, or None when nobody is there to receive it."""
        critical = ac.is_critical(code)
        if message_code is None:
            message_code = MC_GCA if critical else MC_GNCA
        else:
            row = mc.lookup(message_code)
            if row is not None:
                critical = row[3] == mc.ALERT_CRITICAL
        if recipient is None:
            recipient = self.alert_recipient(code)
        if recipient is None:
            return None
        counter = self.next_counter()
        if isinstance(extra, Raw):
            payload = extra.payload
        else:
            payload = self.alert_payload(code, t, counter, extra)
        f = wire.Frame(wire.CRA_ALERT, counter, self.eui, recipient, message_code, payload, signature=b"")
        if supp is not None:
            f.supp_remote_party_id = supp[0]
            f.supp_remote_party_counter = supp[1]
        return self._protect(f, critical)

    def alert_payload(self, code, t, counter, extra):
        raise NotImplementedError

    def _not_supported(self, frame, now):
        """ECS100: alert 0x8F85 to the originator with the refused message code and counter."""
        body = bytes((frame.message_code >> 8, frame.message_code & 0xFF)) + frame.counter.to_bytes(8, "big")
        supp = None
        if frame.supp_remote_party_id is not None:
            supp = (frame.supp_remote_party_id, frame.supp_remote_party_counter)
        self.raise_alert(
            EV_NOT_SUPPORTED, now, self.not_supported_extra(body), MC_NOT_SUPPORTED, frame.originator, supp
        )

    def not_supported_extra(self, body):
        return [body]

    # -- future-dated commands -------------------------------------------------------------------
    def hold(self, at, ctx, class_id, instance, attr, run=None):
        """Queue a future-dated item for the command in ctx. Returns False when the queue is full."""
        self.cancel(class_id, instance, attr)
        if len(self.pending) >= MAX_PENDING:
            return False
        self._seq += 1
        f = ctx.frame
        item = FutureItem(
            at, self._seq, f.message_code, f.counter, f.originator, class_id, bytes(instance), attr, run
        )
        self.pending.append(item)
        return True

    def cancel(self, class_id, instance, attr):
        """Drop a held item for the same object (a new activation time or NEVER replaces it)."""
        instance = bytes(instance)
        self.pending = [
            p
            for p in self.pending
            if not (p.class_id == class_id and p.instance == instance and p.attr == attr)
        ]

    def _due(self, now, out):
        """Run the held items whose time has come (each reports 0x8F66/0x8F67 as it runs, in the
        order the commands named them), then the behaviour's own time (its activations, and the
        alerts they cause, come after the execution alerts)."""
        if self.pending:
            due = [p for p in self.pending if p.at <= now]
            if due:
                self.pending = [p for p in self.pending if p.at > now]
                due.sort(key=lambda p: (p.at, p.seq))
                for p in due:
                    ok = True
                    if p.run is not None:
                        try:
                            ok = p.run(self, p.at)
                        except Exception:
                            ok = False
                        if ok is None:
                            continue  # the item raised its own alert (e.g. CS06's FDFA)
                    self.future_alert(p, ok is not False)
        self.advance(now)

    def advance(self, now):
        """Subclasses move their behaviour's time forward and queue the alerts it raised."""

    def future_alert(self, item, ok):
        code = ac.A_FUTURE_DATED_OK if ok else ac.A_FUTURE_DATED_FAILED
        self.raise_alert(code, item.at, self.future_extra(item), self.future_message_code, item.originator)

    def future_extra(self, item):
        raise NotImplementedError
