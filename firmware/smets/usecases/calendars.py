"""GSME calendars and price as ZSE publishes them: kept as sent, read back (GCS21f tariff data,
GCS21b prepayment configuration).

The Calendar cluster commands a supplier sends (Publish Calendar, Day Profile, Week Profile, Seasons,
Special Days: GCS01a tariff calendar, GCS05 friendly credit calendar) are kept as sent once they take
effect (usecases.zse_tariff: at once, or at their start time), one item per (calendar type, issuer
calendar ID, command, day / week ID or command index), and the Get commands answer them back: one
Publish component per item, each echoing the request's sequence number, NOT_FOUND when there is none.
Week profiles and seasons carry no calendar type: the use case that sends them tells it (GCS05 the
friendly credit calendar), else they belong to the type of the calendar with the same issuer calendar
ID (RTDS uses one ID for both types). A Publish Calendar taking effect replaces the calendar of its
type: the items kept of that type (and untyped ones of its ID) go; its profiles follow it, as GBCS
orders the components. An issuer calendar ID of 0xFFFFFFFF / 0xFFFFFFFE names the calendar in force
of a type (``zcl_names.CALENDAR_CURRENT_IDS``): here, the last one kept of that type [I].

Get Current Price answers the Publish Price the device holds, with the current time its own.
"""

from smets.usecases import zse
from smets.wire import zcl_names as zn

CALENDAR = 0x0707
PRICE = 0x0700
# Publish command ID (server to client) -> (name, the field that tells items of one calendar apart)
PUBLISHED = (
    (0x00, "Publish Calendar", None),
    (0x01, "Publish Day Profile", "day_id"),
    (0x02, "Publish Week Profile", "week_id"),
    (0x03, "Publish Seasons", "command_index"),
    (0x04, "Publish Special Days", "command_index"),
)
# Get command ID (client to server) -> (the Publish command it answers, first-ID field, count field)
GETS = (
    (0x01, 0x01, "start_day_id", "number_of_days"),
    (0x02, 0x02, "start_week_id", "number_of_weeks"),
    (0x03, 0x03, None, None),
    (0x04, 0x04, None, "number_of_events"),
)
CALENDAR_ITEMS = 48  # [I] bound on the items kept (the ESME-sized 16 day and 4 week profiles fit)
PUBLISH_PRICE = 0x00
GET_CURRENT_PRICE = 0x00


def _published(command_id):
    for row in PUBLISHED:
        if row[0] == command_id:
            return row
    return None


PUBLISH_CALENDAR = 0x00


def _type_of(items, calendar_id):
    for item in items:
        if item[1] == calendar_id and item[0] is not None:
            return item[0]
    return None


def keep_in(items, kind, command_id, fields):
    """Keep one published calendar item (a ZclCommand's fields) in ``items`` (a device's
    ``calendars``, or a copy of them); ``kind`` the calendar type when the sender tells it, else
    None. Returns the item's calendar type (None when unknown), or -1 when the store is full."""
    row = _published(command_id)
    cmd = dict((k, v) for k, v in fields)
    calendar_id = cmd.get("issuer_calendar_id")
    key = cmd.get(row[2]) if row[2] is not None else 0
    if kind is None:
        kind = cmd.get("calendar_type")
    if kind is None:
        kind = _type_of(items, calendar_id)
    item = [kind, calendar_id, command_id, key, [list(f) for f in fields]]
    if command_id == PUBLISH_CALENDAR and kind is not None:
        for i in range(len(items) - 1, -1, -1):  # the calendar it replaces
            old = items[i]
            if old[0] == kind or (old[0] is None and old[1] == calendar_id):
                del items[i]
    for i in range(len(items)):
        old = items[i]
        if (
            old[1] == calendar_id
            and old[2] == command_id
            and old[3] == key
            and (old[0] == kind or old[0] is None or kind is None)
        ):
            items[i] = item
            return kind
    if len(items) >= CALENDAR_ITEMS:
        return -1
    items.append(item)
    if kind is not None:
        for old in items:  # items sent before the one that told the type
            if old[1] == calendar_id and old[0] is None:
                old[0] = kind
    return kind


def keep(dev, command_id, fields):
    """Keep one published calendar item on a device; False when the store is full."""
    return keep_in(dev.calendars, None, command_id, fields) != -1


def _calendar_id(dev, wanted):
    """(issuer calendar ID, calendar type or None) of the calendar an ID names."""
    kind = zn.current_calendar_type(wanted)
    if kind is None:
        return wanted, None
    found = None
    for item in dev.calendars:
        if item[0] == kind:
            found = item[1]
    return found, kind


def get_items(dev, ctx, comp, cmd):
    """Get Day Profiles / Week Profiles / Seasons / Special Days: the items kept, by ID."""
    for get_id, publish_id, first_field, count_field in GETS:
        if get_id != comp.command_id:
            continue
        calendar_id, kind = _calendar_id(dev, cmd.get("issuer_calendar_id"))
        first = cmd.get(first_field) if first_field is not None else 0
        count = cmd.get(count_field) if count_field is not None else 0
        items = [
            i
            for i in dev.calendars
            if i[1] == calendar_id and i[2] == publish_id and i[3] >= first and (kind is None or i[0] == kind)
        ]
        items.sort(key=lambda i: i[3])
        if count:
            items = items[:count]
        if not items:
            return zse.S_NOT_FOUND
        name = _published(publish_id)[1]
        return [zse.publish(comp, CALENDAR, publish_id, name, [list(f) for f in i[4]]) for i in items]
    return zse.S_INVALID_FIELD


def _loader(command_id):
    def load(dev, cmd):
        keep(dev, command_id, cmd.fields)

    return load


def get_current_price(dev, ctx, comp, cmd):
    """Get Current Price: the Publish Price held, its current time the device's now."""
    if dev.price is None:
        return zse.S_NOT_FOUND
    fields = [[k, ctx.now if k == "current_time" else v] for k, v in dev.price]
    return zse.publish(comp, PRICE, PUBLISH_PRICE, "Publish Price", fields)


def _load_price(dev, cmd):
    dev.price = [list(f) for f in cmd.fields]


def bind(model):
    """The reads and the priming loaders; the Publish commands themselves are usecases.zse_tariff's."""
    for command_id, _name, _key in PUBLISHED:
        model.response_loader(CALENDAR, command_id, _loader(command_id))
    for get_id, _p, _f, _c in GETS:
        model.command(CALENDAR, False, get_id, get_items)
    model.command(PRICE, False, GET_CURRENT_PRICE, get_current_price)
    model.response_loader(PRICE, PUBLISH_PRICE, _load_price)
