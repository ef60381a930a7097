"""NRRD reader (attached ``.nrrd`` and detached ``.nhdr`` + data) -> :class:`Volume` in LPS.

Hand-written because pynrrd needs numpy, which the browser does not have; the
layers follow pynrrd: :func:`read_header` (table-driven field parsing),
:func:`read_data` (skip, decode, byte order) and :func:`read` wiring them.

Spaces: ``space`` names RAS, LAS or LPS (short or long form) are converted to
LPS once, here, by flipping the sign of x and/or y of every direction and of the
origin. ``scanner-xyz``, ``3D-right-handed`` and a bare ``space dimension: 3``
carry no anatomical labels; they are taken as LPS unchanged (the choice DICOM
makes for scanner coordinates). Time and left-handed spaces are unsupported.
Without ``space directions`` the axes are the identity, scaled by ``spacings``
(1 where absent or NaN).

Shapes: 1D to 3D scalar images (missing axes have size 1), and 4D images whose
first axis has size 3 and is non-spatial (``space directions`` "none" or a
vector/colour ``kind``): RGB, ``components = 3``. Any other 4D shape raises
:class:`UnsupportedError`.
"""

from __future__ import annotations

import math
import re

from dicomforge.errors import InputError, UnsupportedError, plain_reason
from dicomforge.geometry import frame_from_columns
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from . import _common

__all__ = ["read", "read_header", "read_data", "TYPES", "SPACES"]

_HEADER_LIMIT = 1 << 20  # a header longer than 1 MiB is not an NRRD header

# NRRD type names and aliases -> dtype (teem's nrrdTypeIsValid list)
TYPES = {
    alias: dtype
    for dtype, aliases in (
        ("int8", "signed char, int8, int8_t"),
        ("uint8", "uchar, unsigned char, uint8, uint8_t"),
        ("int16", "short, short int, signed short, signed short int, int16, int16_t"),
        ("uint16", "ushort, unsigned short, unsigned short int, uint16, uint16_t"),
        ("int32", "int, signed int, int32, int32_t"),
        ("uint32", "uint, unsigned int, uint32, uint32_t"),
        (
            "int64",
            "longlong, long long, long long int, signed long long, signed long long int, "
            "int64, int64_t",
        ),
        (
            "uint64",
            "ulonglong, unsigned long long, unsigned long long int, uint64, uint64_t",
        ),
        ("float32", "float"),
        ("float64", "double"),
    )
    for alias in aliases.split(", ")
}

# space name -> sign of (x, y, z) that takes its coordinates to LPS
SPACES = {
    "right-anterior-superior": (-1, -1, 1),
    "ras": (-1, -1, 1),
    "left-anterior-superior": (1, -1, 1),
    "las": (1, -1, 1),
    "left-posterior-superior": (1, 1, 1),
    "lps": (1, 1, 1),
    "scanner-xyz": (1, 1, 1),
    "3d-right-handed": (1, 1, 1),
}

ENCODINGS = {"raw": "raw", "gzip": "gzip", "gz": "gzip", "bzip2": "bzip2", "bz2": "bzip2",
             "ascii": "ascii", "text": "ascii", "txt": "ascii"}

NONSPATIAL_KINDS = {"vector", "rgb-color", "3-color", "3-vector", "covariant-vector",
                    "normal", "list", "point", "hsv-color", "xyz-color"}


def _vector(text: str):
    text = text.strip()
    if text == "none":
        return None
    if not (text.startswith("(") and text.endswith(")")):
        raise ValueError(f"vector {text!r} is not in parentheses")
    return tuple(float(v) for v in text[1:-1].split(","))


def _vectors(text: str):
    return [_vector(v) for v in re.findall(r"\([^)]*\)|none", text)]


def _ints(text: str):
    return [int(v) for v in text.split()]


def _floats(text: str):
    return [float(v) for v in text.split()]


# field -> (canonical key, parser); aliases spelled without spaces too
FIELDS = {
    "dimension": ("dimension", int),
    "type": ("type", lambda v: v.strip()),
    "sizes": ("sizes", _ints),
    "endian": ("endian", lambda v: v.strip().lower()),
    "encoding": ("encoding", lambda v: v.strip().lower()),
    "space": ("space", lambda v: v.strip().lower()),
    "space dimension": ("space dimension", int),
    "space directions": ("space directions", _vectors),
    "space origin": ("space origin", _vector),
    "spacings": ("spacings", _floats),
    "kinds": ("kinds", lambda v: v.lower().split()),
    "line skip": ("line skip", int),
    "lineskip": ("line skip", int),
    "byte skip": ("byte skip", int),
    "byteskip": ("byte skip", int),
    "data file": ("data file", lambda v: v.strip()),
    "datafile": ("data file", lambda v: v.strip()),
}


