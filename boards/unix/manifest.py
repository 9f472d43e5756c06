# Freezes the smets device core and the board glue into a MicroPython firmware build for unix, so
# their bytecode and constant tables stay in flash instead of RAM. From a MicroPython checkout:
#   make -C ports/unix FROZEN_MANIFEST=/path/to/smets-emulator/boards/unix/manifest.py
# Relative paths are relative to this file. main.py and board.json stay on the board's filesystem
# (`smets-fleet board deploy` copies them), so the config changes without reflashing.
include("$(PORT_DIR)/variants/manifest.py")
package("smets", base_path="../../firmware", opt=2)
package("smets_board", base_path="../common", opt=2)
