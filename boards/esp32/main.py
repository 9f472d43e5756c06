"""ESP32 board: the smets device core as a meter on a desk.

Reads board.json (``smets-fleet board config``), joins Wi-Fi, sets the clock from NTP, connects to
the broker and runs the premises (smets_board.start). The relay is a GPIO (the dev board's LED), the
EC and supply buttons are GPIO inputs with pull-ups, an SSD1306 on I2C is the meter's display; pins
are in board.json's "pins". On an unexpected error the board logs it and resets after 10 s; its state
is in flash, so it carries on where it was (smets_board.start.run_pin_board).
"""

from smets_board.start import run_pin_board

run_pin_board("board.json")
