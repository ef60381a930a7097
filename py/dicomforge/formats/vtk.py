"""VTK legacy ``STRUCTURED_POINTS`` reader (``.vtk``, BINARY or ASCII) -> :class:`Volume`.

Hand-written because VTK and ITK cannot run in the browser. Layers:
:func:`read_header` (keyword lines, table-driven), :func:`read_data`, :func:`read`.

Supported: ``DIMENSIONS``, ``SPACING`` (or its old name ``ASPECT_RATIO``),
``ORIGIN``, ``POINT_DATA`` with one ``SCALARS name type [ncomp]`` (optional
``LOOKUP_TABLE``), ``VECTORS name type`` (3 components) or binary
``COLOR_SCALARS name 3`` (uint8). Binary legacy data is big-endian by definition.
``long``/``unsigned_long`` are 8 bytes, as ITK and VTK write them on 64-bit
Linux and macOS.

The legacy format has no orientation: the direction is the identity and the
coordinates are taken as LPS, which is what ITK/SimpleITK assume when they read
a ``.vtk`` file.
"""

from __future__ import annotations

from dicomforge.errors import InputError, UnsupportedError
from dicomforge.inputs import NamedInput
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
KEYWORDS = {
    "DIMENSIONS": (3, int),
    "SPACING": (3, float),
    "ASPECT_RATIO": (3, float),
    "ORIGIN": (3, float),
    "POINT_DATA": (1, int),
}

_HEADER_LIMIT = 1 << 16


class _Lines:
    """Lines of the header, keeping the byte offset just after the last one read."""

    def __init__(self, data) -> None:
        self.raw = bytes(data[:_HEADER_LIMIT])
        self.pos = 0

    def next(self, name: str) -> str:
        while self.pos < len(self.raw):
            end = self.raw.find(b"\n", self.pos)
            end = len(self.raw) if end < 0 else end
            line = self.raw[self.pos : end].decode("latin-1").strip()
            self.pos = end + 1
            if line:
                return line
        raise InputError("VTK header ends before the point data", name)


def read_header(data, name: str) -> tuple[dict, int]:
    """Parse the header up to the first data value; return it and the data offset."""
    lines = _Lines(data)
    if not lines.next(name).startswith("# vtk DataFile"):
        raise InputError("not a VTK legacy file (no '# vtk DataFile' line)", name)
    header = {"title": lines.next(name), "format": lines.next(name).upper()}
    if header["format"] not in ("ASCII", "BINARY"):
        raise InputError(f"VTK format line is {header['format']!r}, not ASCII or BINARY", name)
    dataset = lines.next(name).split()
    if dataset[:1] != ["DATASET"] or dataset[1:2] != ["STRUCTURED_POINTS"]:
        raise UnsupportedError(f"VTK {' '.join(dataset)} is not supported (STRUCTURED_POINTS only)", name)
    while True:
        words = lines.next(name).split()
        keyword = words[0].upper()
        if keyword in KEYWORDS:
            count, parser = KEYWORDS[keyword]
            try:
                values = [parser(v) for v in words[1 : 1 + count]]
            except ValueError as exc:
                raise InputError(f"cannot parse VTK {keyword}: {exc}", name) from None
            if len(values) != count:
                raise InputError(f"VTK {keyword} needs {count} values: {' '.join(words)}", name)
            header["SPACING" if keyword == "ASPECT_RATIO" else keyword] = values
        elif keyword in ("SCALARS", "VECTORS", "COLOR_SCALARS"):
            header["attribute"] = keyword
            _attribute(header, words, name)
            break
        else:
            raise UnsupportedError(f"VTK keyword {keyword} is not supported", name)
    if header["attribute"] == "SCALARS":
        after = lines.pos
        if not lines.next(name).upper().startswith("LOOKUP_TABLE"):
            lines.pos = after  # no lookup table line: data starts here
    missing = [k for k in ("DIMENSIONS", "POINT_DATA") if k not in header]
    if missing:
        raise InputError(f"VTK header lacks {', '.join(missing)}", name)
    return header, lines.pos


def _attribute(header: dict, words: list, name: str) -> None:
    keyword = words[0].upper()
    if keyword == "COLOR_SCALARS":
        if len(words) < 3 or words[2] != "3":
            raise UnsupportedError("VTK COLOR_SCALARS must have 3 values per point", name)
        if header["format"] == "ASCII":
            raise UnsupportedError("ASCII VTK COLOR_SCALARS are not supported", name)
        header["dtype"], header["components"] = "uint8", 3
        return
    if len(words) < 3:
        raise InputError(f"VTK {keyword} line needs a name and a type: {' '.join(words)}", name)
    kind = words[2].lower()
    if kind not in TYPES:
        raise InputError(f"unknown VTK data type {words[2]!r}", name)
    header["dtype"] = TYPES[kind]
    try:
        header["components"] = 3 if keyword == "VECTORS" else int(words[3]) if len(words) > 3 else 1
    except ValueError:
        raise InputError(f"VTK {keyword} component count {words[3]!r} is not a whole number", name) from None
    if header["components"] not in (1, 3):
        raise UnsupportedError(f"{header['components']} components per point (only 1 or 3)", name)


def read_data(header: dict, data, name: str) -> bytes:
    """The point data as little-endian bytes."""
    size, dtype, components = header["DIMENSIONS"], header["dtype"], header["components"]
    if header["format"] == "ASCII":
        count = components
        for n in size:
            count *= n
        _common.check_size(name, size, components, dtype, None)
        return _common.parse_ascii(bytes(data).decode("latin-1").split(), dtype, count, name)
    nbytes = _common.check_size(name, size, components, dtype, len(data))
    return _common.to_little(memoryview(data)[:nbytes], dtype, big_endian=True)


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False) -> Volume:
    """Read a VTK legacy structured-points file into a :class:`Volume` (identity direction).

    *header_only*: geometry without voxels (``data`` None), from the header alone.
    """
    name = item.name
    header, offset = read_header(item.data, name)
    size = tuple(header["DIMENSIONS"])
    _common.check_size(name, size, header["components"], header["dtype"], None)
    points = size[0] * size[1] * size[2]
    if header["POINT_DATA"] != [points]:
        raise InputError(f"POINT_DATA {header['POINT_DATA'][0]} but DIMENSIONS give {points} points", name)
    voxels = None if header_only else read_data(header, memoryview(item.data)[offset:], name)
    spacing = header.get("SPACING", [1.0, 1.0, 1.0])
    columns = [[spacing[k] if i == k else 0.0 for i in range(3)] for k in range(3)]
    spacing3, direction = _common.frame_from_columns(columns, name)
    return Volume(
        data=voxels,
        dtype=header["dtype"],
        size=size,
        spacing=spacing3,
        origin=tuple(header.get("ORIGIN", [0.0, 0.0, 0.0])),
        direction=direction,
        components=header["components"],
        name=name,
    ).validate()
