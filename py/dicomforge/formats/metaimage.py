"""MetaImage reader (``.mha``, ``.mhd`` + data file) -> :class:`Volume` in LPS.

Hand-written because ITK/SimpleITK cannot run in the browser. Layers as in
pynrrd: :func:`read_header` (table-driven ``Key = Value`` parsing),
:func:`read_data` and :func:`read`.

MetaImage coordinates are already LPS (the ITK convention), so nothing is
flipped. ``TransformMatrix`` (aliases ``Rotation``, ``Orientation``) is read as
ITK does: its consecutive triples are the directions of voxel axes 0, 1, 2.
``Offset`` (aliases ``Position``, ``Origin``) is the centre of the first voxel.
``AnatomicalOrientation`` is a label that ITK ignores on reading; so do we.
``ElementDataFile`` may be ``LOCAL``, one file name, ``LIST`` (names on the
following lines) or a printf pattern ``name%03d.raw first last step``; the
files are concatenated. ``HeaderSize`` bytes are skipped in each data file
(-1: the data is the end of the file).
"""

from __future__ import annotations

from dicomforge.errors import InputError, UnsupportedError, plain_reason
from dicomforge.geometry import frame_from_columns
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from . import _common

__all__ = ["read", "read_header", "read_data", "ELEMENT_TYPES"]

# MET_* -> dtype (metaTypes.h: MET_LONG/ULONG are 4 bytes, LONG_LONG 8)
ELEMENT_TYPES = {
    "MET_CHAR": "int8",
    "MET_UCHAR": "uint8",
    "MET_SHORT": "int16",
    "MET_USHORT": "uint16",
    "MET_INT": "int32",
    "MET_UINT": "uint32",
    "MET_LONG": "int32",
    "MET_ULONG": "uint32",
    "MET_LONG_LONG": "int64",
    "MET_ULONG_LONG": "uint64",
    "MET_FLOAT": "float32",
    "MET_DOUBLE": "float64",
}


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise ValueError(f"{text.strip()!r} is not True or False")
    return value in ("true", "1")


def _floats(text: str):
    return [float(v) for v in text.split()]


def _ints(text: str):
    return [int(v) for v in text.split()]


# key (lower case) -> (canonical key, parser)
FIELDS = {
    "objecttype": ("ObjectType", str.strip),
    "ndims": ("NDims", int),
    "dimsize": ("DimSize", _ints),
    "elementtype": ("ElementType", lambda v: v.strip().upper()),
    "elementspacing": ("ElementSpacing", _floats),
    "elementsize": ("ElementSize", _floats),
    "offset": ("Offset", _floats),
    "position": ("Offset", _floats),
    "origin": ("Offset", _floats),
    "transformmatrix": ("TransformMatrix", _floats),
    "rotation": ("TransformMatrix", _floats),
    "orientation": ("TransformMatrix", _floats),
    "elementnumberofchannels": ("ElementNumberOfChannels", int),
    "elementbyteordermsb": ("ElementByteOrderMSB", _bool),
    "binarydatabyteordermsb": ("ElementByteOrderMSB", _bool),
    "binarydata": ("BinaryData", _bool),
    "compresseddata": ("CompressedData", _bool),
    "compresseddatasize": ("CompressedDataSize", int),
    "headersize": ("HeaderSize", int),
    "elementdatafile": ("ElementDataFile", str.strip),
}

_HEADER_LIMIT = 1 << 20


def read_header(data, name: str) -> tuple[dict, int]:
    """Parse ``Key = Value`` lines up to ``ElementDataFile`` (which ends the header).

    Returns the parsed fields (canonical keys of :data:`FIELDS`; ``"DataFiles"``
    for the LIST form) and the offset just after the header.
    """
    raw = bytes(data[:_HEADER_LIMIT])
    header: dict = {}
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end
        line = raw[pos:end].decode("latin-1").strip()
        pos = end + 1
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InputError(f"MetaImage header line {line[:60]!r} is not 'Key = Value'", name)
        lower = key.strip().lower()
        if lower in FIELDS:
            canonical, parser = FIELDS[lower]
            try:
                header[canonical] = parser(value)
            except ValueError as exc:
                raise InputError(f"cannot parse MetaImage {key.strip()}: {plain_reason(exc)}", name) from None
        if lower == "elementdatafile":
            if header[canonical].split()[:1] == ["LIST"]:
                header["DataFiles"] = raw[pos:].decode("latin-1").split()
                pos = len(data)
            break
    else:
        raise InputError("MetaImage header has no ElementDataFile line", name)
    missing = [k for k in ("NDims", "DimSize", "ElementType") if k not in header]
    if missing:
        raise InputError(f"MetaImage header lacks {', '.join(missing)}", name)
    return header, min(pos, len(data))


