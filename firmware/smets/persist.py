"""A premises' (or one device's) whole mutable state as plain data, and back: what the host fleet
checkpoints and resumes, and what a board keeps in flash.

    state = persist.dump(premises)                      # plain data; bytes allowed
    text = persist.to_json(state)                       # or write_json(state, f.write): streamed
    persist.write_json(persist.streamed(premises), f.write)  # the same text, no plain copy (a board)
    premises = persist.load_premises(cfg, persist.from_json(text), provider)

The configuration (smets.build) gives identity, keys and sizes; everything a device accumulates is
state. ``CLASSES`` is the one table of which attributes of which class are state. An object is
dumped as a dict of its state fields (``{"class": name, field: value, ...}``, the fields of its
class and of every base class named in the table); loading builds from the configuration, then
sets those fields on the objects it built, in place, so shared and static parts (use-case tables,
COSEM/ZSE models, the crypto provider, key-agreement objects with their private keys, settings)
come from the configuration and are never in a state. A class whose every field is state (a
tariff, a calendar, a trust anchor, a future-dated item) is rebuilt from the state alone when the
configuration built none. A future-dated item's action is a ``registry.Held``: its function is
stored by its name in ``RUNNERS`` and its arguments as data.

Values: None, bool, int, str, bytes and lists are themselves; everything else is a small dict:
``{"tuple": [...]}``, ``{"bytearray": b}``, ``{"dict": [[k, v], ...]}``, ``{"array": typecode, "n":
items, "data": b}`` (its memory without the trailing zero octets), ``{"rows": k, "ints": [...]}``
(a list of tuples of k integers, flat: the GPF's mirrored samples are hundreds of them), and objects
carry "class". In JSON, bytes become ``{"b64": "..."}``.

Loading checks what it can and refuses with a ``ValueError`` naming the field (``StateError``):
another format, a field missing or unknown, a value of another type than the configuration built,
an identity field that differs (another device's EUI, other log sizes), an array of another type
or length. Nothing is changed unless everything fits (the new values are collected first). The
loading half (restore, load_*, from_json) lives in smets.persist_load, imported on first use: a
board loads a state once, at boot, and then drops it (its code would be heap for nothing).

MicroPython: objects are rebuilt with ``object.__new__`` and a class's bases are read from
``__bases__`` (both need MICROPY_CPYTHON_COMPAT, on in every port with CORE features or more);
arrays have no ``typecode`` there, so it is read from the repr of an empty slice. Encoding and
decoding recurse once per nesting level (a premises is about 10 deep); ``MAX_DEPTH`` bounds it.
"""

import binascii
import json
from array import array

from smets.usecases import cosem, firmware, zse_runner
from smets.usecases.registry import Held

FORMAT = 1
MAX_DEPTH = 32

# One table: the state of each class, one string a row, "class-name state-fields... | identity
# fields... | not-state fields..." (one string, not a tuple of names: on a board every string
# constant is a heap object from import on, and the names would be ~300 of them).
# Identity fields come from the configuration and are compared on loading, not set. "Not state" are
# static (keys, provider, shared tables and models, settings, sizes) or transient (one call's
# diagnostics, the behaviour's alert list during a call) and are never persisted. A class gets the
# rows of its bases too, so a new device class with no new attributes needs no row; one with new
# attributes needs a row naming each (tests/test_persist.py checks that every attribute is named).
# fmt: off
CLASSES = (
    "Premises chf gpf esme gsme han next_wake gsme_queue gsme_out mirrored_at | | wake_interval "
    "_tap_off",
    "Device counters alert_counter security_log pending _seq faults clock_offset outbox now powered "
    "power_off_at trust | eui | provider ds_private ds_public ka usecases last_error last_gate",
    "DlmsDevice store | | model",
    "GbzDevice zstore data_stamp | | zmodel",
    "Esme meter",
    "Gsme meter last_top_up friendly_credit top_up_log debt_log billing_period snapshots calendars "
    "tariff_items price join_log samples",
    "Gpf samples",
    "Chf log | | gpf_eui",
    "HanDevice firmware | | meters",
    "DisplayDevice | | display",
    "ChfDeviceLog entries historic ext_pan_id changed_at",
    "Store values | limit",
    "TrustAnchors cells",
    "Anchor eui public floor",
    "FutureItem at seq message_code counter originator class_id instance attr run",
    "Raw payload",
    "FutureDatedAlert message_code originator_counter cluster_id frame_control command_id",
    "_Meter now account tariff billing supply nd nd_pending nd_at alert_settings firmware utrn "
    "event_log security_log daily_read prepay_daily_read profile billing_snapshots billing_credits "
    "billing_debt_payments daily_consumption hh_wh day_wh next_hh last_consume low_flag ec_avail_flag "
    "nd_flag debt_reset_supported activations | is_esme | settings sizes _out",
    "Account mode suspend_disabled suspend_emergency balance bill_to_date accumulated ec debt thr "
    "charge_config pending_mode pending_mode_at pending_config | is_esme",
    "EmergencyCredit limit threshold used active",
    "DebtRegisters regs rate scale period percent cap cap_period cap_start cap_used",
    "Thresholds low_credit disablement max_credit max_meter_balance",
    "PendingConfig values at",
    "Tariff active passive passive_at tou secondary blocks counters total residue sec_residue "
    "daily_block_reset | is_esme",
    "TariffConfig kind calendar tou_prices block_thresholds block_prices price_scale standing_charge "
    "standing_scale secondary_calendar secondary_prices",
    "Calendar seasons weeks days special",
    "EsmeSchedule entries special",
    "GsmeCalendar calendar",
    "BillingCalendar start period k next_end",
    "Supply state reason ll_threshold ll_period ll_restore ll_disconnect ll_over ll_count "
    "ll_restore_at",
    "AlertSettings flags",
    "FirmwareStore manufacturer image_type running_version held_version held_hash activate_at",
    "UtrnGate cache count head floor failures locked_until",
    "EventLog count head times codes data | size | clearable",
    "RecordLog count head times values | size width | typecode",
    "SeriesLog count head values last_start | size | period",
)
# fmt: on

