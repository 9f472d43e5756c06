"""Loading a state that smets.persist dumped: the JSON reader (bytes from base64) and the decoder that
sets a saved state on a premises or device built from its configuration (smets.persist describes
the format; its restore, load_premises, load_device and from_json call these).

Apart from smets.persist because a board loads a state only once, at boot: it imports this module
then and lets it go once restored (boards/common/smets_board/app.py drops it from sys.modules),
so its functions and string constants are not heap for the rest of the board's life, while the
dumping half, which runs at every save, stays.
"""

import binascii
import json
from array import array

from smets.behaviour.arrays import array_from_bytes
from smets.behaviour.calendar import Calendar
from smets.behaviour.nondisablement import EsmeSchedule, GsmeCalendar
from smets.behaviour.tariff import TariffConfig
from smets.build import build_device, build_premises
from smets.devices.device import FutureItem
from smets.devices.trust import Anchor
from smets.persist import FORMAT, MAX_DEPTH, RUNNERS, StateError, _b64, _fields, _itemsize, _name, _typecode
from smets.usecases.registry import Held, Raw

# Ring buffers: their count and head must fit the size (a field, or an array's length).
RINGS = (("EventLog", "size"), ("RecordLog", "size"), ("SeriesLog", "size"), ("UtrnGate", "cache"))

# Classes a state may hold where the configuration built nothing (every field of theirs is state).
# A GSME's FutureDatedAlert (smets.wire.gbz) is found by _rebuilt(), so that an ESME's board never
# loads the GBZ code.
REBUILT = (Anchor, FutureItem, TariffConfig, Calendar, EsmeSchedule, GsmeCalendar, Raw)

_TYPECODES = "bBhHiIlLqQ"


def restore(obj, state):
    """Set the state `state` (from dump) on `obj`, an object built from the same configuration.
    Raises StateError (a ValueError) and changes nothing when the state does not fit."""
    if type(state) is not dict or state.get("format") != FORMAT or type(state.get("state")) is not dict:
        raise StateError("state: not a persisted state of format %d" % FORMAT)
    if "class" not in state["state"]:
        raise StateError("state: not the state of an object")
    sets = []
    try:
        _dec(obj, state["state"], 0, sets)
    except StateError as e:
        raise StateError("state" + str(e)) from None
    for o, f, v in sets:
        setattr(o, f, v)
    return obj


def load_premises(cfg, state, provider, now=0):
    """The premises `cfg` describes (smets.build), with the state `state`."""
    return restore(build_premises(cfg, provider, now), state)


def load_device(kind, cfg, state, provider, now=0):
    """One device of `kind` from `cfg` (smets.build.build_device), with the state `state`."""
    return restore(build_device(kind, cfg, provider, now), state)


def _dec(existing, enc, depth, sets):
    """The value `enc` stands for; objects of the class of `existing` are restored in place (their
    new field values go to `sets`)."""
    if enc is None or type(enc) is bool or isinstance(enc, (int, str, bytes)):
        return enc
    if depth > MAX_DEPTH:
        raise StateError(": nested deeper than %d" % MAX_DEPTH)
    d = depth + 1
    t = type(enc)
    if t is list:
        same = type(existing) is list and len(existing) == len(enc)
        return [_item(existing[i] if same else None, enc[i], i, d, sets) for i in range(len(enc))]
    if t is not dict:
        raise StateError(": unexpected %s" % _name(enc))
    if "class" in enc:
        return _dec_object(existing, enc, d, sets)
    if len(enc) == 1 and "tuple" in enc:
        items = enc["tuple"]
        if type(items) is not list:
            raise StateError(": a tuple needs a list")
        same = type(existing) is tuple and len(existing) == len(items)
        return tuple(_item(existing[i] if same else None, items[i], i, d, sets) for i in range(len(items)))
    if len(enc) == 2 and "rows" in enc and "ints" in enc:
        k, flat = enc["rows"], enc["ints"]
        if type(k) is not int or k < 1 or type(flat) is not list or len(flat) % k:
            raise StateError(": rows of %r integers do not fit %r" % (k, _name(flat)))
        for x in flat:
            if type(x) is not int:
                raise StateError(": a row holds a %s" % _name(x))
        return [tuple(flat[i : i + k]) for i in range(0, len(flat), k)]
    if len(enc) == 1 and "bytearray" in enc:
        b = enc["bytearray"]
        if type(b) is not bytes:
            raise StateError(": a bytearray needs bytes")
        return bytearray(b)
    if len(enc) == 1 and "dict" in enc:
        return _dec_dict(existing, enc["dict"], d, sets)
    if len(enc) == 3 and "array" in enc and "n" in enc and "data" in enc:
        return _dec_array(existing, enc["array"], enc["n"], enc["data"])
    raise StateError(": unknown value %r" % (sorted(enc.keys()),))


def _item(existing, enc, i, depth, sets):
    try:
        return _dec(existing, enc, depth, sets)
    except StateError as e:
        raise StateError("[%d]%s" % (i, e)) from None


