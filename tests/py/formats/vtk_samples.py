"""VTK legacy files built byte by byte the way VTK's writer lays them out.

The layouts follow files written by VTK 9.7's ``vtkStructuredPointsWriter`` (file versions
4.2 and 5.1, BINARY and ASCII) and pyvista's ``examples/uniform.vtk``. :func:`uniform`
rebuilds that file byte for byte (its sha256 is checked); :func:`mixed`, :func:`attributes`,
``time_field + geometry + cell_field + point_scalars`` and the :func:`colors` files were
compared byte for byte with VTK 9.7.2's output for the same images when this was written.
What VTK's writer does:

* the dataset's own ``FIELD FieldData n`` block (TIME, CYCLE...) right after ``DATASET``;
* ``CELL_DATA`` before ``POINT_DATA``; in each, the active attributes (``SCALARS name type``
  then ``LOOKUP_TABLE name``, ``VECTORS``, ``NORMALS``, ``TEXTURE_COORDINATES``,
  ``TENSORS``, ``GLOBAL_IDS``...) and then one ``FIELD FieldData n`` block holding every
  other array (``name numComponents numTuples type``);
* binary values big-endian and followed by ``\\n``; ASCII values each followed by a space,
  a newline after every ninth and one more at the end (so a blank line when the count is a
  multiple of 9); ASCII COLOR_SCALARS as floats (byte / 255, ``%g``) with a newline after
  the third tuple and then after every second;
* a standalone ``LOOKUP_TABLE name size`` after the scalars that use it (RGBA bytes in
  binary, floats in ASCII); 5.1's ``METADATA`` after an array with component names or
  information keys, ended by a blank line; binary strings prefixed by their length.

Standard library only: the stdlib tests also run inside Pyodide.
"""

from __future__ import annotations

import struct

#: struct codes of the VTK types used here (vtkIdType is written as a 4-byte int)
CODES = {"char": "b", "signed_char": "b", "unsigned_char": "B", "short": "h", "unsigned_short": "H", "int": "i",
         "unsigned_int": "I", "long": "q", "vtktypeint64": "q", "float": "f", "double": "d", "vtkIdType": "i"}

DIMS = (3, 2, 2)  # 12 points, 2 cells
POINTS = 12
CELLS = 2
SPACING = (0.5, 1.5, 2.0)
ORIGIN = (-1.0, 2.0, 3.5)
#: the point scalars most samples hold (short), and the cell values they skip (float)
POINT_VALUES = [3 * i - 5 for i in range(POINTS)]
CELL_VALUES = [0.5, 1.5]


def values(fmt: str, kind: str, data) -> bytes:
    """*data* as VTK writes an array's values: big-endian then a newline, or ASCII 9 a line."""
    if fmt == "BINARY":
        return struct.pack(f">{len(data)}{CODES[kind]}", *data) + b"\n"
    text = "".join(f"{v:g} " + ("\n" if (i + 1) % 9 == 0 else "") for i, v in enumerate(data))
    return (text + "\n").encode()


