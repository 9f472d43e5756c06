"""A minimal SSD1306 OLED driver over machine.I2C (128x64 or 128x32), on framebuf.

Only what the meter display needs: init, clear, text lines, show. Written for this project from
the SSD1306 datasheet's command set (charge pump on, horizontal addressing, full-window writes).
"""

import framebuf

# Datasheet commands, sent after a 0x00 control byte.
_INIT = (
    0xAE,  # display off
    0x20, 0x00,  # horizontal addressing mode
    0x40,  # start line 0
    0xA1,  # segment remap (column 127 is SEG0)
    0xC8,  # COM scan direction remapped
    0xD5, 0x80,  # clock divide / oscillator
    0xD9, 0xF1,  # pre-charge period
    0xDB, 0x30,  # VCOMH deselect level
    0x81, 0xFF,  # contrast
    0xA4,  # display follows RAM
    0xA6,  # normal (not inverted)
    0x8D, 0x14,  # charge pump on
)  # fmt: skip


class SSD1306:
    LINE_HEIGHT = 8  # framebuf's built-in font is 8x8

    def __init__(self, i2c, width=128, height=64, addr=0x3C):
        self.i2c = i2c
        self.addr = addr
        self.width = width
        self.height = height
        self.pages = height // 8
        self.buf = bytearray(self.pages * width)
        self.fb = framebuf.FrameBuffer(self.buf, width, height, framebuf.MONO_VLSB)
        self._cmd = bytearray(2)
        for c in _INIT:
            self.command(c)
        self.command(0xA8)  # multiplex ratio
        self.command(height - 1)
        self.command(0xDA)  # COM pins configuration
        self.command(0x12 if height == 64 else 0x02)
        self.fill(0)
        self.show()
        self.command(0xAF)  # display on

    def command(self, c):
        self._cmd[0] = 0x00
        self._cmd[1] = c
        self.i2c.writeto(self.addr, self._cmd)

    def fill(self, colour):
        self.fb.fill(colour)

    def text(self, s, x, y, colour=1):
        self.fb.text(s, x, y, colour)

    def show(self):
        for c in (0x21, 0, self.width - 1, 0x22, 0, self.pages - 1):  # column and page window
            self.command(c)
        # One write: the 0x40 data control byte, then the whole frame buffer.
        self.i2c.writevto(self.addr, (b"\x40", self.buf))

    def lines(self, rows):
        """Clear and draw up to height/8 lines of text (16 characters each on 128 px)."""
        self.fill(0)
        for i, row in enumerate(rows[: self.height // self.LINE_HEIGHT]):
            self.text(row[: self.width // 8], 0, i * self.LINE_HEIGHT)
        self.show()
