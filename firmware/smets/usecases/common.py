"""What DLMS use-case handlers share: parse the Access-Request, let the use case translate it into
behaviour calls, run every specification, and build the Access-Response."""

from smets.behaviour.errors import BehaviourError
from smets.devices import trust as tr
from smets.usecases import cosem
from smets.wire import dlms
from smets.wire.errors import DecodeError

SUPPLIER = (tr.ROLE_SUPPLIER,)
SUPPLIER_ACB = (tr.ROLE_SUPPLIER, tr.ROLE_ACB)
SUPPLIER_NO_ACB = (tr.ROLE_SUPPLIER, tr.ROLE_NETWORK_OPERATOR, tr.ROLE_ACB)
SUPPLIER_NO = (tr.ROLE_SUPPLIER, tr.ROLE_NETWORK_OPERATOR)
NETWORK_OPERATOR = (tr.ROLE_NETWORK_OPERATOR,)
ACB = (tr.ROLE_ACB,)


def obis(a, b, c, d, e, f=255):
    return bytes((a, b, c, d, e, f))


def parse_request(dev, ctx):
    """The AccessRequest of ctx.frame, or None after logging an integrity failure."""
    try:
        req = dlms.parse_payload(ctx.frame.payload)
    except DecodeError:
        req = None
    if not isinstance(req, dlms.AccessRequest):
        dev.integrity_failure(ctx)
        return None
    ctx.request = req
    return req


def dlms_use_case(translate=None):
    """A handler: translate(dev, ctx, req) -> None or {spec index: result} runs first (unless an
    injected fault stops the request), then every specification runs generically. A refusal from
    the behaviour (BehaviourError) or a request of the wrong shape answers other-reason on every
    specification and changes nothing."""

    def handler(dev, ctx):
        req = parse_request(dev, ctx)
        if req is None:
            return None
        overrides = None
        if translate is not None and cosem.first_fault(dev, req) < 0:
            try:
                overrides = translate(dev, ctx, req)
            except (BehaviourError, DecodeError, ValueError, TypeError, IndexError, KeyError):
                overrides = {}
                for i in range(len(req.specs)):
                    overrides[i] = cosem.R_OTHER
        return dlms.build_payload(cosem.execute(dev, ctx, req, overrides))

    return handler


def find(req, class_id, instance, member, kind=None):
    """Index of the first specification naming this attribute/method (and kind), or -1."""
    instance = bytes(instance)
    for i in range(len(req.specs)):
        s = req.specs[i]
        if s.class_id == class_id and s.instance == instance and s.member == member:
            if kind is None or s.kind == kind:
                return i
    return -1


def value_of(req, class_id, instance, member, kind=None):
    """The Data value sent with that specification; KeyError when the request lacks it."""
    i = find(req, class_id, instance, member, kind)
    if i < 0:
        raise KeyError("request lacks %d %r %d" % (class_id, instance, member))
    return req.data[i]


def int_of(value):
    tag, v = value
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("expected an integer Data value")
    return v


def activation_of(ctx, value):
    """Behaviour activation time (seconds since 2000, or NEVER) of an activation date-time value."""
    kind, at = cosem.activation_time(value)
    if kind == "now":
        return ctx.now
    return at
