"""A small MQTT 3.1.1 client for the boards: one TCP socket, blocking writes, polled reads.

What a meter on a desk needs and nothing more: CONNECT (persistent session by default, so the
broker keeps commands that arrive while the board is rebooting), SUBSCRIBE, PUBLISH at QoS 0 or 1
(QoS 1 waits for the PUBACK), inbound QoS 1 acknowledged only after the handler returned (so a
command is acknowledged to the broker only once its effects are saved), keepalive pings, and a
clean close. No TLS, no QoS 2, no will. Reconnecting is the caller's loop: any broken connection
raises ``MQTTError`` (an ``OSError``), and ``connect()`` may be called again.

Runs on MicroPython (unix, ESP32, RP2) with ``socket`` and ``select``; on CPython too, for tools.
Written for this project (no third-party code).
"""

import select
import socket
import time

try:
    from time import ticks_diff, ticks_ms
except ImportError:  # CPython

    def ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b


CONNECT = 0x10
CONNACK = 0x20
PUBLISH = 0x30
PUBACK = 0x40
SUBSCRIBE = 0x82
SUBACK = 0x90
PINGREQ = 0xC0
PINGRESP = 0xD0
DISCONNECT = 0xE0

CONNACK_REASONS = (
    "accepted",
    "unacceptable protocol version",
    "client identifier rejected",
    "server unavailable",
    "bad user name or password",
    "not authorised",
)


class MQTTError(OSError):
    pass


def _str(s):
    b = s.encode() if isinstance(s, str) else bytes(s)
    return bytes((len(b) >> 8, len(b) & 0xFF)) + b