# One table: the functions a future-dated item may run (registry.Held), by a stable name.
RUNNERS = (
    ("cosem.activate", cosem.run_activation),
    ("firmware.activate", firmware.run_activation),
    ("zse_tariff.activate", zse_runner.run_activation),
)


class StateError(ValueError):
    """A state that does not fit: the message names the field ("state.esme.meter...: why")."""

    def __init__(self, msg):
        super().__init__(msg)


# -- the table -----------------------------------------------------------------------------------
_FIELDS = {}  # class -> (number of state fields, state fields..., identity fields...), as used
# Whether _fields() keeps what it read from the table, per class. The host's checkpoints dump
# thousands of premises and want it; a board saves every half hour or so and sets it False, so
# that the few hundred field names are not kept on its heap between saves.
CACHE_FIELDS = True


def _row_of(row, name):
    """Whether a CLASSES row is class `name`'s (without splitting every row)."""
    n = len(name)
    return row.startswith(name) and (len(row) == n or row[n] == " ")


def _merged(cls):
    """(state, identity, not-state) field lists of a class from its rows and its bases' rows, or
    None when no row names the class or any base."""
    state = []
    identity = []
    skip = []
    found = False
    todo = [cls]
    seen = []
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.append(c)
        for row in CLASSES:
            if _row_of(row, c.__name__):
                found = True
                out = state
                for n in row.split()[1:]:
                    if n == "|":  # state | identity | not state
                        out = identity if out is state else skip
                    elif n not in out:
                        out.append(n)
        todo.extend(getattr(c, "__bases__", ()))
    return (state, identity, skip) if found else None


def spec(cls):
    """(state fields, identity fields, not-state fields) of a class from its rows and its bases'
    rows, or None when no row names the class or any base."""
    m = _merged(cls)
    return None if m is None else (tuple(m[0]), tuple(m[1]), tuple(m[2]))


def _fields(cls):
    """spec(cls)'s state and identity fields in one tuple after their count, or None; kept per class
    while CACHE_FIELDS."""
    f = _FIELDS.get(cls)
    if f is None:
        m = _merged(cls)
        if m is None:
            return None
        f = tuple([len(m[0])] + m[0] + m[1])
        if CACHE_FIELDS:
            _FIELDS[cls] = f
    return f


def _typecode(a):
    tc = getattr(a, "typecode", None)
    return tc if tc is not None else repr(a[:0])[7]  # "array('I')" on MicroPython


def _itemsize(tc):
    return len(bytes(array(tc, [0])))


# -- dump ----------------------------------------------------------------------------------------
def dump(obj):
    """The state of a premises or of one device (any object of a class in CLASSES) as plain data."""
    try:
        return {"format": FORMAT, "state": _enc(obj, 0)}
    except StateError as e:
        raise StateError("state" + str(e)) from None


def dump_premises(premises):
    return dump(premises)


def _runner_name(fn):
    for name, f in RUNNERS:
        if f is fn:
            return name
    raise StateError(": a future-dated item runs %r, which is not in persist.RUNNERS" % (fn,))


def _rows_width(v):
    """k when `v` holds two or more tuples of k integers each, else 0."""
    if len(v) < 2 or type(v[0]) is not tuple:
        return 0
    k = len(v[0])
    if k == 0:
        return 0
    for row in v:
        if type(row) is not tuple or len(row) != k:
            return 0
        for x in row:
            if type(x) is not int:
                return 0
    return k


