"""Running a GBZ request against a GSME or GPF: one response component per request component.

* Read Attributes (ZCL general command 0x00) answers Read Attributes Response (0x01) with a record
  per attribute: bound to behaviour state (``ZseModel``), else kept in the device's attribute store,
  else UNSUPPORTED_ATTRIBUTE (0x86). Sensitive clusters of a use case leave encrypted (GBCS mode 4,
  the same key and content format as DLMS protected data); the additional header frame counter of
  each encrypted component counts the encrypted ones before it (0, 1, 2... as RTDS GCS15b shows).
* A cluster command runs its handler (``ZseModel.commands``), which answers a status for a Default
  Response (0x0B), a whole response component (Consumer Top Up Response...) or a list of them (one
  Publish Day Profile per day profile asked for, each echoing the request's sequence number).
* NOT_FOUND is an answer, not a failure: the components after it still run (RTDS GCS15b/GCS16a).
* Errors as RTDS shows them: an injected hardware fault (``fault_key``) answers HARDWARE_FAILURE
  (0xC0) in that record or Default Response; the components after it are not run and each answers a
  Default Response for command 0xFF with FAILURE (0x01).
* A response's direction is the opposite of the request's (frame control bit 3); its sequence number
  echoes the request's; the last response component carries the "last" control bit.
* Future-dated cluster commands (implementation time in the future) are held by the device and
  report 0x8F66 with the cluster, frame control and command ID (FDEIA-GBZ, message code 0x00CD);
  what a held command does when it falls due is the model's runner for it, if any
  (``ZseModel.runner``: the GSME's tariff and friendly credit calendar, usecases.zse_tariff).
"""

from smets.behaviour.errors import BehaviourError
from smets.compat import const
from smets.security import protect
from smets.wire import gbz
from smets.wire.errors import DecodeError, EncodeError

S_SUCCESS = const(0x00)
S_FAILURE = const(0x01)
S_INVALID_FIELD = const(0x85)
S_UNSUPPORTED_ATTRIBUTE = const(0x86)
S_INVALID_VALUE = const(0x87)
S_NOT_FOUND = const(0x8B)
S_HARDWARE_FAILURE = const(0xC0)

READ_ATTRIBUTES = const(0x00)
READ_ATTRIBUTES_RESPONSE = const(0x01)
DEFAULT_RESPONSE = const(0x0B)

FC_S2C = const(0x08)
FC_DISABLE_DEFAULT_RESPONSE = const(0x10)

STORE_LIMIT = const(256)
ZCL_NOW = const(0)
ZCL_NEVER = const(0xFFFFFFFF)


def fault_key(comp, attr_id=None):
    """Injected-fault key: ("attr", cluster, attribute) for one attribute of a read, else
    ("zcl", cluster, command ID, sequence number) for one request component."""
    if attr_id is not None:
        return ("attr", comp.cluster_id, attr_id)
    return ("zcl", comp.cluster_id, comp.command_id, comp.sequence)


class ZseModel:
    """attributes: (cluster, attribute) -> (getter(dev) -> (type, value) or None, loader(dev, value));
    commands: (cluster, direction bit, command ID) -> handler(dev, ctx, comp, zcl_command), which
    returns a ZCL status (Default Response) or a response Component; response_loaders: (cluster,
    response command ID) -> fn(dev, zcl_command) setting the state a response reports (priming);
    runners: (cluster, direction bit, command ID) -> make(dev, ctx, comp, zcl_command), giving the
    ``registry.Held`` a future-dated command runs when it falls due (None: it only reports)."""

    __slots__ = ("attributes", "commands", "response_loaders", "fault_aware", "runners")

    def __init__(self):
        self.attributes = {}
        self.commands = {}
        self.response_loaders = {}
        self.fault_aware = []
        self.runners = {}

    def attribute(self, cluster, attr_id, getter, loader=None):
        self.attributes[(cluster, attr_id)] = (getter, loader)

    def command(self, cluster, s2c, command_id, handler, faults=False):
        """faults: the handler answers an injected fault itself (its own failure response)."""
        k = (cluster, 1 if s2c else 0, command_id)
        self.commands[k] = handler
        if faults:
            self.fault_aware.append(k)

    def response_loader(self, cluster, command_id, fn):
        self.response_loaders[(cluster, command_id)] = fn

    def runner(self, cluster, s2c, command_id, make):
        self.runners[(cluster, 1 if s2c else 0, command_id)] = make