def _remaining_length(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class MQTTClient:
    """``on_message(topic, payload, dup)`` is called from ``poll()`` for each message received; for
    a QoS 1 message the PUBACK goes out after it returns."""

    def __init__(
        self, client_id, server, port=1883, keepalive=60, clean=False, user=None, password=None, timeout=10
    ):
        self.client_id = client_id
        self.server = server
        self.port = port
        self.keepalive = keepalive
        self.clean = clean
        self.user = user
        self.password = password
        self.timeout = timeout
        self.on_message = None
        self.sock = None
        self._poller = None
        self._pid = 0
        self._queue = []  # publishes received while waiting for an acknowledgement
        self._last_tx = 0
        self._ping_sent = None
        self.session_present = False

    # -- connection ------------------------------------------------------------------------------
    def connect(self):
        self.close()
        addr = socket.getaddrinfo(self.server, self.port)[0][-1]
        s = socket.socket()
        s.settimeout(self.timeout)
        try:
            s.connect(addr)
        except OSError:
            s.close()
            raise
        self.sock = s
        self._poller = select.poll()
        self._poller.register(s, select.POLLIN)
        self._queue = []
        self._ping_sent = None
        flags = 0x02 if self.clean else 0x00
        payload = _str(self.client_id)
        if self.user is not None:
            flags |= 0x80
            payload += _str(self.user)
            if self.password is not None:
                flags |= 0x40
                payload += _str(self.password)
        var = _str("MQTT") + bytes((4, flags, self.keepalive >> 8, self.keepalive & 0xFF))
        self._packet(CONNECT, var + payload)
        kind, body = self._read_packet()
        if kind != CONNACK or len(body) != 2:
            self.close()
            raise MQTTError("broker did not answer CONNECT with CONNACK")
        if body[1] != 0:
            self.close()
            rc = body[1]
            why = CONNACK_REASONS[rc] if rc < len(CONNACK_REASONS) else "code %d" % rc
            raise MQTTError("broker refused the connection: %s" % why)
        self.session_present = bool(body[0] & 1)
        return self.session_present

    def connected(self):
        return self.sock is not None

    def disconnect(self):
        if self.sock is not None:
            try:
                self._send(bytes((DISCONNECT, 0)))
            except OSError:
                pass
        self.close()

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self._poller = None

    def _broken(self, exc, what):
        """A socket error ends the connection: close it, and give the caller one MQTTError."""
        self.close()
        if isinstance(exc, MQTTError):
            return exc
        return MQTTError("%s failed: %s" % (what, exc))

    # -- sending ---------------------------------------------------------------------------------
    def _next_pid(self):
        self._pid = self._pid % 0xFFFF + 1
        return self._pid

    def _send(self, data):
        if self.sock is None:
            raise MQTTError("not connected")
        mv = memoryview(data)
        sent = 0
        try:
            while sent < len(data):
                n = self.sock.send(mv[sent:])
                if n is None or n <= 0:
                    raise MQTTError("connection closed while sending")
                sent += n
        except OSError as exc:
            raise self._broken(exc, "send") from None
        self._last_tx = ticks_ms()

    def _packet(self, first, body):
        self._send(bytes((first,)) + _remaining_length(len(body)) + body)

    def subscribe(self, topic, qos=1):
        pid = self._next_pid()
        self._packet(SUBSCRIBE, bytes((pid >> 8, pid & 0xFF)) + _str(topic) + bytes((qos,)))
        body = self._wait_for(SUBACK, pid)
        if len(body) < 3 or body[2] == 0x80:
            raise MQTTError("broker refused the subscription to %s" % topic)
        return body[2]

    def publish(self, topic, payload, qos=1, retain=False):
        """Publish; with QoS 1, returns once the broker acknowledged it."""
        first = PUBLISH | (qos << 1) | (1 if retain else 0)
        var = _str(topic)
        pid = 0
        if qos:
            pid = self._next_pid()
            var += bytes((pid >> 8, pid & 0xFF))
        self._packet(first, var + bytes(payload))
        if qos:
            self._wait_for(PUBACK, pid)

    def ping(self):
        self._send(bytes((PINGREQ, 0)))
        self._ping_sent = ticks_ms()

    # -- receiving -------------------------------------------------------------------------------
    def _read(self, n):
        buf = bytearray(n)
        mv = memoryview(buf)
        got = 0
        s = self.sock
        try:
            while got < n:
                if hasattr(s, "readinto"):  # MicroPython: no allocation per read
                    k = s.readinto(mv[got:])
                    if k is None:
                        raise MQTTError("receive timed out")
                else:
                    chunk = s.recv(n - got)
                    k = len(chunk)
                    mv[got : got + k] = chunk
                if not k:
                    raise MQTTError("connection closed by the broker")
                got += k
        except OSError as exc:
            raise self._broken(exc, "receive") from None
        return buf

    def _read_packet(self):
        if self.sock is None:
            raise MQTTError("not connected")
        first = self._read(1)[0]
        n = 0
        shift = 0
        while True:
            b = self._read(1)[0]
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
            if shift > 21:
                self.close()
                raise MQTTError("malformed remaining length")
        return first, (bytes(self._read(n)) if n else b"")

    def _wait_for(self, kind, pid):
        """Read packets until the acknowledgement `kind` for `pid`, keeping any publish that
        arrives meanwhile for the next poll()."""
        deadline = ticks_ms() + self.timeout * 1000
        while True:
            if ticks_diff(deadline, ticks_ms()) <= 0:
                self.close()
                raise MQTTError("no acknowledgement from the broker")
            if not self._readable(1000):
                continue
            first, body = self._read_packet()
            t = first & 0xF0
            if t == PUBLISH:
                self._queue.append((first, body))
            elif t == kind and len(body) >= 2 and (body[0] << 8 | body[1]) == pid:
                return body
            elif t == PINGRESP:
                self._ping_sent = None

    def _readable(self, timeout_ms):
        if self._poller is None:
            raise MQTTError("not connected")
        for _obj, ev in self._poller.poll(timeout_ms):
            if ev & (select.POLLHUP | select.POLLERR):
                self.close()
                raise MQTTError("connection lost")
            if ev & select.POLLIN:
                return True
        return False

    def poll(self, timeout_ms=0):
        """Handle what arrived (waiting at most timeout_ms for something), and keep the connection
        alive. Returns the number of messages handed to on_message."""
        self._keepalive()
        handled = 0
        while self._queue:
            first, body = self._queue.pop(0)
            self._dispatch(first, body)
            handled += 1
        if handled:
            timeout_ms = 0
        while self._readable(timeout_ms):
            timeout_ms = 0
            first, body = self._read_packet()
            t = first & 0xF0
            if t == PUBLISH:
                self._dispatch(first, body)
                handled += 1
            elif t == PINGRESP:
                self._ping_sent = None
        return handled

    def _keepalive(self):
        if not self.keepalive or self.sock is None:
            return
        now = ticks_ms()
        if self._ping_sent is not None and ticks_diff(now, self._ping_sent) > self.keepalive * 1000:
            self.close()
            raise MQTTError("no answer to a ping within the keepalive")
        if self._ping_sent is None and ticks_diff(now, self._last_tx) >= self.keepalive * 500:
            self.ping()

    def _dispatch(self, first, body):
        qos = (first >> 1) & 3
        dup = bool(first & 0x08)
        tlen = body[0] << 8 | body[1]
        topic = bytes(body[2 : 2 + tlen]).decode()
        pos = 2 + tlen
        pid = 0
        if qos:
            pid = body[pos] << 8 | body[pos + 1]
            pos += 2
        payload = bytes(body[pos:])
        if self.on_message is not None:
            self.on_message(topic, payload, dup)
        if qos == 1:
            self._send(bytes((PUBACK, 2, pid >> 8, pid & 0xFF)))
