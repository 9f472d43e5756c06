"""The table a device accepts: message code -> use case entry (who may send it, how it is protected,
what runs it).

Category comes from the one message-code table (smets.wire.message_codes); the roles allowed, whether
replay protection applies and whether the response carries a date-time are GBCS facts per use case
(GBCS use-case table "Use Case access permissions", "Protection Against Replay required"; the
date-time presence as every RTDS 4.5.0 response shows it). Handlers live in one module per family.
"""

from collections import namedtuple

from smets.wire import message_codes as mc

# One accepted use case, a tuple (a board holds about a hundred of them: a class instance with its
# attribute dict takes half as much again as a tuple in MicroPython). Six fields: a 64-bit tuple of
# six is two GC blocks, of seven three; the category stays in the message-code table (critical()).
#   handler(device, ctx) -> response payload bytes, or None for no response.
#   roles: tuple of remote party roles (smets.devices.trust.ROLE_*) that may send it.
#   replay: the originator counter must exceed the last one accepted from that originator.
#   dated: the response's grouping header carries the device's date-time.
UseCase = namedtuple("UseCase", ("code", "name", "roles", "replay", "dated", "handler"))


def critical(uc):
    """A use case of the critical category (signed by the supplier, the response signed too)."""
    return mc.lookup(uc.code)[3] == mc.CRITICAL


def entry(name, roles, handler, replay=False, dated=False):
    """A use case by its GBCS name; code and category come from the message-code table."""
    return UseCase(mc.code_for(name), name, roles, replay, dated, handler)


def table(entries):
    """The dict a device looks use cases up in."""
    out = {}
    for e in entries:
        out[e.code] = e
    return out


_SHARED = {}


def shared_table(key, build):
    """The table for one device profile, built once by `build()` (a list of entries) and shared by
    every device of that profile: a fleet of 100,000 devices holds a handful of tables, not 100,000."""
    t = _SHARED.get(key)
    if t is None:
        t = _SHARED[key] = table(build())
    return t


class Held:
    """What a future-dated item does when it falls due (``Device.hold(..., run=Held(fn, args))``):
    ``fn(device, at, *args)``, with ``fn`` a module-level function and ``args`` plain values. It is
    data rather than a closure so that a held item survives a restart: smets.persist stores the
    function's name from its RUNNERS table and the arguments (add a new ``fn`` there)."""

    __slots__ = ("fn", "args")

    def __init__(self, fn, args=()):
        self.fn = fn
        self.args = tuple(args)

    def __call__(self, dev, at):
        return self.fn(dev, at, *self.args)


class Raw:
    """An alert payload given whole (a DER alert such as FDFA), where a device would otherwise
    build its own alert format around extra members (``Device.raise_alert(..., extra=Raw(...))``)."""

    __slots__ = ("payload",)

    def __init__(self, payload):
        self.payload = bytes(payload)