def colors(fmt: str, data: bytes, per_point: int) -> bytes:
    """COLOR_SCALARS values: bytes in binary files, floats (byte / 255) in ASCII ones."""
    if fmt == "BINARY":
        return bytes(data) + b"\n"
    text = ""
    for i in range(len(data) // per_point):
        text += " ".join(f"{v / 255:g}" for v in data[i * per_point : (i + 1) * per_point]) + " "
        text += "\n" if i != 0 and i % 2 == 0 else ""
    return (text + "\n").encode()


def strings(fmt: str, data: list[str]) -> bytes:
    """A string array's values: one (%-encoded) line each in ASCII, length-prefixed in binary."""
    if fmt == "ASCII":
        return "".join(s.replace("%", "%25").replace(" ", "%20") + "\n" for s in data).encode() + b"\n"
    out = b""
    for s in data:  # lengths under 64 take one byte, 11xxxxxx; under 16384 two, 10xxxxxx xxxxxxxx
        raw = s.encode()
        out += bytes([0xC0 | len(raw)]) if len(raw) < 64 else struct.pack(">H", 0x8000 | len(raw))
        out += raw
    return out + b"\n"


def table(fmt: str, rgba: list[tuple]) -> bytes:
    """A standalone ``LOOKUP_TABLE``'s entries (RGBA in [0, 1]): bytes, or one line of floats each."""
    if fmt == "BINARY":
        return bytes(round(v * 255) for entry in rgba for v in entry) + b"\n"
    return "".join(" ".join(f"{v:g}" for v in entry) + "\n" for entry in rgba).encode() + b"\n"


def vtk_file(fmt: str, *sections: bytes, version: str = "5.1", title: str = "vtk output") -> bytes:
    """The four lines every legacy file starts with, then *sections*."""
    head = f"# vtk DataFile Version {version}\n{title}\n{fmt}\nDATASET STRUCTURED_POINTS\n".encode()
    return head + b"".join(sections)


def geometry(dims=DIMS, spacing="0.5 1.5 2", origin="-1 2 3.5") -> bytes:
    return f"DIMENSIONS {dims[0]} {dims[1]} {dims[2]}\nSPACING {spacing}\nORIGIN {origin}\n".encode()


def time_field(fmt: str) -> bytes:
    """The dataset-level FIELD that VTK writes for a time step: TIME (double) and CYCLE (int)."""
    return (b"FIELD FieldData 2\nTIME 1 1 double\n" + values(fmt, "double", [1.25])
            + b"CYCLE 1 1 int\n" + values(fmt, "int", [7]))


def point_scalars(fmt: str, kind: str = "short", data=POINT_VALUES, table: str = "default") -> bytes:
    """POINT_DATA with its SCALARS (VTK 9 writes a space after the type)."""
    return f"POINT_DATA {POINTS}\nSCALARS pts {kind} \nLOOKUP_TABLE {table}\n".encode() + values(fmt, kind, data)


def cell_field(fmt: str) -> bytes:
    """CELL_DATA holding one float array in a FIELD block (VTK's layout for a cell array)."""
    return b"CELL_DATA 2\nFIELD FieldData 1\ncells 1 2 float\n" + values(fmt, "float", CELL_VALUES)


def cell_scalars(fmt: str) -> bytes:
    """CELL_DATA with SCALARS and a VECTORS attribute."""
    return (b"CELL_DATA 2\nSCALARS c float \nLOOKUP_TABLE default\n" + values(fmt, "float", CELL_VALUES)
            + b"VECTORS cv float\n" + values(fmt, "float", [1.0] * 6))


def mixed(fmt: str) -> bytes:
    """VTK 9.7's layout for an image whose point array is not the active scalars (so it is
    in the point FIELD block, after a 2-component array), with cell TENSORS, GLOBAL_IDS and a
    string array, point GLOBAL_IDS, and METADATA (a blank component name, a units key).
    The point array read is ``three``: signed_char, 3 components, -10..25."""
    return vtk_file(
        fmt,
        b"FIELD FieldData 1\nTIME 1 1 double\n" + values(fmt, "double", [0.5]),
        geometry(),
        b"CELL_DATA 2\nTENSORS ten double\n" + values(fmt, "double", range(18)),
        b"GLOBAL_IDS gid vtkIdType\n" + values(fmt, "vtkIdType", [3, 4]),
        b"FIELD FieldData 1\nlabels 1 2 string\n" + strings(fmt, ["first label", ""]),
        b"POINT_DATA 12\nGLOBAL_IDS pgid vtkIdType\n" + values(fmt, "vtkIdType", range(POINTS)),
        b"FIELD FieldData 2\ntwo 2 12 float\n" + values(fmt, "float", range(24)),
        b"METADATA\nCOMPONENT_NAMES\nu\n\n\n",
        b"three 3 12 signed_char\n" + values(fmt, "signed_char", range(-10, 26)),
        b"METADATA\nCOMPONENT_NAMES\n\nmid\n\nINFORMATION 1\nNAME UNITS_LABEL LOCATION vtkDataArray\nDATA HU\n\n",
    )


def attributes(fmt: str) -> bytes:
    """VTK 9.7's layout for cell SCALARS with their lookup table (named ``lookup_table``,
    written out after them) and NORMALS, and point NORMALS, TEXTURE_COORDINATES, TENSORS
    and an array in the point FIELD block: ``density``, unsigned_short, 0, 100, ... 1100."""
    return vtk_file(
        fmt,
        geometry(),
        b"CELL_DATA 2\nSCALARS c float \nLOOKUP_TABLE lookup_table\n" + values(fmt, "float", CELL_VALUES),
        b"LOOKUP_TABLE lookup_table 2\n" + table(fmt, [(1, 0, 0, 1), (0, 0, 1, 1)]),
        b"NORMALS cn float\n" + values(fmt, "float", [1] * 6),
        b"POINT_DATA 12\nNORMALS nrm float\n" + values(fmt, "float", [0] * 36),
        b"TEXTURE_COORDINATES tc 2 float\n" + values(fmt, "float", [0.5] * 24),
        b"TENSORS ten double\n" + values(fmt, "double", [1] * 108),
        b"FIELD FieldData 1\ndensity 1 12 unsigned_short\n" + values(fmt, "unsigned_short", range(0, 1200, 100)),
    )


def uniform() -> bytes:
    """pyvista's examples/uniform.vtk (VTK 4.2 writer), byte for byte: 10x10x10 points, the
    point scalars x*y*z, cell data i*j*k first and only in a FIELD block."""
    cells = [float(i * j * k) for k in range(9) for j in range(9) for i in range(9)]
    points = [float(x * y * z) for z in range(10) for y in range(10) for x in range(10)]
    return vtk_file(
        "BINARY",
        geometry((10, 10, 10), "1 1 1", "0 0 0"),
        b"CELL_DATA 729\nFIELD FieldData 1\nSpatial%20Cell%20Data 1 729 double\n" + values("BINARY", "double", cells),
        b"POINT_DATA 1000\nSCALARS Spatial%20Point%20Data double\nLOOKUP_TABLE default\n"
        + values("BINARY", "double", points),
        version="4.2",
    )


#: sha256 of pyvista 0.49.2's pyvista/examples/uniform.vtk (14094 bytes)
UNIFORM_SHA256 = "e47ad120dfe6eb00d65c300a08ceece6e15aa608723c798d0a862506040ff00f"
