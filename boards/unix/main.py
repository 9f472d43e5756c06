"""The unix-port board: the same glue as the ESP32 and the Pico W, with a file-driven stand-in for
the hardware (smets_board.hal.FileHal).

    micropython boards/unix/main.py CONFIG [--status FILE] [--control DIR] [--quiet]

Run from the repository it finds the core (firmware/) and the glue (boards/common/) beside itself;
deployed (``smets-fleet board deploy --board unix``) both are in its lib/ folder. --status receives
{"supply": bool, "display": [lines]} after each change; a file press_ec or press_supply created in
--control is a button press. Exits 2 with one line on a bad config.
"""

import sys


def _setup_path():
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    for p in (here + "/lib", here + "/../common", here + "/../../firmware"):
        if p not in sys.path:
            sys.path.append(p)


def _args(argv):
    opts = {"config": None, "status": None, "control": None, "quiet": False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--status", "--control"):
            if i + 1 >= len(argv):
                raise ValueError("%s needs a value" % a)
            opts[a[2:]] = argv[i + 1]
            i += 2
            continue
        if a == "--quiet":
            opts["quiet"] = True
        elif opts["config"] is None and not a.startswith("-"):
            opts["config"] = a
        else:
            raise ValueError("unknown argument %s" % a)
        i += 1
    if opts["config"] is None:
        raise ValueError("usage: main.py CONFIG [--status FILE] [--control DIR] [--quiet]")
    return opts


def main(argv):
    _setup_path()
    from smets_board.hal import FileHal
    from smets_board.start import ConfigError, run

    try:
        opts = _args(argv)
    except ValueError as exc:
        print("error:", exc)
        return 2
    try:
        run(opts["config"], lambda cfg: FileHal(opts["status"], opts["control"], opts["quiet"]))
    except ConfigError as exc:
        print("error:", exc)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
