"""Running an xDLMS Access-Request against a device's COSEM objects.

A DLMS device (ESME, CHF) answers every request specification in order. Each attribute or method
is either *bound* (a getter/loader reading and writing behaviour state, an action calling
behaviour) or kept in the device's attribute store, which remembers what was set so that reads
give it back. The use-case handler decides what a command means as a whole (``translate``: one
behaviour call for the whole request, made before anything is stored so that a refusal changes
nothing); this module does the per-specification work that every use case shares:

* results: one per specification, success or a DLMS Data-Access-Result / Action-Result;
* "break on error" (bit 29 of the long-invoke-id, set in every GBCS request): after the first
  failure the remaining specifications are not run and answer other-reason (250), as RTDS shows;
* injected hardware faults (``Device.inject_fault``: an object ``(class, instance)`` or one
  specification ``fault_key(spec)``) answer hardware-fault (1), as RTDS's ERROR variants show;
* activation-time attributes: NOW runs at once, a future date-time is held (future-dated
  command, one 0x8F66 alert per object when it runs), NEVER cancels what was held. Activating an
  object copies its passive attributes to the active ones (``copies``: within the object by class,
  and across objects where the model links them, e.g. a tariff's special days and thresholds); a
  held activation then calls the model's ``on_activation`` hook for the object, if any, so that
  behaviour can follow what became active (the ESME tariff);
* get_protected_attributes (class 30 method 1): the requested attributes as one structure,
  encrypted (GBCS mode 4) into the protected-data structure of the response.
"""

from smets.behaviour.timeutil import NEVER, UNIX_OFFSET
from smets.compat import const
from smets.security import keys, protect
from smets.usecases.registry import Held
from smets.wire import dlms
from smets.wire import dlms_axdr as ax
from smets.wire.errors import DecodeError

R_SUCCESS = const(0)
R_HARDWARE_FAULT = const(1)
R_TEMPORARY_FAILURE = const(2)
R_READ_WRITE_DENIED = const(3)
R_OBJECT_UNDEFINED = const(4)
R_OBJECT_UNAVAILABLE = const(11)
R_TYPE_UNMATCHED = const(12)
R_OTHER = const(250)

NULL = (ax.T_NULL, None)

STORE_LIMIT = const(512)  # attributes a device remembers beyond its bound ones

# Attributes that carry an activation date-time, by class: (class id, attribute id).
ACTIVATION_ATTRIBUTES = (
    (111, 13),  # Account: account_activation_time
    (113, 7),  # Charge: unit_charge_activation_time
    (20, 10),  # Activity calendar: activate_passive_calendar_time
    (9000, 6),  # GBCS extended data: activate passive value time
)
# What activation copies, passive -> active, per class (attribute ids).
ACTIVATION_COPIES = (
    (111, ()),
    (113, ((6, 5),)),
    (20, ((6, 2), (7, 3), (8, 4), (9, 5))),
    (9000, ((4, 2),)),
)

DATA_PROTECTION_CLASS = const(30)
GET_PROTECTED_ATTRIBUTES = const(1)

_NOW_DT = b"\x00" * 9
_NEVER_DT = b"\xff" * 9


def key(class_id, instance, member):
    return (class_id, bytes(instance), member)


def is_activation(class_id, attr):
    return (class_id, attr) in ACTIVATION_ATTRIBUTES


def activation_time(value):
    """(kind, seconds since 2000) of an activation date-time value: kind "now", "never" or "at"."""
    tag, octets = value
    if tag not in (ax.T_OCTET_STRING, ax.T_DATE_TIME) or len(octets) != 12:
        raise DecodeError("activation time is not a 12-octet date-time", 0)
    head = bytes(octets[:9])
    if head == _NOW_DT:
        return "now", 0
    if head == _NEVER_DT:
        return "never", NEVER
    return "at", ax.datetime_to_utc(octets) - UNIX_OFFSET