def _data_files(header: dict, name: str) -> list[str]:
    if "DataFiles" in header:
        return header["DataFiles"]
    parts = header["ElementDataFile"].split()
    if len(parts) >= 4 and "%" in parts[0]:
        first, last, step = (int(v) for v in parts[1:4])
        if step == 0:
            raise InputError(f"ElementDataFile pattern {parts[0]!r} has step 0", name)
        return [parts[0] % i for i in range(first, last + (1 if step > 0 else -1), step)]
    return [header["ElementDataFile"]]


def read_data(header: dict, data, name: str, partners: dict | None, size, dtype: str,
              budget: int = PLATFORM_MAX_BYTES) -> bytes:
    """The voxels, little-endian, from the attached *data* (LOCAL) or the partner files."""
    components = header.get("ElementNumberOfChannels", 1)
    nbytes = _common.check_size(name, size, components, dtype, None, budget)
    if header["ElementDataFile"].upper() == "LOCAL":
        chunks = [data]
    else:
        chunks = [_common.find_partner(partners, f, name).data for f in _data_files(header, name)]
    skip = header.get("HeaderSize", 0)
    if skip < -1:
        raise InputError(f"HeaderSize {skip} is invalid (must be >= -1)", name)
    parts = []
    for chunk in chunks:
        view = memoryview(chunk)
        if header.get("CompressedData", False):
            if "CompressedDataSize" in header and len(chunks) == 1:
                view = view[: header["CompressedDataSize"]]
            parts.append(_common.decompress(view, "zlib", name, budget, nbytes))
        elif skip == -1:
            parts.append(bytes(view[max(len(view) - nbytes // len(chunks), 0) :]))
        else:
            parts.append(bytes(view[skip:]))
    voxels = b"".join(parts)
    _common.check_size(name, size, components, dtype, len(voxels), budget)
    msb = header.get("ElementByteOrderMSB", False)
    return _common.to_little(voxels[:nbytes], dtype, msb)


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False,
         budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """Read a ``.mha`` or ``.mhd`` (+ data files) into a :class:`Volume` in LPS.

    *header_only*: geometry without voxels (``data`` None), from the header alone.
    """
    name = item.name
    header, offset = read_header(item.data, name)
    if header.get("ObjectType", "Image").lower() != "image":
        raise UnsupportedError(f"MetaImage ObjectType {header['ObjectType']!r} is not Image", name)
    if header.get("BinaryData", True) is False:
        raise UnsupportedError("ASCII MetaImage data (BinaryData = False) is not supported", name)
    ndims, dims = header["NDims"], header["DimSize"]
    if len(dims) != ndims:
        raise InputError(f"DimSize has {len(dims)} values for NDims {ndims}", name)
    if ndims == 4 and dims[3] == 1:
        ndims, dims = 3, dims[:3]
    if not 1 <= ndims <= 3:
        shape = "x".join(map(str, dims))
        raise UnsupportedError(f"{ndims}D image {shape} is not supported (need 1D to 3D)", name)
    element = header["ElementType"].removesuffix("_ARRAY")
    if element not in ELEMENT_TYPES:
        raise InputError(f"unknown MetaImage ElementType {header['ElementType']!r}", name)
    dtype = ELEMENT_TYPES[element]
    components = header.get("ElementNumberOfChannels", 1)
    if components not in (1, 3):
        raise UnsupportedError(f"{components} channels per voxel (only 1 or 3)", name)
    size = _common.pad_to_3d(dims, name)
    if header_only:
        _common.check_size(name, size, components, dtype, None, budget)
        voxels = None
    else:
        voxels = read_data(header, memoryview(item.data)[offset:], name, partners, size, dtype, budget)
    spacing = header.get("ElementSpacing") or header.get("ElementSize") or [1.0] * ndims
    matrix = header.get("TransformMatrix") or [float(i == j) for i in range(ndims) for j in range(ndims)]
    origin = header.get("Offset") or [0.0] * ndims
    if len(spacing) != ndims or len(matrix) != ndims * ndims or len(origin) != ndims:
        raise InputError(
            f"ElementSpacing/TransformMatrix/Offset sizes do not match NDims {ndims}", name
        )
    columns = []
    for k in range(ndims):
        axis = list(matrix[k * ndims : (k + 1) * ndims]) + [0.0] * (3 - ndims)
        columns.append([c * spacing[k] for c in axis])
    warnings: list[str] = []
    spacing3, direction = frame_from_columns(columns, name, warnings)
    return Volume(
        data=voxels,
        dtype=dtype,
        size=size,
        spacing=spacing3,
        origin=tuple(float(v) for v in origin) + (0.0,) * (3 - ndims),
        direction=direction,
        components=components,
        name=name,
        warnings=warnings,
    ).validate()
