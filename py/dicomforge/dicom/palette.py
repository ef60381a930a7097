"""PALETTE COLOR images (PS3.3 C.7.6.3.1.5, C.7.9): stored indices -> 8-bit RGB through the file's tables.

Written here rather than taken from pydicom: :func:`pydicom.pixels.apply_color_lut` needs
numpy, which the browser does not have. It follows that function's rules (tests compare the
two on pydicom's palettes): an index below the first mapped value takes entry 0, one past the
table its last entry; 8-bit entries may sit in 16-bit words; linear segments of a segmented
table are rounded as pydicom rounds them. 16-bit entries are shown by their high byte.
"""

from __future__ import annotations

import struct

from dicomforge import kernels
from dicomforge.errors import InputError, UnsupportedError

__all__ = ["palette_tables", "palette_to_rgb"]

_CHANNELS = ("Red", "Green", "Blue")


def _descriptor(ds, channel: str, signed: bool) -> tuple[int, int, int]:
    value = ds.get(f"{channel}PaletteColorLookupTableDescriptor")
    if value is None or len(value) != 3:
        raise InputError(f"PALETTE COLOR without a usable {channel} Palette Color Lookup Table Descriptor "
                         "(3 values: entries, first mapped value, bits per entry)")
    entries, first, bits = (int(v) for v in value)
    if signed and first >= 32768:  # US or SS by Pixel Representation (PS3.3 C.7.6.3.1.5)
        first -= 65536
    if bits not in (8, 16):
        raise InputError(f"{channel} Palette Color Lookup Table Descriptor gives {bits} bits per entry (8 or 16)")
    return entries or 65536, first, bits


def _words(data: bytes, size: int, little: bool) -> tuple:
    count = len(data) // size
    return struct.unpack(f"{'<' if little else '>'}{count}{'B' if size == 1 else 'H'}", data[: count * size])


def _linear(y0: int, y1: int, length: int) -> list[int]:
    """pydicom's linear segment: ``round(linspace(y0 + step, y1, length))``, halves to even."""
    step = (y1 - y0) / length
    start = y0 + step
    if length == 1:
        return [round(start)]
    delta = (y1 - start) / (length - 1)
    values = [round(i * delta + start) for i in range(length - 1)]
    return values + [round(y1)]


def _expand_segments(words: tuple, channel: str) -> list[int]:
    """A segmented table (PS3.3 C.7.9.2): discrete and linear segments."""
    table: list[int] = []
    i = 0
    while i + 1 < len(words):  # (a trailing pad word is no segment)
        opcode, length = words[i], words[i + 1]
        i += 2
        if opcode == 0:
            table.extend(words[i : i + length])
            i += length
        elif opcode == 1:
            if not table:
                raise InputError(f"Segmented {channel} Palette Color Lookup Table starts with a linear segment")
            table.extend(table[-1:] * length if table[-1] == words[i] else _linear(table[-1], words[i], length))
            i += 1
        elif opcode == 2:
            raise UnsupportedError(f"Segmented {channel} Palette Color Lookup Table uses indirect segments")
        else:
            raise InputError(f"Segmented {channel} Palette Color Lookup Table has an unknown segment type {opcode}")
    return table


def palette_tables(ds, little: bool = True) -> tuple[int, list[bytes]]:
    """``(first mapped value, [red, green, blue])``: three 8-bit tables of equal length."""
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    entries, first, bits = _descriptor(ds, "Red", signed)
    tables = []
    for channel in _CHANNELS:
        count, _, _ = _descriptor(ds, channel, signed)
        plain = ds.get(f"{channel}PaletteColorLookupTableData")
        segmented = ds.get(f"Segmented{channel}PaletteColorLookupTableData")
        if plain is not None:
            data = bytes(plain)
            size = len(data) // count if count else 0
            if size not in (1, 2) or len(data) < count * size:
                raise InputError(f"{channel} Palette Color Lookup Table Data holds {len(data)} bytes "
                                 f"for {count} entries")
            values = _words(data, size, little)[:count]
        elif segmented is not None:
            values = _expand_segments(_words(bytes(segmented), bits // 8, little), channel)
        else:
            raise InputError(f"PALETTE COLOR without {channel} Palette Color Lookup Table Data")
        shift = 8 if bits == 16 else 0
        tables.append(bytes(min(v >> shift, 255) for v in values))
    if len({len(t) for t in tables}) != 1 or not tables[0]:
        raise InputError("the red, green and blue Palette Color Lookup Tables differ in length")
    return first, tables


def palette_to_rgb(indices: bytes, dtype: str, ds, little: bool = True) -> bytes:
    """Pixel-interleaved 8-bit RGB of a frame of palette indices (little-endian *dtype*)."""
    first, tables = palette_tables(ds, little)
    # (below *first* entry 0, past the table its last entry: as apply_lut clamps)
    channels = [kernels.apply_lut(indices, dtype, table, first) for table in tables]
    rgb = bytearray(3 * len(channels[0]))
    rgb[0::3], rgb[1::3], rgb[2::3] = channels
    return bytes(rgb)