def read(dev, cluster, attr_id):
    """(type, value) of an attribute, or None when the device does not have it."""
    b = dev.zmodel.attributes.get((cluster, attr_id))
    if b is not None:
        return b[0](dev)
    return dev.zstore.get((cluster, attr_id))


def load(dev, cluster, attr_id, type_id, value):
    """Set an attribute as the device's own state (priming, restoring, mirroring)."""
    b = dev.zmodel.attributes.get((cluster, attr_id))
    if b is not None and b[1] is not None:
        b[1](dev, value)
    dev.zstore.put((cluster, attr_id), (type_id, value))


def load_response(dev, cluster, command_id, cmd):
    fn = dev.zmodel.response_loaders.get((cluster, command_id))
    if fn is None:
        return False
    fn(dev, cmd)
    return True


def response_fc(req_fc, cluster_specific):
    return (req_fc & FC_S2C) ^ FC_S2C | (0x01 if cluster_specific else 0)


def publish(req, cluster, command_id, name, fields, no_default_response=True):
    """A cluster-specific response component to ``req`` (direction reversed, its sequence number)
    carrying the ZCL command ``name``; most publish-style answers also disable the Default Response."""
    fc = response_fc(req.frame_control, True)
    if no_default_response:
        fc |= FC_DISABLE_DEFAULT_RESPONSE
    out = gbz.Component(cluster, command_id, b"", fc, req.sequence)
    out.set_command(gbz.ZclCommand(name, fields))
    return out


def default_response(req, status, command_id=None):
    comp = gbz.Component(
        req.cluster_id, DEFAULT_RESPONSE, b"", response_fc(req.frame_control, False), req.sequence
    )
    comp.payload = bytes((req.command_id if command_id is None else command_id, status))
    return comp


def _read_attributes(dev, ctx, comp, cmd, read_fc):
    records = []
    failed = False
    for attr_id in cmd.get("attributes", []):
        if dev.is_faulty(fault_key(comp, attr_id)):
            records.append(gbz.Attribute(attr_id, S_HARDWARE_FAILURE))
            failed = True
            continue
        v = read(dev, comp.cluster_id, attr_id)
        if v is None:
            records.append(gbz.Attribute(attr_id, S_UNSUPPORTED_ATTRIBUTE))
        else:
            records.append(gbz.Attribute(attr_id, S_SUCCESS, v[0], v[1]))
    out = gbz.Component(comp.cluster_id, READ_ATTRIBUTES_RESPONSE, b"", read_fc, comp.sequence)
    out.set_command(gbz.ZclCommand("Read Attributes Response", [["records", records]]))
    return out, failed


TIME_FIELDS = ("implementation_date_time", "start_time")
# Frame-control bits a use case's 0x8F66 alerts leave out. RTDS 4.5.0 reports GCS05's (friendly
# credit) calendar commands, sent server-to-client (0x09), as 0x01; GCS01a's tariff calendar keeps
# 0x09.
ALERT_FC_CLEAR = {"GCS05": FC_S2C}


def item_time(comp, cmd):
    """A cluster command's implementation (or start) time as sent, or None when it has none."""
    when = None
    if cmd is not None:
        for name in TIME_FIELDS:
            when = cmd.get(name)
            if when is not None:
                break
    if when is None:
        when = comp.from_date_time
    return when


def is_never(when):
    return when >= 0xFFFFFFFE


def schedule(dev, ctx, comp, cmd):
    """Hold a cluster command whose implementation (or start) time is in the future, so that it
    reports 0x8F66 (and does what the model's runner for it says) when it runs; 0xFFFFFFFE /
    0xFFFFFFFF (never) cancels what was held."""
    when = item_time(comp, cmd)
    if when is None:
        return True
    fc = bytes((comp.frame_control & ~ALERT_FC_CLEAR.get(ctx.usecase.name, 0) & 0xFF,))
    if is_never(when) or when == ZCL_NOW or when <= ctx.now:
        dev.cancel(comp.cluster_id, fc, comp.command_id)
        return True
    make = dev.zmodel.runners.get((comp.cluster_id, 1 if comp.frame_control & FC_S2C else 0, comp.command_id))
    run = make(dev, ctx, comp, cmd) if make is not None else None
    return dev.hold(when, ctx, comp.cluster_id, fc, comp.command_id, run)


