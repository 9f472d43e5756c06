"""The README's first command, as the README writes it: `smets-fleet run` with no arguments starts
a fleet on the in-process transport (no broker) and ends with its summary."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_run_command():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)\n```", section, re.S).group(1)
    install, run = [part.strip() for part in block.split("&&")]
    assert install == "pip install -e ."
    return run.split()


def test_the_readme_run_command_starts_a_fleet_without_a_broker(tmp_path):
    cmd = readme_run_command()
    assert cmd == ["smets-fleet", "run"]
    exe = shutil.which("smets-fleet") or str(Path(sys.executable).with_name("smets-fleet"))
    p = subprocess.run([exe, *cmd[1:], "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    # the README's "100 premises", each a CHF, GPF, ESME and GSME
    assert "run done: 100 premises, 400 devices" in p.stdout
    assert re.search(r"\(1\.00 days\)", p.stdout)
    assert "errors 0" in p.stdout and "Traceback" not in p.stderr