class Model:
    """A device's COSEM bindings: getters/loaders per attribute and actions per method.

    getter(device, selection) -> Data value, or None when not available.
    loader(device, value): set the state behind an attribute (not a remote write: priming a
    device, restoring, the replay). setter(device, value, ctx) -> result, for remote writes that
    do more than store. action(device, parameter, ctx) -> (result, Data value).
    links: (class, instance) of an object carrying an activation time -> the (passive key, active
    key) pairs its activation copies besides its own (``link``).
    hooks: (class, instance) -> hook(device, at), run after a held activation of that object.
    """

    __slots__ = ("getters", "loaders", "setters", "actions", "action_loaders", "links", "hooks")

    def __init__(self):
        self.getters = {}
        self.loaders = {}
        self.setters = {}
        self.actions = {}
        self.action_loaders = {}
        self.links = {}
        self.hooks = {}

    def attribute(self, class_id, instance, attr, getter, loader=None, setter=None):
        k = key(class_id, instance, attr)
        self.getters[k] = getter
        if loader is not None:
            self.loaders[k] = loader
        if setter is not None:
            self.setters[k] = setter

    def action(self, class_id, instance, method, fn):
        self.actions[key(class_id, instance, method)] = fn

    def action_loader(self, class_id, instance, method, fn):
        """fn(device, value): set the state a method's returned data comes from (priming)."""
        self.action_loaders[key(class_id, instance, method)] = fn

    def link(self, class_id, instance, passive, active):
        """Activating (class_id, instance) also copies attribute ``passive`` to ``active`` (each a
        (class, instance, attr) of another object)."""
        k = (class_id, bytes(instance))
        pair = (key(passive[0], passive[1], passive[2]), key(active[0], active[1], active[2]))
        self.links[k] = self.links.get(k, ()) + (pair,)

    def on_activation(self, class_id, instance, hook):
        """hook(device, at): run after a held (future-dated) activation of this object has copied it."""
        self.hooks[(class_id, bytes(instance))] = hook


def read(dev, class_id, instance, attr, selection=None):
    """(result, value) of one attribute, as a get would see it."""
    k = key(class_id, instance, attr)
    g = dev.model.getters.get(k)
    if g is not None:
        v = g(dev, selection)
    else:
        v = dev.store.get(k)
    if v is None:
        return R_OBJECT_UNDEFINED, NULL
    return R_SUCCESS, v


def load(dev, class_id, instance, attr, value):
    """Set an attribute's value as the device's own state (no access rules, no activation)."""
    k = key(class_id, instance, attr)
    loader = dev.model.loaders.get(k)
    if loader is not None:
        loader(dev, value)
    dev.store.put(k, value)


def fault_key(spec):
    """The key a specification-level injected fault uses: (result kind, class, instance, member)."""
    return (_result_kind(spec.kind), spec.class_id, bytes(spec.instance), spec.member)


def faulty(dev, spec):
    """True when an injected hardware fault covers this specification (its object or itself)."""
    faults = dev.faults
    if not faults:
        return False
    return (spec.class_id, bytes(spec.instance)) in faults or fault_key(spec) in faults


def load_action(dev, class_id, instance, method, value):
    """Set the state behind a method's returned data; False when the method has no loader."""
    fn = dev.model.action_loaders.get(key(class_id, instance, method))
    if fn is None:
        return False
    fn(dev, value)
    return True


def first_fault(dev, req):
    """Index of the first specification an injected fault covers, or -1."""
    if not dev.faults:
        return -1
    for i in range(len(req.specs)):
        if faulty(dev, req.specs[i]):
            return i
    return -1


def _result_kind(kind):
    if kind in (dlms.GET, dlms.GET_WITH_SELECTION):
        return dlms.GET
    if kind in (dlms.SET, dlms.SET_WITH_SELECTION):
        return dlms.SET
    return dlms.ACTION


def execute(dev, ctx, req, overrides=None):
    """Run every specification; returns the AccessResponse. `overrides` maps a specification index
    to a result the use case already decided (its behaviour call ran, or refused)."""
    data = []
    results = []
    stop = False
    break_on_error = bool(req.invoke_id & dlms.BREAK_ON_ERROR)
    for i in range(len(req.specs)):
        spec = req.specs[i]
        rk = _result_kind(spec.kind)
        if stop:
            data.append(NULL)
            results.append((rk, R_OTHER))
            continue
        if faulty(dev, spec):
            r, v = R_HARDWARE_FAULT, NULL
        elif overrides is not None and i in overrides:
            r, v = overrides[i], NULL
        else:
            r, v = _run(dev, ctx, spec, req.data[i])
        data.append(v)
        results.append((rk, r))
        if r != R_SUCCESS and break_on_error:
            stop = True
    return dlms.AccessResponse(req.invoke_id, data, results)


