"""The MQTT topic layout, shared by the host fleet, the head end and the boards.

Each premises is one MQTT client: its Comms Hub. Payloads are raw GBCS frames (bytes, no wrapper).

    smets/<fleet>/<chf-eui>/down   head end -> CHF: commands for any device of the premises (QoS 1);
                                   the CHF routes them by the frame's recipient EUI
    smets/<fleet>/<chf-eui>/up     CHF -> head end: responses and alerts from any device (QoS 1)

<chf-eui> is the CHF's EUI-64 in 16 lower-case hex digits; <fleet> names one fleet on a shared
broker (default "fleet"). The head end subscribes to ``smets/<fleet>/+/up``.
"""

PREFIX = "smets"
DEFAULT_FLEET = "fleet"
QOS = 1


def eui_hex(eui):
    return "".join("%02x" % b for b in eui)


def down(chf_eui, fleet=DEFAULT_FLEET):
    return "%s/%s/%s/down" % (PREFIX, fleet, eui_hex(chf_eui))


def up(chf_eui, fleet=DEFAULT_FLEET):
    return "%s/%s/%s/up" % (PREFIX, fleet, eui_hex(chf_eui))


def up_wildcard(fleet=DEFAULT_FLEET):
    return "%s/%s/+/up" % (PREFIX, fleet)


def chf_of(topic):
    """The CHF EUI (bytes) a topic names, or None when the topic is not one of ours."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != PREFIX or parts[3] not in ("up", "down") or len(parts[2]) != 16:
        return None
    try:
        return bytes.fromhex(parts[2])
    except ValueError:
        return None
