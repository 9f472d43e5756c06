"""The `smets-fleet` command: decode frames, replay RTDS, run a fleet.

Bad arguments or unreadable files give one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import binascii
import json
import sys

import click

EXIT_UNREADABLE = 2


def fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    click.echo(f"smets-fleet: {message}", err=True)
    sys.exit(code)


def parse_eui(text: str, what: str) -> bytes:
    cleaned = text.replace("-", "").replace(":", "").replace(" ", "")
    try:
        value = binascii.unhexlify(cleaned)
    except (binascii.Error, ValueError):
        value = b""
    if len(value) != 8:
        fail(f"{what} must be an EUI-64 of 16 hex digits, got {text!r}")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """SMETS2 device emulator tools."""


@cli.command()
@click.argument("frame")
@click.option("--keystore", "keystore_dir", metavar="DIR", help="Keystore folder (<eui>-ds|ka.pem/.key).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--acb", default="90B3D51F30000002", show_default=True, help="EUI of the ACB that MACs commands."
)
def decode(frame: str, keystore_dir: str | None, as_json: bool, acb: str) -> None:
    """Parse one GBCS FRAME (a hex file or a hex string) and verify its MAC and signature.

    Exit status: 0 when everything present verified, 1 when something did not, 2 for unreadable input.
    """
    from smets.wire.errors import DecodeError
    from smets_fleet.decode import InputError, describe, exit_status, format_text, read_frame_argument

    try:
        data = read_frame_argument(frame)
    except (InputError, OSError) as exc:
        fail(str(exc))
    keyring = None
    provider = None
    if keystore_dir:
        from smets_fleet.crypto_host import HostCrypto
        from smets_fleet.keystore import KeystoreError, load_keystore

        try:
            keyring = load_keystore(keystore_dir)
        except (KeystoreError, OSError) as exc:
            fail(str(exc))
        provider = HostCrypto()
    try:
        out = describe(data, keyring, provider, parse_eui(acb, "--acb"))
    except DecodeError as exc:
        fail(f"not a GBCS frame: {exc}")
    if as_json:
        click.echo(json.dumps(out))
    else:
        click.echo(format_text(out))
    sys.exit(exit_status(out))


@cli.command()
@click.argument("vectors_dir", metavar="VECTORS_DIR")
@click.option(
    "--out", "out_dir", metavar="OUT_DIR", required=True, help="Folder for responses, alerts, keys."
)
@click.option(
    "--keystore",
    "keystore_dir",
    metavar="DIR",
    help="RTDS keystore (default: VECTORS_DIR/keystore or VECTORS_DIR/../keystore).",
)
@click.option("--only", metavar="GLOB", help="Replay only command files matching GLOB (path or name).")
def rtds(vectors_dir: str, out_dir: str, keystore_dir: str | None, only: str | None) -> None:
    """Replay every RTDS *_COMMAND_GBCS.HEX under VECTORS_DIR against emulated devices.

    Devices carry the RTDS EUIs. They compute key agreement from the remote party's private key
    (RTDS publishes no device private keys; ECDH is symmetric) and sign with DS keys of their own,
    whose public keys are written to OUT_DIR/keystore/. Responses and alerts are written beside the
    RTDS layout in OUT_DIR, with OUT_DIR/summary.json. Exit status 1 when a SUCCESS variant of an
    implemented use case was not accepted or did not match, 2 for unreadable input.
    """
    from pathlib import Path

    from smets_fleet import rtds as replay
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.keystore import KeystoreError, load_keystore

    vectors = Path(vectors_dir)
    if not vectors.is_dir():
        fail(f"{vectors_dir} is not a folder")
    if keystore_dir is None:
        for candidate in (vectors / "keystore", vectors.parent / "keystore"):
            if candidate.is_dir():
                keystore_dir = str(candidate)
                break
    if keystore_dir is None:
        fail("no keystore found: give --keystore DIR")
        return
    try:
        ring = load_keystore(keystore_dir)
    except (KeystoreError, OSError) as exc:
        fail(str(exc))
    try:
        summary = replay.run(vectors, Path(out_dir), ring, HostCrypto(), only)
    except OSError as exc:
        fail(str(exc))
    failed = summary["failed_success_variants"]
    click.echo(
        f"{summary['commands']} command files, {summary['implemented']} of implemented use cases, "
        f"{summary['passed']} passed; {len(failed)} SUCCESS variants failed"
    )
    for name in failed:
        click.echo(f"  FAILED {name}")
    sys.exit(1 if failed else 0)


def _add_board_commands() -> None:
    from smets_fleet.board import board

    cli.add_command(board)


_add_board_commands()


def _add_head_end_commands() -> None:
    from smets_fleet.send import keystore, send

    cli.add_command(send)
    cli.add_command(keystore)


_add_head_end_commands()


def _add_run_command() -> None:
    from smets_fleet.runcli import run

    cli.add_command(run)


_add_run_command()


def _add_soak_command() -> None:
    from smets_fleet.soakcli import soak

    cli.add_command(soak)


_add_soak_command()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
