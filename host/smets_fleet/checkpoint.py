"""Fleet checkpoints on disk: one folder per run.

    DIR/run.json         what the run is (premises range, fleet configuration, shard, workers,
                         start and end of simulated time, speed); written when the run starts
    DIR/worker-<k>.pkl   the state of worker k's premises (smets_fleet.fleet.Fleet.state), pickled

Every file is written atomically: a temporary file in the same folder, flushed and fsynced, then
renamed over the old one (and the folder fsynced), so a checkpoint that exists is complete and a
crash while writing leaves the previous one. Pickle is the host's format (fast, and the state holds
bytes); only load checkpoints you wrote yourself.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

from smets_fleet.atomic import write_atomic

RUN_FILE = "run.json"
RUN_FORMAT = 1


class CheckpointError(Exception):
    """A checkpoint folder cannot be used (the message says why, in one line)."""


def worker_file(folder: Path, worker: int) -> Path:
    return folder / ("worker-%d.pkl" % worker)


def save_worker(folder: Path, worker: int, state: dict[str, Any]) -> None:
    write_atomic(
        worker_file(folder, worker), lambda f: pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    )


def load_worker(folder: Path, worker: int) -> dict[str, Any] | None:
    """Worker k's state, or None when it has written none yet (it then starts afresh)."""
    path = worker_file(folder, worker)
    if not path.exists():
        return None
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        raise CheckpointError("cannot read %s: %s" % (path, exc)) from None
    if not isinstance(state, dict):
        raise CheckpointError("%s is not a fleet checkpoint" % path)
    return state


def save_run(folder: Path, run: dict[str, Any]) -> None:
    data = json.dumps(dict(run, format=RUN_FORMAT), indent=1, sort_keys=True).encode()
    write_atomic(folder / RUN_FILE, lambda f: f.write(data))


def load_run(folder: Path) -> dict[str, Any]:
    path = folder / RUN_FILE
    if not folder.is_dir():
        raise CheckpointError("%s is not a folder" % folder)
    try:
        run = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError("%s holds no checkpoint (no %s)" % (folder, RUN_FILE)) from None
    except (OSError, ValueError) as exc:
        raise CheckpointError("cannot read %s: %s" % (path, exc)) from None
    if not isinstance(run, dict) or run.get("format") != RUN_FORMAT:
        raise CheckpointError("%s is not a fleet checkpoint of format %d" % (path, RUN_FORMAT))
    return run
