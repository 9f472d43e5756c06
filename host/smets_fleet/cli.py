"""The `smets-fleet` command: decode frames, replay RTDS, run a fleet."""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """SMETS2 device emulator tools."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
