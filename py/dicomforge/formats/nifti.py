"""NIfTI-1 and NIfTI-2 reader (``.nii``, ``.nii.gz``, ``.hdr``/``.img``) -> :class:`Volume` in LPS.

Hand-written because nibabel needs numpy, which the browser does not have. The
binary headers are described as data (:data:`NIFTI1_FIELDS`, :data:`NIFTI2_FIELDS`:
field, struct format, byte offset), datatype codes in one table (:data:`DATATYPES`).

Geometry follows the NIfTI-1 standard (nifti1.h, "3 methods"): the sform when
``sform_code > 0``, else the qform when ``qform_code > 0`` (quaternion, qfac =
sign of ``pixdim[0]``), else method 1: ``x = i * pixdim[1]`` ... with origin 0
(nibabel's ``get_best_affine`` differs here: it centres and x-flips the ANALYZE
way). A warning is added when sform and qform are both set and differ by more
than 1e-3. The RAS+ affine is turned into LPS once: x and y of every column and
of the origin are negated.

Images of 1 to 3 dimensions are read (missing axes have size 1). For 4D and up
(``dim[4..7] > 1``) the first 3D volume is returned with a warning naming the
shape. ``scl_slope``/``scl_inter`` go to :attr:`Volume.rescale` (slope 0 or
non-finite: no scaling). RGB24 gives ``components = 3``; complex, float128,
RGBA32 and binary data raise :class:`UnsupportedError`.
"""

from __future__ import annotations

import math
import struct
import zlib

from dicomforge import kernels
from dicomforge.errors import InputError, UnsupportedError, plain_reason
from dicomforge.inputs import NamedInput
from dicomforge.kinds import basename
from dicomforge.geometry import frame_from_columns
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from . import _common

__all__ = ["read", "read_header", "NIFTI1_FIELDS", "NIFTI2_FIELDS", "DATATYPES", "header_kind"]

# (field, struct format, byte offset) -- nifti1.h
NIFTI1_FIELDS = (
    ("sizeof_hdr", "i", 0),
    ("dim", "8h", 40),
    ("datatype", "h", 70),
    ("bitpix", "h", 72),
    ("pixdim", "8f", 76),
    ("vox_offset", "f", 108),
    ("scl_slope", "f", 112),
    ("scl_inter", "f", 116),
    ("qform_code", "h", 252),
    ("sform_code", "h", 254),
    ("quatern", "3f", 256),
    ("qoffset", "3f", 268),
    ("srow_x", "4f", 280),
    ("srow_y", "4f", 296),
    ("srow_z", "4f", 312),
    ("magic", "4s", 344),
)
# nifti2.h
NIFTI2_FIELDS = (
    ("sizeof_hdr", "i", 0),
    ("magic", "8s", 4),
    ("datatype", "h", 12),
    ("bitpix", "h", 14),
    ("dim", "8q", 16),
    ("pixdim", "8d", 104),
    ("vox_offset", "q", 168),
    ("scl_slope", "d", 176),
    ("scl_inter", "d", 184),
    ("qform_code", "i", 344),
    ("sform_code", "i", 348),
    ("quatern", "3d", 352),
    ("qoffset", "3d", 376),
    ("srow_x", "4d", 400),
    ("srow_y", "4d", 432),
    ("srow_z", "4d", 464),
)
SIZES = {348: NIFTI1_FIELDS, 540: NIFTI2_FIELDS}
MAGICS = {348: (b"n+1\0", b"ni1\0"), 540: (b"n+2\0", b"ni2\0")}

# (code, label, dtype, components); dtype None: unsupported
DATATYPES = {
    code: (label, dtype, components)
    for code, label, dtype, components in (
        (1, "binary", None, 1),
        (2, "uint8", "uint8", 1),
        (4, "int16", "int16", 1),
        (8, "int32", "int32", 1),
        (16, "float32", "float32", 1),
        (32, "complex64", None, 1),
        (64, "float64", "float64", 1),
        (128, "RGB24", "uint8", 3),
        (256, "int8", "int8", 1),
        (512, "uint16", "uint16", 1),
        (768, "uint32", "uint32", 1),
        (1024, "int64", "int64", 1),
        (1280, "uint64", "uint64", 1),
        (1536, "float128", None, 1),
        (1792, "complex128", None, 1),
        (2048, "complex256", None, 1),
        (2304, "RGBA32", None, 1),
    )
}


def header_kind(data) -> tuple[int, str] | None:
    """``(sizeof_hdr, byte order)`` when *data* starts with a NIfTI-1/-2 header with its magic."""
    if len(data) < 348:
        return None
    head = bytes(data[:348])
    for order in "<>":
        (size,) = struct.unpack_from(order + "i", head)
        if size == 348 and head[344:348] in MAGICS[348]:
            return size, order
        if size == 540 and head[4:8] in MAGICS[540]:
            return size, order
    return None


