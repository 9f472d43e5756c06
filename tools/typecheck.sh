#!/bin/sh
# Type-check the two homes separately: firmware/ against the MicroPython stubs (so an import a
# board lacks is an error), host/ against CPython's normal standard library.
set -eu
envdir="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
typings="$envdir/mpy-typings"
if [ ! -d "$typings/stdlib" ]; then
  python -m pip install -q --no-deps --target "$typings" \
    "micropython-esp32-stubs==1.29.0.post1" "micropython-stdlib-stubs==1.29.0.post2"
fi
cd "$here"
echo "== firmware/ against MicroPython stubs"
MYPYPATH="$typings:$here/firmware" python -m mypy --custom-typeshed-dir "$typings" --no-site-packages \
  --python-version 3.11 --follow-imports=silent --exclude '/_mpy_shed/' --config-file tools/mypy-firmware.ini \
  -p smets
echo "== host/ against CPython"
MYPYPATH="$here/firmware:$here/host" python -m mypy --python-version 3.11 --config-file tools/mypy-host.ini \
  -p smets_fleet