def read_header(data, name: str) -> tuple[dict, int]:
    """Parse the header of an NRRD file.

    Returns
    -------
    header : dict
        Known fields parsed (canonical keys of :data:`FIELDS`), unknown ones ignored;
        ``"data files"`` lists the files of ``data file: LIST``.
    offset : int
        Where attached data starts (after the blank line), or ``len(data)``.
    """
    head = bytes(data[:8])
    if not head.startswith(b"NRRD000"):
        raise InputError("not an NRRD file (no NRRD000x magic)", name)
    header: dict = {}
    raw = bytes(data[:_HEADER_LIMIT])
    pos = raw.find(b"\n") + 1  # past the magic line
    listing = None
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        if end < 0:
            if len(raw) < len(data):
                raise InputError(f"NRRD header is longer than {_HEADER_LIMIT} bytes", name)
            end = len(raw)
        line = raw[pos:end].decode("latin-1").rstrip("\r")
        pos = end + 1
        if listing is not None:
            listing.extend(line.split())
            continue
        if not line.strip():
            break  # blank line: attached data follows
        kv, colon = line.find(":="), line.find(": ")
        if line.startswith("#") or (kv >= 0 and (colon < 0 or kv < colon)):
            continue  # comment or key/value pair
        field, sep, value = line.partition(":")
        if not sep:
            raise InputError(f"header line {line!r} is not 'field: value'", name)
        key = field.strip().lower()
        if key in FIELDS:
            canonical, parser = FIELDS[key]
            try:
                header[canonical] = parser(value)
            except ValueError as exc:
                raise InputError(f"cannot parse NRRD field {key!r}: {plain_reason(exc)}", name) from None
            if canonical == "data file" and header[canonical].split()[:1] == ["LIST"]:
                listing = header["data files"] = []
    missing = [f for f in ("dimension", "type", "sizes", "encoding") if f not in header]
    if missing:
        raise InputError(f"NRRD header lacks the required field(s) {', '.join(missing)}", name)
    return header, min(pos, len(data))


def _dtype(header: dict, name: str) -> str:
    try:
        return TYPES[header["type"].lower()]
    except KeyError:
        raise UnsupportedError(f"NRRD type {header['type']!r} is not supported", name) from None


def _data_files(header: dict, name: str) -> list[str]:
    """The detached data files named by ``data file`` (single name, LIST or printf pattern)."""
    spec = header["data file"]
    if "data files" in header:
        return header["data files"]
    parts = spec.split()
    if len(parts) >= 4 and "%" in parts[0]:
        first, last, step = (int(v) for v in parts[1:4])
        if step == 0:
            raise InputError(f"data file pattern {spec!r} has step 0", name)
        return [parts[0] % i for i in range(first, last + (1 if step > 0 else -1), step)]
    return [spec]


def read_data(header: dict, data, name: str, partners: dict | None = None, budget: int = PLATFORM_MAX_BYTES) -> bytes:
    """Decode the voxels of *header*: attached in *data*, or detached in *partners*.

    Returns little-endian bytes, exactly the size the header declares.
    """
    dtype = _dtype(header, name)
    sizes = header["sizes"]
    encoding = ENCODINGS.get(header["encoding"])
    if encoding is None:
        raise UnsupportedError(f"NRRD encoding {header['encoding']!r} is not supported", name)
    count = 1
    for n in sizes:
        count *= n
    nbytes = _common.check_size(name, sizes, 1, dtype, None, budget)
    if "data file" in header:
        chunks = [_common.find_partner(partners, f, name).data for f in _data_files(header, name)]
    else:
        chunks = [data]
    separator = b"\n" if encoding == "ascii" else b""  # keep numbers of two files apart
    decoded = separator.join(_decode_one(header, chunk, encoding, dtype, nbytes, name, budget) for chunk in chunks)
    if encoding != "ascii":
        _common.check_size(name, sizes, 1, dtype, len(decoded), budget)
        decoded = decoded[:nbytes]
    if encoding == "ascii":
        decoded = _common.parse_ascii(decoded.decode("latin-1").split(), dtype, count, name)
    endian = header.get("endian", "little")  # absent: little, as pynrrd and teem write
    if endian not in ("little", "big"):
        raise InputError(f"NRRD endian {endian!r} is neither little nor big", name)
    return _common.to_little(decoded, dtype, endian == "big" and encoding != "ascii")