def read_header(data, name: str) -> dict:
    """Parse a NIfTI-1 or NIfTI-2 header into a dict of :data:`NIFTI1_FIELDS` names.

    Adds ``"order"`` (``"<"`` or ``">"``), ``"version"`` (1 or 2) and ``"single"``
    (True for ``n+1``/``n+2``: data in the same file).
    """
    kind = header_kind(data)
    if kind is None:
        head = bytes(data[:4]).ljust(4, b"\0")
        sizes = {struct.unpack("<i", head)[0], struct.unpack(">i", head)[0]} & set(SIZES)
        if sizes and len(data) < max(sizes):
            raise InputError(f"NIfTI header is truncated: {len(data)} of {max(sizes)} bytes", name)
        if sizes:
            raise UnsupportedError("header has no NIfTI magic (ANALYZE 7.5 is not supported)", name)
        raise InputError(f"not a NIfTI header ({len(data)} bytes, no sizeof_hdr 348/540)", name)
    size, order = kind
    if len(data) < size:
        raise InputError(f"NIfTI-{1 if size == 348 else 2} header is truncated: {len(data)} of {size} bytes", name)
    head = bytes(data[:size])
    header = {"order": order, "version": 1 if size == 348 else 2}
    for field, fmt, offset in SIZES[size]:
        values = struct.unpack_from(order + fmt, head, offset)
        header[field] = values[0] if len(values) == 1 else values
    header["single"] = header["magic"][1:2] == b"+"
    return header


def _affine_rows(header: dict, name: str, warnings: list) -> list[list[float]]:
    """The 3x4 RAS+ voxel-to-world matrix chosen per the standard's precedence."""
    qform = _qform(header, name, warnings) if header["qform_code"] > 0 else None
    if header["sform_code"] > 0:
        sform = [list(header[r]) for r in ("srow_x", "srow_y", "srow_z")]
        if qform is not None:
            diff = max(abs(a - b) for ra, rb in zip(sform, qform) for a, b in zip(ra, rb))
            if diff > 1e-3:
                warnings.append(
                    f"sform and qform disagree (largest difference {diff:.4g}); using the sform"
                )
        return sform
    if qform is not None:
        return qform
    dx, dy, dz = _pixdims(header, warnings)
    return [[dx, 0, 0, 0], [0, dy, 0, 0], [0, 0, dz, 0]]


def _pixdims(header: dict, warnings: list) -> tuple[float, float, float]:
    out = []
    for k in (1, 2, 3):
        value = abs(header["pixdim"][k])
        if not math.isfinite(value) or value == 0:
            if header["dim"][k] > 1 and k <= header["dim"][0]:
                warnings.append(f"pixdim[{k}] is {header['pixdim'][k]}; using 1 mm")
            value = 1.0
        out.append(value)
    return tuple(out)