def _enc(v, depth, sub=None):
    """v as plain data, its parts encoded by `sub(part, depth)`: _enc itself (the whole tree, dump)
    or _later (one level, the parts left for write_json to encode as it reaches them)."""
    if v is None or type(v) is bool or isinstance(v, (int, str, bytes)):
        return v
    if depth > MAX_DEPTH:
        raise StateError(": nested deeper than %d" % MAX_DEPTH)
    if sub is None:
        sub = _enc
    t = type(v)
    d = depth + 1
    if t is list:
        k = _rows_width(v)
        if k:  # a list of integer rows (samples, log entries): one flat list, not a tuple each
            flat = []
            for row in v:
                flat.extend(row)
            return {"rows": k, "ints": flat}
        return [sub(x, d) for x in v]
    if t is tuple:
        return {"tuple": [sub(x, d) for x in v]}
    # write_json streams a bytearray's or an array's octets itself (no copy of them at once)
    streaming = sub is _later
    if t is bytearray:
        return {"bytearray": v if streaming else bytes(v)}
    if t is memoryview:
        return bytes(v)
    if t is dict:
        items = list(v.items())
        try:
            items.sort(key=lambda kv: kv[0])  # a stable order where the keys allow one
        except TypeError:
            pass
        if streaming:  # each [key, value] pair made when write_json reaches it, not all at once
            return {"dict": _Pairs(items, d)}
        return {"dict": [[sub(k, d), sub(x, d)] for k, x in items]}
    if t is array:
        # trailing zero octets are left out: a log not yet full, a counter cache barely used
        return {"array": _typecode(v), "n": len(v), "data": v if streaming else bytes(v).rstrip(b"\x00")}
    if t is Held:
        return {"class": "Held", "run": _runner_name(v.fn), "args": sub(v.args, d)}
    fs = _fields(t)
    if fs is None:
        raise StateError(": a %s is not in persist.CLASSES" % t.__name__)
    if sub is _later:  # write_json reads the fields as it writes them: no dict of them at all
        return _Object(v, fs, d)
    out = {"class": t.__name__}
    for i in range(1, len(fs)):
        f = fs[i]
        try:
            out[f] = sub(getattr(v, f, None), d)
        except StateError as e:
            raise StateError("." + f + str(e)) from None
    return out


class _Pairs:
    """A dict's sorted items as write_json's list of [key, value] pairs, each made when it is reached
    (a board's trust anchors: a dozen pairs of encoded parts less at the top of a save)."""

    __slots__ = ("items", "depth")

    def __init__(self, items, depth):
        self.items = items
        self.depth = depth

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        k, x = self.items[i]
        return [_later(k, self.depth), _later(x, self.depth)]


class _Later:
    """A part of a state that write_json encodes (one level at a time) when it reaches it."""

    __slots__ = ("v", "depth")

    def __init__(self, v, depth):
        self.v = v
        self.depth = depth


class _Object:
    """An object's state for write_json: its keys ("class" and the fields) and, by key, the value
    (a field read when it is written)."""

    __slots__ = ("obj", "fields", "depth")

    def __init__(self, obj, fields, depth):
        self.obj = obj
        self.fields = fields
        self.depth = depth

    def keys(self):
        fs = self.fields
        return sorted(["class"] + [fs[i] for i in range(1, len(fs))])

    def __getitem__(self, key):
        if key == "class":
            return type(self.obj).__name__
        return _later(getattr(self.obj, key, None), self.depth)


def _later(v, depth):
    if v is None or type(v) is bool or isinstance(v, (int, str, bytes)):
        return v
    return _Later(v, depth)


def streamed(obj):
    """dump(obj) for write_json, encoded as it is written: the same text as write_json(dump(obj)),
    without ever holding the whole plain copy (a board saves its state in a small heap with it).
    The objects must not change until it is written."""
    return {"format": FORMAT, "state": _Later(obj, 0)}


# -- load: smets.persist_load, imported when first used (a board loads a state once, at boot) ------
def restore(obj, state):
    """Set `state` (from dump) on `obj`, built from the same config; StateError, nothing changed, if unfit."""
    from smets import persist_load

    return persist_load.restore(obj, state)


def load_premises(cfg, state, provider, now=0):
    """The premises `cfg` describes (smets.build), with the state `state`: persist_load.load_premises."""
    from smets import persist_load

    return persist_load.load_premises(cfg, state, provider, now)


def load_device(kind, cfg, state, provider, now=0):
    """One device of `kind` from `cfg` (smets.build.build_device), with the state `state`."""
    from smets import persist_load

    return persist_load.load_device(kind, cfg, state, provider, now)


