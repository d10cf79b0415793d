"""The figures as a PNG bar chart, drawn in pure Python (zlib): no plotting library to install
or keep up to date for one small picture. Small counts are written "<5" and get no bar."""

from __future__ import annotations

import struct
import zlib

from bot.figures_report import SMALL, shown

# A 3x5 pixel font for what the chart writes (upper case, digits, _ - < : . /), drawn 2x.
GLYPHS = {
    "A": ".#.|#.#|###|#.#|#.#", "B": "##.|#.#|##.|#.#|##.", "C": ".##|#..|#..|#..|.##",
    "D": "##.|#.#|#.#|#.#|##.", "E": "###|#..|##.|#..|###", "F": "###|#..|##.|#..|#..",
    "G": ".##|#..|#.#|#.#|.##", "H": "#.#|#.#|###|#.#|#.#", "I": "###|.#.|.#.|.#.|###",
    "J": "..#|..#|..#|#.#|.#.", "K": "#.#|#.#|##.|#.#|#.#", "L": "#..|#..|#..|#..|###",
    "M": "#.#|###|###|#.#|#.#", "N": "##.|#.#|#.#|#.#|#.#", "O": ".#.|#.#|#.#|#.#|.#.",
    "P": "##.|#.#|##.|#..|#..", "Q": ".#.|#.#|#.#|##.|.##", "R": "##.|#.#|##.|#.#|#.#",
    "S": ".##|#..|.#.|..#|##.", "T": "###|.#.|.#.|.#.|.#.", "U": "#.#|#.#|#.#|#.#|###",
    "V": "#.#|#.#|#.#|#.#|.#.", "W": "#.#|#.#|###|###|#.#", "X": "#.#|#.#|.#.|#.#|#.#",
    "Y": "#.#|#.#|.#.|.#.|.#.", "Z": "###|..#|.#.|#..|###", "0": "###|#.#|#.#|#.#|###",
    "1": ".#.|##.|.#.|.#.|###", "2": "##.|..#|.#.|#..|###", "3": "##.|..#|.#.|..#|##.",
    "4": "#.#|#.#|###|..#|..#", "5": "###|#..|##.|..#|##.", "6": ".##|#..|###|#.#|###",
    "7": "###|..#|.#.|.#.|.#.", "8": "###|#.#|###|#.#|###", "9": "###|#.#|###|..#|##.",
    "_": "...|...|...|...|###", "-": "...|...|###|...|...", "<": "..#|.#.|#..|.#.|..#",
    ":": "...|.#.|...|.#.|...", ".": "...|...|...|...|.#.", "/": "..#|..#|.#.|#..|#..",
    " ": "...|...|...|...|...",
}  # fmt: skip
SCALE = 2
CHAR_W = 4 * SCALE  # 3 pixels and a gap
ROW_H = 8 * SCALE
WIDTH = 760
LABEL_CHARS = 26
BAR_X = 10 + LABEL_CHARS * CHAR_W + 10
BAR_MAX = 380
WHITE, INK, BAR, PALE = (255, 255, 255), (30, 30, 30), (59, 110, 165), (190, 190, 190)


class Canvas:
    """RGB pixels in rows, written out as a PNG."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.rows = [bytearray(bytes(WHITE) * width) for _ in range(height)]

    def box(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        for row in self.rows[max(y, 0) : min(y + h, self.height)]:
            start, end = max(x, 0), min(x + w, self.width)
            if end > start:
                row[start * 3 : end * 3] = bytes(colour) * (end - start)

    def text(self, x: int, y: int, words: str, colour: tuple[int, int, int] = INK) -> None:
        for index, char in enumerate(words.upper()):
            glyph = GLYPHS.get(char, GLYPHS["."])
            for dy, line in enumerate(glyph.split("|")):
                for dx, bit in enumerate(line):
                    if bit == "#":
                        px, py = x + index * CHAR_W + dx * SCALE, y + dy * SCALE
                        self.box(px, py, SCALE, SCALE, colour)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"".join(
            (b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", zlib.compress(raw, 9)),
             _chunk(b"IEND", b""))
        )  # fmt: skip


def chart(title: str, totals: list[tuple[str, str, int]]) -> tuple[bytes, list[str]]:
    """The PNG, and every piece of text drawn on it (so a test can read what it says)."""
    metrics: dict[str, list[tuple[str, int]]] = {}
    for metric, value, count in totals:
        metrics.setdefault(metric, []).append((value, count))
    lines = 2 + sum(2 + len(values) for values in metrics.values())
    canvas = Canvas(WIDTH, (lines + 1) * ROW_H)
    written: list[str] = []

    def write(x: int, y: int, text: str, colour=INK) -> None:
        canvas.text(x, y, text, colour)
        written.append(text)

    write(10, ROW_H, title)
    y = 3 * ROW_H
    for metric, values in metrics.items():
        write(10, y, metric)
        y += ROW_H
        largest = max(count for _, count in values)
        for value, count in values:
            write(10 + 2 * CHAR_W, y, value[: LABEL_CHARS - 2])
            label = shown(count)
            if count >= SMALL:
                length = max(1, round(BAR_MAX * count / largest))
                canvas.box(BAR_X, y, length, 5 * SCALE, BAR)
                write(BAR_X + length + 8, y, label)
            else:
                write(BAR_X, y, label, PALE)
            y += ROW_H
        y += ROW_H
    return canvas.png(), written


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