def run_component(dev, ctx, comp, read_fc):
    """(response component, failed) for one request component."""
    r, failed = _run_component(dev, ctx, comp, read_fc)
    if not failed and comp.is_cluster_specific():
        try:
            cmd = comp.command()
        except DecodeError:
            cmd = None
        if not schedule(dev, ctx, comp, cmd):
            return default_response(comp, S_FAILURE), True
    return r, failed


def _run_component(dev, ctx, comp, read_fc):
    if comp.is_encrypted():
        return default_response(comp, S_FAILURE), True
    try:
        cmd = comp.command()
    except DecodeError:
        return default_response(comp, S_INVALID_FIELD), True
    if not comp.is_cluster_specific():
        if comp.command_id == READ_ATTRIBUTES and cmd is not None:
            return _read_attributes(dev, ctx, comp, cmd, read_fc)
        return default_response(comp, S_FAILURE), True
    k = (comp.cluster_id, 1 if comp.frame_control & FC_S2C else 0, comp.command_id)
    if dev.is_faulty(fault_key(comp)) and k not in dev.zmodel.fault_aware:
        return default_response(comp, S_HARDWARE_FAILURE), True
    handler = dev.zmodel.commands.get(k)
    if handler is None:
        return default_response(comp, S_SUCCESS), False  # kept, as a DLMS set is (store-only)
    try:
        r = handler(dev, ctx, comp, cmd)
    except (BehaviourError, ValueError, TypeError, KeyError, IndexError):
        return default_response(comp, S_FAILURE), True
    if isinstance(r, int):
        return default_response(comp, r), r not in (S_SUCCESS, S_NOT_FOUND)
    return r, False


def run(dev, ctx, req, encrypted=(), read_fc=FC_S2C):
    """The response Gbz for a request Gbz."""
    out = []
    stopped = False
    sealed = 0  # encrypted components so far: each one's additional header frame counter
    for comp in req.components:
        if stopped:
            out.append(default_response(comp, S_FAILURE, 0xFF))
            continue
        r, failed = run_component(dev, ctx, comp, read_fc)
        if failed:
            stopped = True
        for c in r if isinstance(r, list) else (r,):
            if c.cluster_id in encrypted and not _is_default_response(c):
                _encrypt(dev, ctx, c, sealed)
                sealed += 1
            out.append(c)
    for r in out:
        r.control &= ~gbz.CTRL_LAST & 0xFF
    if out:
        out[-1].control |= gbz.CTRL_LAST
    return gbz.Gbz(out)


def _is_default_response(comp):
    return comp.command_id == DEFAULT_RESPONSE and not comp.is_cluster_specific()


def _encrypt(dev, ctx, comp, frame_counter):
    from smets.usecases.cosem import response_view

    view = response_view(dev, ctx)
    key = dev.encryption_key(view, view.peer)
    comp.control |= gbz.CTRL_ENCRYPTED
    comp.set_protected(protect.encrypt_content(dev.provider, key, dev.eui, comp.payload), 0, frame_counter)


def gbz_use_case(encrypted=(), read_fc=FC_S2C, stamped=False):
    """A handler running every component of the request (see the module docstring). `stamped`: the
    response's date-time is that of the data read (``device.data_stamp``)."""

    def handler(dev, ctx):
        try:
            req = gbz.parse_payload(ctx.frame.payload, alert=False)
        except DecodeError:
            req = None
        if req is None or not req.components:
            dev.integrity_failure(ctx)
            return None
        ctx.request = req
        if stamped and dev.data_stamp is not None:
            # A dated read carries the time (and clock status) of the data it returns: the GPF's
            # mirror update, or the GSME's own reading.
            t, status = dev.data_stamp
            ctx.date_time = dev.wire_time(t)[:11] + bytes((status,))
        try:
            return gbz.build_payload(run(dev, ctx, req, encrypted, read_fc))
        except EncodeError:
            dev.integrity_failure(ctx)
            return None

    return handler


def zcl_time(value, now):
    """Behaviour time of a ZCL implementation/start time: 0 is now, 0xFFFFFFFF never."""
    if value == ZCL_NOW:
        return now
    return value
