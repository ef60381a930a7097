"""VTK legacy ``STRUCTURED_POINTS`` reader (``.vtk``, BINARY or ASCII) -> :class:`Volume`.

Hand-written because VTK and ITK cannot run in the browser. Layers: :class:`_Cursor`
(lines, and stepping over values that are not kept), :func:`read_header` (keyword
lines, table-driven), :func:`read_data`, :func:`read`.

Geometry: ``DIMENSIONS``, ``SPACING`` (or its old name ``ASPECT_RATIO``), ``ORIGIN``.
The image: the point data's first ``SCALARS name type [ncomp]`` (any ``LOOKUP_TABLE``
name), ``VECTORS name type`` or ``COLOR_SCALARS name n`` (uint8: bytes in binary files,
floats in [0, 1] in ASCII ones; n = 1, 3, or 4 whose alpha is dropped with a warning);
else its first ``FIELD`` array of one tuple per point and 1 or 3 components (VTK keeps
arrays that are not the active scalars there: pyvista's files often have theirs only
there). Stepped over wherever they stand: ``CELL_DATA``, ``FIELD`` blocks (TIME/CYCLE),
``LOOKUP_TABLE`` tables, ``NORMALS``, ``TENSORS``, ``TEXTURE_COORDINATES``, ids and VTK
5.1's ``METADATA``. A file without point scalars is refused, saying what it holds.
Binary legacy data is big-endian by definition. ``long``/``unsigned_long`` are 8 bytes,
as ITK and VTK write them on 64-bit Linux and macOS (``vtkIdType``: 4, written as int).

The legacy format has no orientation: the direction is the identity and the
coordinates are taken as LPS, which is what ITK/SimpleITK assume when they read
a ``.vtk`` file.
"""

from __future__ import annotations

import contextlib
import functools
import re
import struct

from dicomforge.errors import InputError, UnsupportedError, plain_reason
from dicomforge.geometry import frame_from_columns
from dicomforge.inputs import NamedInput
from dicomforge.kernels import itemsize
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from . import _common

__all__ = ["read", "read_header", "read_data", "TYPES"]

# VTK legacy type names -> dtype
TYPES = {
    "char": "int8",
    "signed_char": "int8",
    "unsigned_char": "uint8",
    "short": "int16",
    "unsigned_short": "uint16",
    "int": "int32",
    "unsigned_int": "uint32",
    "long": "int64",
    "unsigned_long": "uint64",
    "vtktypeint64": "int64",
    "vtktypeuint64": "uint64",
    "float": "float32",
    "double": "float64",
}

# keyword -> (number of values, parser)
KEYWORDS = {"DIMENSIONS": (3, int), "SPACING": (3, float), "ASPECT_RATIO": (3, float), "ORIGIN": (3, float)}

# attributes that can be the image (the first one in the point data is)
_IMAGE = ("SCALARS", "COLOR_SCALARS", "VECTORS")
# attribute -> values per point or cell, when the keyword fixes it
_FIXED = {"VECTORS": 3, "NORMALS": 3, "TENSORS": 9, "TENSORS6": 6, "GLOBAL_IDS": 1, "PEDIGREE_IDS": 1,
          "EDGE_FLAGS": 1}
# bytes per binary value (vtkIdType is written as int)
_SIZES = {"vtkidtype": 4} | {kind: itemsize(dtype) for kind, dtype in TYPES.items()}
# byte width of a binary string's length, by the top two bits of its first byte
_STRING_WIDTHS = {3: 1, 2: 2, 1: 4, 0: 8}
_TOKEN = rb"\s*+\S++"  # one ASCII value (possessive: never split, no backtracking)
_LINE = rb"[^\n]*+\n"  # one ASCII string value
_CHUNK = 1 << 16  # values matched by one regular expression
_LINE_LIMIT = 1 << 16


@functools.lru_cache(maxsize=8)
def _repeated(unit: bytes, times: int) -> re.Pattern:
    return re.compile(b"(?:%s){%d}" % (unit, times))