def _run(dev, ctx, spec, value):
    kind = spec.kind
    if kind in (dlms.GET, dlms.GET_WITH_SELECTION):
        return read(dev, spec.class_id, spec.instance, spec.member, spec.selection)
    k = key(spec.class_id, spec.instance, spec.member)
    if kind in (dlms.SET, dlms.SET_WITH_SELECTION):
        setter = dev.model.setters.get(k)
        if setter is not None:
            r = setter(dev, value, ctx)
            if r != R_SUCCESS:
                return r, NULL
        if is_activation(spec.class_id, spec.member):
            r = _activation(dev, ctx, spec, value)
            if r != R_SUCCESS:
                return r, NULL
        if not dev.store.put(k, value):
            return R_TEMPORARY_FAILURE, NULL
        return R_SUCCESS, NULL
    fn = dev.model.actions.get(k)
    if fn is None:
        if spec.class_id == DATA_PROTECTION_CLASS and spec.member == GET_PROTECTED_ATTRIBUTES:
            return get_protected(dev, ctx, value)
        return R_SUCCESS, NULL
    return fn(dev, value, ctx)


def _activation(dev, ctx, spec, value):
    try:
        kind, at = activation_time(value)
    except DecodeError:
        return R_TYPE_UNMATCHED
    cls, inst, attr = spec.class_id, bytes(spec.instance), spec.member
    if kind == "never":
        dev.cancel(cls, inst, attr)
    elif kind == "now" or at <= ctx.now:
        dev.cancel(cls, inst, attr)
        activate(dev, cls, inst)
    elif not dev.hold(at, ctx, cls, inst, attr, Held(run_activation, (cls, inst))):
        return R_TEMPORARY_FAILURE
    return R_SUCCESS


def run_activation(dev, at, class_id, instance):
    """A held activation time falls due (the run of a future-dated item): copy, then the model's
    hook for the object (which may refuse by raising: the item then reports failure, 0x8F67)."""
    activate(dev, class_id, instance)
    hook = dev.model.hooks.get((class_id, bytes(instance)))
    if hook is not None:
        hook(dev, at)
    return True


def copies(dev, class_id, instance):
    """The (passive key, active key) pairs that activating this object copies."""
    instance = bytes(instance)
    out = []
    for c, pairs in ACTIVATION_COPIES:
        if c == class_id:
            for passive, active in pairs:
                out.append((key(class_id, instance, passive), key(class_id, instance, active)))
    for pair in dev.model.links.get((class_id, instance), ()):
        out.append(pair)
    return out


def view(dev, overlay=None):
    """``get(class_id, instance, attr)`` -> Data value or None, over the device's stored values with
    ``overlay`` (a dict of keys) first."""
    store = dev.store

    def get(class_id, instance, attr):
        k = key(class_id, instance, attr)
        if overlay:
            v = overlay.get(k)
            if v is not None:
                return v
        return store.get(k)

    return get


def after_request(dev, ctx, req, carriers):
    """What a request's activation times make active, before anything is stored: (now, every,
    moved) where ``now`` maps each active key to the value it takes when the request runs (the
    objects activating NOW or at a time already past), ``every`` the same as if every activation
    the request sets (but NEVER) ran now, and ``moved`` whether an object among ``carriers``
    ((class, instance) pairs) activates now. A passive value comes from the request, else from
    the store."""
    now = {}
    every = {}
    moved = False
    for i in range(len(req.specs)):
        spec = req.specs[i]
        if spec.kind != dlms.SET or not is_activation(spec.class_id, spec.member):
            continue
        try:
            kind, at = activation_time(req.data[i])
        except DecodeError:
            continue  # that specification answers type-unmatched
        if kind == "never":
            continue
        soon = kind == "now" or at <= ctx.now
        if soon and (spec.class_id, bytes(spec.instance)) in carriers:
            moved = True
        for passive, active in copies(dev, spec.class_id, spec.instance):
            v = None
            for j in range(len(req.specs)):
                s = req.specs[j]
                if s.kind == dlms.SET and key(s.class_id, s.instance, s.member) == passive:
                    v = req.data[j]
            if v is None:
                v = dev.store.get(passive)
            if v is None:
                continue
            every[active] = v
            if soon:
                now[active] = v
    return now, every, moved