def from_json(source):
    """The state from JSON text (str or bytes) or a stream with read(): persist_load.from_json."""
    from smets import persist_load

    return persist_load.from_json(source)


def _name(v):
    return "None" if v is None else type(v).__name__


# -- JSON ----------------------------------------------------------------------------------------
def _b64(b):
    return binascii.b2a_base64(b)[:-1].decode()


def write_json(state, write, chunk=128):
    """Write `state` (plain data, or streamed()) as JSON text through `write(str)` in pieces of about
    `chunk` characters (a board streams it to a file). Keys of objects are sorted, so equal states
    give equal text. No piece of text it builds is much longer than `chunk` (bytes go out in base64
    slices): a long-running board's heap is fragmented, and only short blocks are sure to be there."""
    out = _Pieces(write, chunk)
    stack = []  # open containers: [container, next index, sorted keys or None for a list]
    v = state
    while True:
        if type(v) is _Later:
            try:
                v = _enc(v.v, v.depth, _later)
            except StateError as e:
                raise StateError("state" + _path(stack) + str(e)) from None
        if v is None:
            out.add("null")
        elif v is True:
            out.add("true")
        elif v is False:
            out.add("false")
        elif isinstance(v, int):
            out.add(str(v))
        elif isinstance(v, str):
            out.add(json.dumps(v))
        elif isinstance(v, (bytes, bytearray)):
            out.add('{"b64":"')
            mv = memoryview(v)
            for i in range(0, len(v), _B64_SLICE):
                out.add(_b64(mv[i : i + _B64_SLICE]))
            out.add('"}')
        elif type(v) is array:  # an array's octets, from streamed(): as bytes(v).rstrip(b"\x00")
            out.add('{"b64":"')
            _array_b64(v, out)
            out.add('"}')
        elif type(v) is list or type(v) is _Pairs:
            out.add("[")
            stack.append([v, 0, None])
        elif type(v) is dict:
            keys = sorted(v.keys()) if _all_text(v) else None
            if keys is None:
                raise StateError("state%s: a JSON object key must be text" % _path(stack))
            out.add("{")
            stack.append([v, 0, keys])
        elif type(v) is _Object:
            out.add("{")
            stack.append([v, 0, v.keys()])
        else:
            raise StateError("state%s: a %s is not plain data" % (_path(stack), _name(v)))
        v = None
        while stack:
            top = stack[-1]
            c, i, keys = top
            if i == (len(c) if keys is None else len(keys)):
                out.add("]" if keys is None else "}")
                stack.pop()
                continue
            top[1] = i + 1
            if i:
                out.add(",")
            if keys is None:
                v = c[i]
            else:
                out.add(json.dumps(keys[i]) + ":")
                v = c[keys[i]]
            break
        else:
            break
    out.flush()


_B64_SLICE = 96  # octets: a multiple of 3 and 8, so the base64 of the slices joins into that of all


def _array_b64(a, out):
    """The base64 of an array's octets without their trailing zero octets, in slices."""
    tc = _typecode(a)
    size = _itemsize(tc)
    j = len(a)
    while j and a[j - 1] == 0:
        j -= 1
    if not j:
        return
    end = (j - 1) * size + len(bytes(array(tc, [a[j - 1]])).rstrip(b"\x00"))
    step = _B64_SLICE // size
    for i in range(0, j, step):
        piece = bytes(a[i : i + step])
        if i + step >= j:
            piece = piece[: end - i * size]
        out.add(_b64(piece))


def _path(stack):
    """Where write_json is in the state, as in dump's messages (".esme.meter[2]")."""
    p = []
    for _c, i, keys in stack:
        p.append("[%d]" % (i - 1) if keys is None else "." + keys[i - 1])
    return "".join(p)


def _all_text(d):
    for k in d:
        if type(k) is not str:
            return False
    return True


class _Pieces:
    """Small strings joined into pieces of about `chunk` characters for `write` (and at most
    _PARTS of them at a time, so that the list of parts stays short too)."""

    __slots__ = ("write", "chunk", "parts", "size")

    def __init__(self, write, chunk):
        self.write = write
        self.chunk = chunk
        self.parts = []
        self.size = 0

    def add(self, s):
        self.parts.append(s)
        self.size += len(s)
        if self.size >= self.chunk or len(self.parts) >= _PARTS:
            self.flush()

    def flush(self):
        if self.parts:
            self.write("".join(self.parts))
            self.parts = []
            self.size = 0


_PARTS = 32


def to_json(state):
    """The state as one JSON text (bytes as {"b64": ...})."""
    parts = []
    write_json(state, parts.append)
    return "".join(parts)