class _Cursor:
    """A position in the file: reads its lines and steps over the values it does not keep."""

    def __init__(self, data, name: str) -> None:
        self.data, self.name, self.pos = memoryview(data).cast("B"), name, 0
        self.binary = False
        self.components = 1  # of the last array: METADATA's COMPONENT_NAMES has one line each

    def line(self) -> str | None:
        """The next line, stripped (maybe empty); None at the end of the data."""
        if self.pos >= len(self.data):
            return None
        window = bytes(self.data[self.pos : self.pos + _LINE_LIMIT])
        end = window.find(b"\n")
        if end < 0 and len(window) == _LINE_LIMIT:
            raise InputError(f"VTK line at byte {self.pos} is longer than {_LINE_LIMIT} bytes", self.name)
        end = len(window) if end < 0 else end
        self.pos += end + 1
        return window[:end].decode("latin-1").strip()

    def words(self) -> list[str] | None:
        """The words of the next line that is not blank, METADATA blocks stepped over."""
        while (line := self.line()) is not None:
            if line.upper() == "METADATA":
                self._skip_metadata()
            elif line:
                return line.split()
        return None

    def skip_line(self, keyword: str) -> None:
        """Step over the next line if its first word is *keyword*."""
        start = self.pos
        with contextlib.suppress(InputError):  # binary values without a newline nearby
            if (self.words() or [""])[0].upper() == keyword:
                return
        self.pos = start

    def _skip_metadata(self) -> None:
        # METADATA ends at a blank line; a component name may be blank, so those are counted
        while line := self.line():
            if line.upper() == "COMPONENT_NAMES":
                self.skip_units(_LINE, self.components, "METADATA COMPONENT_NAMES")

    def skip(self, kind: str, count: int, what: str) -> None:
        """Step over *count* values of VTK type *kind*; *what* names them in errors."""
        kind = kind.lower()
        if kind in ("string", "utf8_string"):
            return self._skip_strings(count, what)
        if kind not in _SIZES and kind not in ("bit", "variant"):
            raise InputError(f"unknown VTK data type {kind!r} in {what}", self.name)
        if kind == "variant" or not self.binary:  # variants are text (type, value) in both formats
            return self.skip_units(_TOKEN, 2 * count if kind == "variant" else count, what)
        self.skip_bytes((count + 7) // 8 if kind == "bit" else count * _SIZES[kind], what)

    def skip_bytes(self, nbytes: int, what: str) -> None:
        left = len(self.data) - self.pos
        if nbytes > left:
            raise InputError(f"VTK {what} needs {nbytes} bytes, the file has {max(left, 0)} left", self.name)
        self.pos += nbytes

    def skip_units(self, unit: bytes, count: int, what: str) -> None:
        """Step over *count* ASCII values (*unit* ``_TOKEN``) or lines (``_LINE``)."""
        left = count
        while left > 0:
            found = _repeated(unit, min(left, _CHUNK)).match(self.data, self.pos)
            if found is None:
                raise InputError(f"VTK {what} needs {count} values, the file ends before", self.name)
            self.pos, left = found.end(), left - min(left, _CHUNK)

    def _skip_strings(self, count: int, what: str) -> None:
        if not self.binary:  # one line each
            return self.skip_units(_LINE, count, what)
        if count > (left := len(self.data) - self.pos):  # a byte each at least
            raise InputError(f"VTK {what} needs {count} strings, the file has {left} bytes left", self.name)
        for _ in range(count):  # each has a 1, 2, 4 or 8-byte big-endian length first
            self.skip_bytes(1, what)
            width = _STRING_WIDTHS[self.data[self.pos - 1] >> 6]
            head = int.from_bytes(self.data[self.pos - 1 : self.pos - 1 + width], "big")
            self.skip_bytes(width - 1 + (head if width == 8 else head & ((1 << (8 * width - 2)) - 1)), what)


def read_header(data, name: str) -> tuple[dict, int]:
    """Parse the file up to the first value of its point scalars; return the header and that offset."""
    cur = _Cursor(data, name)
    header = _preamble(cur)
    section, count, found, seen = "dataset", 0, None, []
    while (words := cur.words()) is not None:
        keyword = words[0].upper()
        if keyword in KEYWORDS:
            _geometry(header, keyword, words, name)
        elif keyword in ("POINT_DATA", "CELL_DATA"):
            section, count = keyword[:-5].lower(), _number(words, 1, name)
            header[keyword] = [count]
        elif keyword == "FIELD":
            first = _field(cur, words, count if section == "point" else None, section, seen)
            found = found or first
        elif section == "dataset":
            raise UnsupportedError(f"VTK keyword {keyword[:40]} is not supported", name)
        elif section == "point" and keyword in _IMAGE:
            _image(header, words, cur)
            found = {}, cur.pos
            break
        else:
            _skip_attribute(cur, words, count, section, seen)
    if found is None:
        holds = ", ".join(seen) or "no data arrays"
        raise UnsupportedError(f"VTK file has no point scalars to read (SCALARS, COLOR_SCALARS, VECTORS or a "
                               f"FIELD array with one value per point); it holds {holds}", name)
    if "DIMENSIONS" not in header:
        raise InputError("VTK header lacks DIMENSIONS", name)
    header.update(found[0])
    return header, found[1]


def _preamble(cur: _Cursor) -> dict:
    """The version, title, ASCII/BINARY and DATASET lines."""
    if (cur.words() or [])[:3] != ["#", "vtk", "DataFile"]:
        raise InputError("not a VTK legacy file (no '# vtk DataFile' line)", cur.name)
    header = {"title": cur.line() or "", "format": " ".join(cur.words() or []).upper(), "warnings": []}
    if header["format"] not in ("ASCII", "BINARY"):
        raise InputError(f"VTK format line is {header['format']!r}, not ASCII or BINARY", cur.name)
    dataset = cur.words() or []
    if dataset[:1] != ["DATASET"] or dataset[1:2] != ["STRUCTURED_POINTS"]:
        raise UnsupportedError(f"VTK {' '.join(dataset)} is not supported (STRUCTURED_POINTS only)", cur.name)
    cur.binary = header["format"] == "BINARY"
    return header


def _geometry(header: dict, keyword: str, words: list, name: str) -> None:
    count, parser = KEYWORDS[keyword]
    try:
        values = [parser(v) for v in words[1 : 1 + count]]
    except ValueError as exc:
        raise InputError(f"cannot parse VTK {keyword}: {plain_reason(exc)}", name) from None
    if len(values) != count:
        raise InputError(f"VTK {keyword} needs {count} values: {' '.join(words)}", name)
    header["SPACING" if keyword == "ASPECT_RATIO" else keyword] = values


def _number(words: list, index: int, name: str) -> int:
    """The whole number at *index* on a keyword line (a count: not negative)."""
    if len(words) <= index:
        raise InputError(f"VTK {words[0]} line is incomplete: {' '.join(words)}", name)
    try:
        value = int(words[index])
    except ValueError:
        raise InputError(f"VTK {words[0]} value {words[index]!r} is not a whole number", name) from None
    if value < 0:
        raise InputError(f"VTK {words[0]} value {value} is negative", name)
    return value


def _shape(words: list, cur: _Cursor) -> tuple[int, str]:
    """Values per point (or cell) and VTK type of the attribute on *words* (a SCALARS'
    LOOKUP_TABLE line is consumed)."""
    keyword = words[0].upper()
    if keyword not in _FIXED and keyword not in ("SCALARS", "COLOR_SCALARS", "TEXTURE_COORDINATES"):
        raise UnsupportedError(f"VTK keyword {keyword[:40]} is not supported", cur.name)
    if len(words) < 3:
        raise InputError(f"VTK {keyword} line needs a name and a type: {' '.join(words)}", cur.name)
    if keyword == "COLOR_SCALARS":  # unsigned char in binary files, floats in [0, 1] in ASCII
        return _number(words, 2, cur.name), "unsigned_char" if cur.binary else "float"
    if keyword == "TEXTURE_COORDINATES":  # name dim type
        return _number(words, 2, cur.name), "".join(words[3:4]).lower()
    if keyword == "SCALARS":
        cur.skip_line("LOOKUP_TABLE")
        return (_number(words, 3, cur.name) if len(words) > 3 else 1), words[2].lower()
    return _FIXED[keyword], words[2].lower()


def _skip_attribute(cur: _Cursor, words: list, count: int, where: str, seen: list) -> None:
    """Step over an attribute of the point or cell data that is not the image."""
    keyword = words[0].upper()
    if keyword == "LOOKUP_TABLE":  # LOOKUP_TABLE name size: size RGBA entries
        kind = "unsigned_char" if cur.binary else "float"
        cur.skip(kind, 4 * _number(words, 2, cur.name), f"LOOKUP_TABLE {words[1]!r}")
        return
    per, kind = _shape(words, cur)
    seen.append(f"{where} {keyword} {words[1]!r}")
    cur.components = per
    cur.skip(kind, per * count, f"{where} {keyword} {words[1]!r}")


def _field(cur: _Cursor, words: list, points: int | None, where: str, seen: list) -> tuple[dict, int] | None:
    """Step over a FIELD block; return its first array that can be the image (*points*
    tuples of 1 or 3 components) with the offset of its values, or None."""
    found, arrays = None, _number(words, 2, cur.name)
    for _ in range(arrays):
        array = cur.words()
        if array is None:
            raise InputError(f"VTK file ends inside FIELD {words[1]}", cur.name)
        if array[0].upper() == "NULL_ARRAY":
            continue
        if len(array) < 4:  # not "name components tuples type"
            raise InputError(f"VTK FIELD {words[1]} declares {arrays} arrays; {' '.join(array)[:60]!r} is not one",
                             cur.name)
        components, tuples, kind = _number(array, 1, cur.name), _number(array, 2, cur.name), array[3].lower()
        seen.append(f"{where} FIELD array {array[0]!r}")
        if found is None and tuples == points and components in (1, 3) and kind in TYPES:
            found = {"attribute": "FIELD", "dtype": TYPES[kind], "components": components, "stored": components}
            found = found, cur.pos
        cur.components = components
        cur.skip(kind, components * tuples, f"FIELD array {array[0]!r}")
    return found


def _image(header: dict, words: list, cur: _Cursor) -> None:
    """The point attribute that is the image: its dtype, values per point and components."""
    keyword = words[0].upper()
    stored, kind = _shape(words, cur)
    if kind not in TYPES:
        raise InputError(f"unknown VTK data type {kind!r}", cur.name)
    color = keyword == "COLOR_SCALARS"
    header.update(attribute=keyword, dtype="uint8" if color else TYPES[kind], stored=stored, color=color,
                  components=min(stored, 3))
    if stored not in ((1, 3, 4) if color else (1, 3)):
        only = "1, 3 or 4" if color else "1 or 3"
        raise UnsupportedError(f"VTK {keyword} {words[1]!r}: {stored} components per point (only {only})", cur.name)
    if stored == 4:
        header["warnings"].append(f"VTK COLOR_SCALARS {words[1]!r} are RGBA: the alpha channel was dropped")


def read_data(header: dict, data, name: str, budget: int = PLATFORM_MAX_BYTES) -> bytes:
    """The point data as little-endian bytes."""
    size, dtype, stored = header["DIMENSIONS"], header["dtype"], header.get("stored", header["components"])
    if header["format"] == "BINARY":
        nbytes = _common.check_size(name, size, stored, dtype, len(data), budget)
        voxels = _common.to_little(memoryview(data)[:nbytes], dtype, big_endian=True)
    else:
        _common.check_size(name, size, stored, dtype, None, budget)
        count = size[0] * size[1] * size[2] * stored
        voxels = _ascii_values(data, "float32" if header.get("color") else dtype, count, name)
        voxels = _unit_to_uint8(voxels) if header.get("color") else voxels
    return _drop_alpha(voxels) if stored == 4 else voxels


def _ascii_values(data, dtype: str, count: int, name: str) -> bytes:
    """The first *count* ASCII values of *data*, splitting no more of it than they take."""
    cur = _Cursor(data, name)
    try:
        cur.skip_units(_TOKEN, count, "ASCII data")
    except InputError:
        cur.pos = len(cur.data)  # fewer values: parse_ascii says how many
    return _common.parse_ascii(bytes(cur.data[: cur.pos]).decode("latin-1").split(), dtype, count, name)


def _unit_to_uint8(values: bytes) -> bytes:
    """ASCII COLOR_SCALARS (float32 in [0, 1]) as uint8: v * 255 rounded half up like VTK, clamped."""
    return bytes(int(min(255.0, max(0.0, v * 255.0 + 0.5))) for (v,) in struct.iter_unpack("<f", values))


def _drop_alpha(rgba):
    """RGB from RGBA uint8 (each point's fourth byte dropped), by slices, not per point."""
    rgba = bytes(rgba)
    rgb = bytearray(len(rgba) // 4 * 3)
    for channel in range(3):
        rgb[channel::3] = rgba[channel::4]
    return memoryview(rgb).toreadonly()


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False,
         budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """Read a VTK legacy structured-points file into a :class:`Volume` (identity direction).

    *header_only*: geometry without voxels (``data`` None), from the header alone.
    """
    name = item.name
    header, offset = read_header(item.data, name)
    size = tuple(header["DIMENSIONS"])
    _common.check_size(name, size, header["components"], header["dtype"], None, budget)
    points = size[0] * size[1] * size[2]
    if header["POINT_DATA"] != [points]:
        raise InputError(f"POINT_DATA {header['POINT_DATA'][0]} but DIMENSIONS give {points} points", name)
    voxels = None if header_only else read_data(header, memoryview(item.data)[offset:], name, budget)
    spacing = header.get("SPACING", [1.0, 1.0, 1.0])
    columns = [[spacing[k] if i == k else 0.0 for i in range(3)] for k in range(3)]
    spacing3, direction = frame_from_columns(columns, name, header["warnings"])
    origin = tuple(header.get("ORIGIN", [0.0, 0.0, 0.0]))
    return Volume(data=voxels, dtype=header["dtype"], size=size, spacing=spacing3, origin=origin, direction=direction,
                  components=header["components"], name=name, warnings=header["warnings"]).validate()