def _qform(header: dict, name: str, warnings: list) -> list[list[float]]:
    """The qform matrix from the quaternion (nifti1.h, method 2)."""
    b, c, d = header["quatern"]
    a2 = 1.0 - (b * b + c * c + d * d)
    if a2 < 1e-7:  # nifti1_io: a = 0 and (b, c, d) renormalised
        length = math.sqrt(b * b + c * c + d * d) or 1.0
        a, b, c, d = 0.0, b / length, c / length, d / length
    else:
        a = math.sqrt(a2)
    rot = [
        [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
        [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ]
    qfac = -1.0 if header["pixdim"][0] < 0 else 1.0
    zooms = list(_pixdims(header, warnings))
    zooms[2] *= qfac
    return [[rot[i][j] * zooms[j] for j in range(3)] + [header["qoffset"][i]] for i in range(3)]


def _partner_names(name: str) -> tuple[str, str]:
    """``(header name, image name)`` of a ``.hdr``/``.img`` pair given either name."""
    base = basename(name)
    lower = base.lower()
    for suffix in (".gz", ""):
        for ext, other in ((".hdr", ".img"), (".img", ".hdr")):
            if lower.endswith(ext + suffix):
                stem = base[: len(base) - len(ext + suffix)]
                pair = {ext: base, other: stem + other + suffix}
                return pair[".hdr"], pair[".img"]
    return base, base[: base.rfind(".")] + ".img" if "." in base else base + ".img"


def _maybe_gunzip(data, name: str, budget: int, header_only: bool = False):
    if bytes(data[:2]) == b"\x1f\x8b":
        if header_only:  # the header is in the first bytes; the file may be only its start
            try:
                return zlib.decompressobj(31).decompress(bytes(data[:65536]), 4096)
            except zlib.error as exc:
                raise InputError(f"gzip data does not decompress: {plain_reason(exc)}", name) from None
        return _common.decompress(data, "gzip", name, budget)
    return data


def _gunzip_declared(data, name: str, budget: int):
    """A gzipped NIfTI inflated only as far as its header says the image goes.

    The header (in the first inflated bytes) gives the image's end; inflating stops
    there, so a file that inflates to gigabytes more than it declares (a decompression
    bomb) costs no more memory than an honest one. Headers whose sizes cannot be
    computed (unknown datatype, negative dimensions, beyond the limit) stop after the
    header; :func:`_wire` then reports what is wrong with them.
    """
    head = _maybe_gunzip(data, name, budget, header_only=True)
    if header_kind(head) is None:
        return head
    end = _declared_end(read_header(head, name), budget)
    return head if end is None else _common.decompress(data, "gzip", name, budget, end)


def _declared_end(header: dict, budget: int) -> int | None:
    """Byte offset where the header says the image data ends, or None when it cannot say."""
    dim, code, offset = header["dim"], header["datatype"], header["vox_offset"]
    if code not in DATATYPES or DATATYPES[code][1] is None or not 1 <= dim[0] <= 7 or not math.isfinite(offset):
        return None
    count = DATATYPES[code][2] * kernels.itemsize(DATATYPES[code][1])
    for n in dim[1 : dim[0] + 1]:
        if n <= 0:
            return None
        count *= n
    end = max(int(offset), header["sizeof_hdr"] + 4) + count
    return end if end <= budget else None


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False,
         budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """Read a NIfTI-1/-2 image (single file or ``.hdr``/``.img`` pair) into a :class:`Volume`.

    *header_only*: geometry without voxels (``data`` None), from the header alone.
    """
    name = item.name
    gzipped = bytes(item.data[:2]) == b"\x1f\x8b"
    if gzipped and not header_only:
        data = _gunzip_declared(item.data, name, budget)
    else:
        data = _maybe_gunzip(item.data, name, budget, header_only)
    hdr_name, img_name = _partner_names(name)
    if header_kind(data) is None and basename(name).lower() != hdr_name.lower():
        # an .img was dropped: its header is the partner
        header_item = _common.find_partner(partners, hdr_name, name, "header")
        header = read_header(_maybe_gunzip(header_item.data, header_item.name, budget, header_only), name)
        image = data
    else:
        header = read_header(data, name)
        image = data
        if not header["single"] and not header_only:
            image_item = _common.find_partner(partners, img_name, name)
            image = _maybe_gunzip(image_item.data, image_item.name, budget)
    return _wire(header, None if header_only else image, name, budget)


def _wire(header: dict, image, name: str, budget: int) -> Volume:
    """Check the header against the image bytes (None: header only) and build the Volume."""
    order, dim = header["order"], header["dim"]
    code = header["datatype"]
    if code not in DATATYPES:
        raise InputError(f"unknown NIfTI datatype code {code}", name)
    label, dtype, components = DATATYPES[code]
    if dtype is None:
        raise UnsupportedError(f"NIfTI datatype {label} (code {code}) is not supported", name)
    ndim = dim[0]
    if not 1 <= ndim <= 7:
        raise InputError(f"NIfTI dim[0] is {ndim}, must be 1 to 7", name)
    shape = [int(n) for n in dim[1 : ndim + 1]]
    size = _common.pad_to_3d(shape[:3], name)
    if not math.isfinite(header["vox_offset"]):
        raise InputError(f"NIfTI vox_offset is {header['vox_offset']}, not a byte offset", name)
    offset = int(header["vox_offset"]) if header["single"] else max(int(header["vox_offset"]), 0)
    if header["single"]:
        offset = max(offset, header["sizeof_hdr"] + 4)
    available = None if image is None else max(len(image) - offset, 0)
    _common.check_size(name, shape, components, dtype, available, budget)
    warnings: list[str] = []
    if any(n > 1 for n in shape[3:]):
        later = 1
        for n in shape[3:]:
            later *= n
        warnings.append(
            f"{len(shape)}D image {'x'.join(map(str, shape))}: read the first of {later} volumes"
        )
    nbytes = _common.check_size(name, size, components, dtype, available, budget)
    voxels = None if image is None else _common.to_little(memoryview(image)[offset : offset + nbytes], dtype, order == ">")
    rows = _affine_rows(header, name, warnings)
    lps = [[-v for v in rows[0]], [-v for v in rows[1]], list(rows[2])]
    columns = [[lps[i][j] for i in range(3)] for j in range(3)]
    spacing, direction = frame_from_columns(columns, name, warnings)
    slope, inter = header["scl_slope"], header["scl_inter"]
    if components > 1 or not math.isfinite(slope) or slope == 0:
        rescale = (1.0, 0.0)
    else:
        rescale = (float(slope), float(inter) if math.isfinite(inter) else 0.0)
    return Volume(
        data=voxels,
        dtype=dtype,
        size=size,
        spacing=spacing,
        origin=tuple(float(lps[i][3]) for i in range(3)),
        direction=direction,
        components=components,
        rescale=rescale,
        name=name,
        warnings=warnings,
    ).validate()
