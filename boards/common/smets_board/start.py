"""Starting a board from its config file: read it, join Wi-Fi and set the clock where the board
has Wi-Fi, open the flash store and the MQTT client, and hand over to app.Board.

The board config (JSON)::

    {
      "wifi": {"ssid": "...", "password": "..."},          # boards with Wi-Fi only
      "ntp": "pool.ntp.org",                                 # optional: set the RTC from NTP
      "broker": {"host": "192.168.1.10", "port": 1883, "keepalive": 60, "user": null, "password": null},
      "fleet": "fleet",                                      # topic namespace (smets.topics)
      "client_id": "chf-bcfe0100000007",                     # optional, this is the default form
      "premises": {...} | "premises_path": "premises.json", # smets.build configuration
      "device": "esme",                                      # optional: one device, no premises
      "meter": "esme",                                       # optional: whose buttons / display
      "state_path": "state.json",                            # flash state (store.py)
      "pins": {...},                                         # hal.PinHal
      "tick_interval": 10, "save_interval": 300, "load_w": 0,  # load_w: a simulated load
      "firmware_image": "hex"                                # an OTA image the meter holds (CS06)
    }

``smets-fleet board config`` writes one with the premises of a host fleet's premises number, so
the host head end already knows its keys.
"""

import json
import time

from smets import topics
from smets.crypto.pure import PureCrypto
from smets_board.app import Board, RealClock, persist
from smets_board.mqtt import MQTTClient
from smets_board.store import Store


class ConfigError(ValueError):
    pass


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        raise ConfigError("cannot read %s" % path) from None
    except ValueError:
        raise ConfigError("%s is not valid JSON" % path) from None


def load_config(path):
    """(board config, premises config) from the board config file."""
    cfg = load_json(path)
    if not isinstance(cfg, dict):
        raise ConfigError("%s: the board config must be a JSON object" % path)
    pcfg = cfg.get("premises")
    if pcfg is None and cfg.get("premises_path"):
        pcfg = load_json(cfg["premises_path"])
    if not isinstance(pcfg, dict) or ("chf" not in pcfg and not cfg.get("device")):
        raise ConfigError('%s: no premises configuration ("premises" or "premises_path")' % path)
    return cfg, pcfg


def wifi_connect(cfg, log, timeout_s=30):
    """Join the configured Wi-Fi network (ESP32, Pico W). Returns the interface's IP address."""
    w = cfg.get("wifi")
    if not w:
        return None
    import network

    sta = network.WLAN(network.STA_IF)
    sta.active(True)
    if not sta.isconnected():
        log("wifi: joining %s" % w["ssid"])
        sta.connect(w["ssid"], w.get("password", ""))
        t0 = time.time()
        while not sta.isconnected():
            if time.time() - t0 > timeout_s:
                raise OSError("wifi: could not join %s" % w["ssid"])
            time.sleep(1)
    ip = sta.ifconfig()[0]
    log("wifi: connected, %s" % ip)
    return ip


def set_clock(cfg, log):
    """Set the RTC from NTP when the config names a server (the core needs true UTC time)."""
    host = cfg.get("ntp")
    if not host:
        return
    try:
        import ntptime

        ntptime.host = host
        ntptime.settime()
        log("ntp: clock set from %s" % host)
    except (ImportError, OSError) as exc:
        log("ntp: %s" % exc)


def make_board(cfg, pcfg, hal, clock=None, link=None):
    store = Store(
        cfg.get("state_path", "state.json"),
        cfg.get("store_write_delay_ms", 0),  # a test hook: slow writes, to cut power in the middle
        hal.log,
        persist.write_json if persist is not None else None,
        persist.from_json if persist is not None else None,
    )
    board = Board(cfg, pcfg, hal, store, clock or RealClock(), PureCrypto(), None)
    if link is None:
        b = cfg.get("broker") or {}
        link = MQTTClient(
            cfg.get("client_id") or "chf-" + topics.eui_hex(board.premises.chf.eui),
            b.get("host", "127.0.0.1"),
            b.get("port", 1883),
            b.get("keepalive", 60),
            False,  # persistent session: commands sent while the board restarts wait at the broker
            b.get("user"),
            b.get("password"),
        )
    board.link = link
    link.on_message = board.on_message
    return board


def run(path, make_hal):
    """Read the config, build the hardware with make_hal(cfg), join the network, run forever."""
    cfg, pcfg = load_config(path)
    hal = make_hal(cfg)
    wifi_connect(cfg, hal.log)
    set_clock(cfg, hal.log)
    board = make_board(cfg, pcfg, hal)
    cfg = pcfg = None
    hal.log("board: topics %s / %s" % (board.down, board.up))
    board.run(board.cfg.get("poll_ms", 200))


def run_pin_board(path="board.json"):
    """main.py of a board with GPIO pins (ESP32, Pico W): run; a config error stays at the REPL
    (a reset would not fix it); any other error is printed and the board resets after 10 s, carrying
    on from the state in flash."""
    import sys

    import machine

    from smets_board.hal import PinHal

    try:
        run(path, lambda cfg: PinHal(cfg.get("pins") or {}))
    except ConfigError as exc:
        print("config:", exc)
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        sys.print_exception(exc)
        time.sleep(10)
        machine.reset()