def _dec_dict(existing, pairs, depth, sets):
    if type(pairs) is not list:
        raise StateError(": a dict needs a list of pairs")
    out = {}
    for i in range(len(pairs)):
        p = pairs[i]
        if type(p) is not list or len(p) != 2:
            raise StateError("[%d]: a dict item needs a [key, value] pair" % i)
        k = _item(None, p[0], i, depth, sets)
        try:
            old = existing.get(k) if type(existing) is dict else None
            out[k] = _item(old, p[1], i, depth, sets)
        except TypeError:
            raise StateError("[%d]: a dict key of type %s" % (i, _name(k))) from None
    return out


def _dec_array(existing, tc, n, data):
    if type(tc) is not str or len(tc) != 1 or tc not in _TYPECODES:
        raise StateError(": bad array typecode %r" % (tc,))
    size = _itemsize(tc)
    if type(n) is not int or type(data) is not bytes or not 0 <= len(data) <= n * size:
        raise StateError(": array data does not fit %r items of %r" % (n, tc))
    if type(existing) is array:
        want = _typecode(existing)
        if tc != want or n != len(existing):
            raise StateError(
                ": %d items of %r where the configuration has %d of %r" % (n, tc, len(existing), want)
            )
    if len(data) < n * size:
        data = data + bytes(n * size - len(data))
    return array_from_bytes(tc, data)


def _dec_held(enc, depth, sets):
    if len(enc) != 3 or "run" not in enc or "args" not in enc:
        raise StateError(": a Held needs run and args")
    name = enc["run"]
    for n, fn in RUNNERS:
        if n == name:
            args = _dec(None, enc["args"], depth, sets)
            if type(args) is not tuple:
                raise StateError(".args: not a tuple")
            return Held(fn, args)
    raise StateError(": unknown future-dated action %r" % (name,))


def _rebuilt(name):
    """The class in REBUILT (or the GSME's FutureDatedAlert) of that name, or None."""
    if name == "FutureDatedAlert":
        from smets.wire.gbz import FutureDatedAlert

        return FutureDatedAlert
    for c in REBUILT:
        if c.__name__ == name:
            return c
    return None


def _dec_object(existing, enc, depth, sets):
    name = enc["class"]
    if name == "Held":
        return _dec_held(enc, depth, sets)
    in_place = existing is not None and type(existing).__name__ == name
    if in_place:
        obj = existing
    else:
        cls = _rebuilt(name)
        if cls is None:
            what = "none" if existing is None else "a " + type(existing).__name__
            raise StateError(": a %s, where the configuration built %s" % (name, what))
        obj = object.__new__(cls)
    fs = _fields(type(obj))
    if fs is None:
        raise StateError(": a %s is not in persist.CLASSES" % name)
    state, identity = fs[1 : 1 + fs[0]], fs[1 + fs[0] :]
    if len(enc) != 1 + len(state) + len(identity):
        for k in enc:
            if k != "class" and k not in state and k not in identity:
                raise StateError(".%s: not a field of %s" % (k, name))
    vals = {}
    for group in (identity, state):
        for f in group:
            if f not in enc:
                raise StateError(".%s: missing from the %s" % (f, name))
            cur = getattr(obj, f, None) if in_place else None
            try:
                v = _dec(cur, enc[f], depth, sets)
            except StateError as e:
                raise StateError("." + f + str(e)) from None
            vals[f] = v
            if not in_place:
                setattr(obj, f, v)
            elif group is identity:
                if v != cur:
                    raise StateError(".%s: %r in the state, %r in the configuration" % (f, v, cur))
            elif cur is not None and v is not None and type(v) is not type(cur):
                raise StateError(".%s: a %s where the configuration has a %s" % (f, _name(v), _name(cur)))
            elif v is not None or hasattr(obj, f):
                sets.append((obj, f, v))
    for ring, size in RINGS:
        if ring == name:
            n = vals[size] if type(vals[size]) is int else len(vals[size])
            count, head = vals["count"], vals["head"]
            if type(count) is not int or type(head) is not int or not (0 <= count <= n and 0 <= head < n):
                raise StateError(": count %r and head %r do not fit %d entries" % (count, head, n))
    return obj


# -- JSON ----------------------------------------------------------------------------------------
def from_json(source):
    """The state from JSON text (str or bytes) or a stream with read(): bytes come back as bytes.
    Raises ValueError when it is not JSON or a {"b64"} value is not base64."""
    try:
        if isinstance(source, (str, bytes)):
            state = json.loads(source)
        else:
            state = json.load(source)
    except ValueError as e:
        raise StateError("state: not JSON (%s)" % e) from None
    return _unb64(state)


def _unb64(state):
    """Replace every {"b64": text} in the JSON tree by its bytes, in place (a loop, no recursion)."""
    holder = [state]
    todo = [holder]
    while todo:
        c = todo.pop()
        keys = range(len(c)) if type(c) is list else list(c.keys())
        for k in keys:
            v = c[k]
            if type(v) is dict:
                if len(v) == 1 and "b64" in v:
                    text = v["b64"]
                    if type(text) is not str:
                        raise StateError("state: a b64 value needs text")
                    try:
                        b = binascii.a2b_base64(text)
                    except ValueError:
                        b = None
                    if b is None or _b64(b) != text:  # CPython skips stray characters: be strict
                        raise StateError("state: bad base64 %r" % (text[:16],))
                    c[k] = b
                else:
                    todo.append(v)
            elif type(v) is list:
                todo.append(v)
            elif type(v) is float:
                raise StateError("state: a number with a fraction (%r); states hold integers" % v)
    return holder[0]
