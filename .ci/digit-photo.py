#!/usr/bin/env python3
"""Writes a digit "photo" for the README's `predict --image`: row N of a Kaggle-layout CSV (label, 784 pixels),
dark ink on a light page, 4x larger (112x112), as an 8-bit grey PNG. Standard library only.

usage: digit-photo.py CSV ROW OUT.png   (prints the row's label)"""
import gzip, struct, sys, zlib

path, row, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
opener = gzip.open if path.endswith(".gz") else open
with opener(path, "rt") as f:
    lines = [l for l in f if l[:1].isdigit()]
values = [int(v) for v in lines[row].strip().split(",")]
label, pixels = values[0], values[1:]
scale = 4
size = 28 * scale
raw = b""
for y in range(size):
    line = bytes(255 - pixels[(y // scale) * 28 + x // scale] for x in range(size))
    raw += b"\x00" + line
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
with open(out, "wb") as f:
    f.write(png)
print(label)