def _decode_one(header: dict, chunk, encoding: str, dtype: str, nbytes: int, name: str, budget: int) -> bytes:
    """One data chunk: line skip, byte skip, decompression; ASCII stays text."""
    view = memoryview(chunk)
    start = 0
    for _ in range(header.get("line skip", 0)):
        nl = bytes(view[start : start + 65536]).find(b"\n")
        if nl < 0:
            raise InputError(f"line skip {header['line skip']} runs past the end of the data", name)
        start += nl + 1
    skip = header.get("byte skip", 0)
    if skip == -1:
        if encoding != "raw":
            raise InputError("byte skip -1 is only allowed with raw encoding", name)
        _common.check_size(name, header["sizes"], 1, dtype, len(view) - start, budget)
        return bytes(view[len(view) - nbytes :])
    if skip < -1:
        raise InputError(f"byte skip {skip} is invalid (must be >= -1)", name)
    if encoding == "raw":
        return bytes(view[start + skip : start + skip + nbytes])
    if encoding == "ascii":
        return bytes(view[start:])
    body = _common.decompress(view[start:], encoding, name, budget, nbytes + skip)
    return body[skip:]  # byte skip counts decompressed bytes (NRRD spec)


def _geometry(header: dict, axes: list[int], name: str, warnings: list):
    """Spacing, origin and direction in LPS for the spatial *axes* (near-perpendicular axes
    squared, with a warning in *warnings*)."""
    space = header.get("space")
    if space is not None and space not in SPACES:
        raise UnsupportedError(f"NRRD space {space!r} is not supported", name)
    if space is None and header.get("space dimension", 3) != 3:
        raise UnsupportedError(f"NRRD space dimension {header['space dimension']} is not 3", name)
    signs = SPACES.get(space or "lps")
    flip = lambda v: tuple(s * c for s, c in zip(signs, v))  # noqa: E731
    if "space directions" in header:
        dirs = header["space directions"]
        if len(dirs) != header["dimension"]:
            raise InputError(
                f"space directions has {len(dirs)} entries for {header['dimension']} axes", name
            )
        columns = [dirs[a] for a in axes]
        if any(c is None or len(c) != 3 for c in columns):
            raise InputError("space directions of a spatial axis must be a 3-vector", name)
        columns = [flip(c) for c in columns]
    else:
        spacings = header.get("spacings", [1.0] * header["dimension"])
        columns = []
        for k, a in enumerate(axes):
            step = spacings[a] if a < len(spacings) and math.isfinite(spacings[a]) else 1.0
            columns.append(tuple(step if i == k else 0.0 for i in range(3)))
    spacing, direction = frame_from_columns(columns, name, warnings)
    origin = header.get("space origin") or (0.0, 0.0, 0.0)
    if len(origin) != 3:
        raise InputError(f"space origin {origin} is not a 3-vector", name)
    return spacing, flip(origin), direction


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False,
         budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """Read an attached or detached NRRD file into a :class:`Volume` in LPS.

    *header_only*: geometry without voxels (``data`` None), from the header alone.
    """
    name = item.name
    header, offset = read_header(item.data, name)
    sizes, dim = header["sizes"], header["dimension"]
    if len(sizes) != dim:
        raise InputError(f"sizes has {len(sizes)} entries, dimension is {dim}", name)
    components, axes = 1, list(range(dim))
    if dim == 4:
        kinds = header.get("kinds", [])
        dirs = header.get("space directions", [])
        nonspatial = (dirs[:1] == [None]) or (kinds[:1] and kinds[0] in NONSPATIAL_KINDS)
        if sizes[0] != 3 or not nonspatial:
            shape = "x".join(map(str, sizes))
            raise UnsupportedError(
                f"4D image {shape} is not supported (only a leading RGB/vector axis of size 3)",
                name,
            )
        components, axes = 3, [1, 2, 3]
    elif header.get("space directions", [])[:1] == [None] and dim > 1:
        raise UnsupportedError("a non-spatial first axis is only supported for 4D RGB", name)
    size = _common.pad_to_3d([sizes[a] for a in axes], name)
    _common.check_size(name, size, components, _dtype(header, name), None, budget)
    body = memoryview(item.data)[offset:]
    voxels = None if header_only else read_data(header, body, name, partners, budget)
    warnings: list[str] = []
    spacing, origin, direction = _geometry(header, axes, name, warnings)
    return Volume(
        data=voxels,
        dtype=_dtype(header, name),
        size=size,
        spacing=spacing,
        origin=origin,
        direction=direction,
        components=components,
        name=name,
        warnings=warnings,
    ).validate()
