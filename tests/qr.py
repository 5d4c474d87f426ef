"""Read back the QR codes the app draws, with a real decoder (zxing-cpp), the way a phone does.

segno draws a QR code in SVG as one path of horizontal strokes (``M``/``m`` moves and ``h``
lines, one module high) and in a terminal as Unicode half blocks; both are turned into a
grayscale image here and handed to zxing-cpp. Anything else in the markup is an error, so a
change in how codes are drawn fails loudly instead of decoding nothing.
"""

from __future__ import annotations

import re

import zxingcpp

SVG = re.compile(r'<svg\b[^>]*viewBox="0 0 (\d+) (\d+)"[^>]*>(.*?)</svg>', re.S)
PATH = re.compile(r'<path\b([^>]*)\bd="([^"]+)"[^>]*/>')
COMMAND = re.compile(r"([A-Za-z])([^A-Za-z]*)")
# (top, bottom) dark flags of each half-block character, as segno writes them.
HALF_BLOCKS = {" ": (1, 1), "\u2580": (0, 1), "\u2584": (1, 0), "\u2588": (0, 0)}
PIXELS_PER_MODULE = 4


def decode_matrix(matrix: list[list[int]]) -> list[str]:
    """The texts of the QR codes in a matrix of modules (1 dark, 0 light)."""
    height, width = len(matrix), len(matrix[0])
    pixels = bytearray()
    for row in matrix:
        line = bytearray()
        for dark in row:
            line += (b"\x00" if dark else b"\xff") * PIXELS_PER_MODULE
        pixels += bytes(line) * PIXELS_PER_MODULE
    image = memoryview(bytes(pixels)).cast(
        "B", (height * PIXELS_PER_MODULE, width * PIXELS_PER_MODULE)
    )
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def svg_matrix(svg: str) -> list[list[int]]:
    """The modules drawn by one segno SVG (``<svg viewBox=...><path d=.../></svg>``)."""
    found = SVG.search(svg)
    if found is None:
        raise ValueError("no <svg> with a viewBox")
    width, height, body = int(found[1]), int(found[2]), found[3]
    path = PATH.search(body)
    if path is None or "transform" in path[1]:
        raise ValueError(f"not a plain segno path: {body[:80]!r}")
    matrix = [[0] * width for _ in range(height)]
    x = y = 0.0
    for command, args in COMMAND.findall(path[2]):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command in "Mm" and len(numbers) == 2:
            dx, dy = numbers
            x, y = (dx, dy) if command == "M" else (x + dx, y + dy)
        elif command == "h" and len(numbers) == 1:
            row = int(y)
            for column in range(int(x), int(x + numbers[0])):
                matrix[row][column] = 1
            x += numbers[0]
        else:
            raise ValueError(f"unexpected path command {command}{args}")
    return matrix


def decode_svgs(html: str) -> list[str]:
    """The text of every segno QR code in a page, in document order."""
    texts = []
    for found in SVG.finditer(html):
        decoded = decode_matrix(svg_matrix(found[0]))
        if len(decoded) != 1:
            raise ValueError(f"an SVG QR code that does not decode: {found[0][:80]!r}")
        texts.append(decoded[0])
    return texts


def terminal_matrix(text: str) -> list[list[int]]:
    """The modules of a QR code printed in half blocks (the lines made only of them)."""
    lines = [line for line in text.splitlines() if line and set(line) <= set(HALF_BLOCKS)]
    if not lines:
        raise ValueError("no half-block QR code in the text")
    width = len(lines[0])
    rows: list[list[int]] = []
    for line in lines:
        if len(line) != width:
            raise ValueError("ragged half-block lines")
        rows.append([HALF_BLOCKS[c][0] for c in line])
        rows.append([HALF_BLOCKS[c][1] for c in line])
    # A QR code with its quiet zone is square; the last half row only pads an odd height.
    return rows[:width]


def decode_terminal(text: str) -> list[str]:
    return decode_matrix(terminal_matrix(text))