def activate(dev, class_id, instance):
    """Copy an object's stored passive attributes to the active ones (the stored view of it;
    behaviour keeps its own passive copies and activation times)."""
    store = dev.store
    for passive, active in copies(dev, class_id, instance):
        v = store.get(passive)
        if v is not None:
            store.put(active, v)


# ---- get_protected_attributes ----------------------------------------------------------------


def protected_request(value):
    """(list of (class, instance, attr, selection)) from get_protected_attributes' parameter."""
    tag, members = value
    if tag != ax.T_STRUCTURE or len(members) != 2 or members[0][0] != ax.T_ARRAY:
        raise DecodeError("get_protected_attributes parameter is not structure {array, array}", 0)
    out = []
    for d in members[0][1]:
        if d[0] != ax.T_STRUCTURE or len(d[1]) < 3:
            raise DecodeError("object definition is not a structure", 0)
        f = d[1]
        selection = None
        if len(f) >= 5 and f[4][0] == ax.T_STRUCTURE and f[4][1] and f[4][1][0][1]:
            selection = (f[4][1][0][1], f[4][1][1])
        out.append((f[0][1], bytes(f[1][1]), f[2][1], selection))
    return out


def get_protected(dev, ctx, value):
    """Class 30 method 1: read the listed attributes, encrypt them for the command's originator."""
    try:
        wanted = protected_request(value)
    except (DecodeError, TypeError, IndexError, ValueError):
        return R_TYPE_UNMATCHED, NULL
    values = []
    for cls, inst, attr, selection in wanted:
        r, v = read(dev, cls, inst, attr, selection)
        if r != R_SUCCESS:
            return r, NULL
        values.append(v)
    plaintext = ax.encode((ax.T_STRUCTURE, values))
    return R_SUCCESS, protected_response(dev, ctx, plaintext)


def protected_response(dev, ctx, plaintext):
    """The structure {protection parameters, protected content} for a response to ctx.frame."""
    cmd = ctx.frame
    view = response_view(dev, ctx)
    k = dev.encryption_key(view, view.peer)
    content = protect.encrypt_content(dev.provider, k, dev.eui, plaintext)
    tid = dlms.transaction_id(cmd.counter)
    return dlms.protected_structure(tid, dev.eui, cmd.originator, content)


class _ResponseView:
    """Just the fields the mode-4 KDF reads, for the response that will carry the content, and the
    other party's KA key when the command brought it (an unknown remote party)."""

    __slots__ = (
        "originator",
        "recipient",
        "counter",
        "supp_originator_counter",
        "supp_remote_party_id",
        "peer",
    )

    def __init__(self, eui, cmd):
        self.originator = eui
        self.recipient = cmd.originator
        self.counter = cmd.counter
        self.supp_originator_counter = None
        self.supp_remote_party_id = cmd.supp_remote_party_id
        self.peer = None


def response_view(dev, ctx):
    """The KDF view of the response to ctx.frame. For an unknown remote party (via the ACB) its KA
    key comes in the command's certificate; a DLMS device's response then carries a supplementary
    originator counter of its own (RTDS ECS21b), a GBZ device's does not (RTDS GCS61). [I] The
    certificate's path to the root is not checked."""
    cmd = ctx.frame
    view = _ResponseView(dev.eui, cmd)
    if cmd.ka_certificate is not None:
        if dev.urp_counter:
            view.supp_originator_counter = dev.response_counter(ctx)
        view.peer = keys.public_point(cmd.ka_certificate)
    return view
