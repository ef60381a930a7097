"""Image file bytes -> pixels: PNG, JPEG and Netpbm (PAM, PGM, PPM), told apart by their first bytes.

PNG is decoded here, on the standard library (zlib, slices, :mod:`itertools`), because
Pillow is not available in the app's Pyodide while zlib is, and because PNG is the format
that carries 16-bit grey, which the browser's own decoders (``createImageBitmap``, canvas)
cut to 8 bits. Every colour type (0, 2, 3, 4, 6), bit depth (1, 2, 4, 8, 16), filter and
Adam7 interlacing is read (PNG 2nd ed., W3C/ISO 15948); CRCs are not checked.

JPEG (and GIF, BMP, TIFF, WebP) are decoded by Pillow where it is importable (natively);
in the browser the page decodes them itself and hands the pixels over as a PAM file
(``P7``, TUPLTYPE ``RGB_ALPHA``, from an OffscreenCanvas).

Decisions: alpha is dropped (``had_alpha`` says that some pixel was not opaque, or that a
PNG names a transparent colour, so the caller can warn); a palette is expanded to RGB;
grey of 1, 2 or 4 bits is scaled to 8 (``v * 255 / (2**bits - 1)``, as PNG defines it);
16-bit samples are kept. The decoded size is checked against *budget* before any
pixel buffer is allocated, and inflating stops at the size the header declares.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from dataclasses import dataclass
from itertools import accumulate

from dicomforge import kernels
from dicomforge.errors import InputError, UnsupportedError
from dicomforge.limits import PLATFORM_MAX_BYTES

__all__ = ["DecodedImage", "decode_image", "image_kind"]


@dataclass(frozen=True)
class DecodedImage:
    """Decoded pixels: row-major, samples interleaved (R, G, B), 16-bit little-endian."""

    width: int
    height: int
    samples: int  # 1 (grey) or 3 (RGB)
    bits: int  # 8 or 16
    pixels: bytes
    had_alpha: bool = False
    source: str = ""  # "png", "jpeg", "pam", "pgm", "ppm", ...

    def __post_init__(self) -> None:
        need = self.width * self.height * self.samples * (self.bits // 8)
        if self.samples not in (1, 3) or self.bits not in (8, 16) or self.width < 1 or len(self.pixels) != need:
            raise InputError(f"{len(self.pixels)} bytes do not make a {self.width}x{self.height} image of "
                             f"{self.samples} samples of {self.bits} bits (1 or 3 samples of 8 or 16 bits)")


#: (first bytes, kind); Netpbm magics are followed by whitespace.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
          (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"BM", "bmp"))
_NETPBM = {b"P5": "pgm", b"P6": "ppm", b"P7": "pam"}


def image_kind(data) -> str | None:
    """The kind of image (``"png"``, ``"jpeg"``, ``"pam"``, ...) *data*'s first bytes say, or None."""
    head = bytes(data[:16])
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:2] in _NETPBM and head[2:3].isspace():
        return _NETPBM[head[:2]]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def decode_image(data, name: str, *, budget: int = PLATFORM_MAX_BYTES) -> DecodedImage:
    """Decode image file *data* (bytes-like) called *name*; pixels larger than *budget* bytes are refused.

    Raises
    ------
    InputError
        Empty, truncated or damaged data, not an image, or pixels over *budget*.
    UnsupportedError
        A valid file this does not read (JPEG without Pillow, MAXVAL 4095, ...).
    """
    if not len(data):
        raise InputError("the file is empty (0 bytes)", name)
    kind = image_kind(data)
    if kind == "png":
        return _png(memoryview(data), name, budget)
    if kind in ("pam", "pgm", "ppm"):
        return _netpbm(memoryview(data), name, budget, kind)
    if kind is not None:
        return _pillow(data, name, budget, kind)
    if bytes(data[128:132]) == b"DICM":
        raise InputError("this is a DICOM file already, not an image to convert", name)
    head = " ".join(f"{b:02x}" for b in bytes(data[:8]))
    raise InputError(f"not an image this reads (PNG, JPEG, PAM/PGM/PPM): it starts with bytes {head}", name)


# -- shared ----------------------------------------------------------------------------------


_NAMES = {1: "grey", 2: "grey+alpha", 3: "RGB", 4: "RGBA"}


def _check_budget(width: int, height: int, channels: int, bits: int, budget: int, name: str) -> None:
    need = width * height * channels * (bits // 8)
    if need > budget:
        raise InputError(f"a {width}x{height} {_NAMES[channels]} {bits}-bit image needs {need} bytes, over the "
                         f"memory budget of {budget} bytes", name)


def _finish(samples, width: int, height: int, channels: int, bits: int, source: str,
            had_alpha: bool = False) -> DecodedImage:
    """*samples* (bytes-like, 16-bit little-endian) with alpha, if any, dropped; 16-bit samples are
    big-endian in PNG and Netpbm files (``kernels.byteswap`` turns them)."""
    unit = bits // 8
    if channels in (2, 4):
        keep, step = (channels - 1) * unit, channels * unit
        samples = bytearray(samples)
        for k in range(unit):  # opaque: every byte of every alpha sample is 255
            alpha = samples[keep + k :: step]
            had_alpha = had_alpha or alpha.count(255) != len(alpha)
        out = bytearray(len(samples) // step * keep)
        for k in range(keep):
            out[k::keep] = samples[k::step]
        samples, channels = out, channels - 1
    return DecodedImage(width, height, channels, bits, bytes(samples), had_alpha, source)


# -- PNG -------------------------------------------------------------------------------------


#: colour type -> (channels, bit depths allowed) (PNG 2nd ed. 11.2.2 Table 11.1)
_COLOUR = {0: (1, (1, 2, 4, 8, 16)), 2: (3, (8, 16)), 3: (1, (1, 2, 4, 8)), 4: (2, (8, 16)), 6: (4, (8, 16))}
#: Adam7 passes: (x0, y0, dx, dy) (PNG 2nd ed. 8.2)
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_BYTE = (255).__and__


def _png_chunks(data: memoryview, name: str):
    """``(IHDR fields, PLTE, tRNS, [IDAT bodies])``; stops at IEND or at the end of the data."""
    header = palette = trns = None
    idat, pos = [], 8
    while pos < len(data):
        if pos + 12 > len(data):
            raise InputError(f"PNG ends inside a chunk header at byte {pos} of {len(data)} (truncated file?)", name)
        length, kind = struct.unpack_from(">I4s", data, pos)
        label = kind.decode("latin-1")
        if pos + 12 + length > len(data):
            raise InputError(f"PNG chunk {label} at byte {pos} declares {length} bytes but only "
                             f"{max(len(data) - pos - 12, 0)} follow (truncated file?)", name)
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if header is None and kind != b"IHDR":
            raise InputError(f"PNG starts with chunk {label}, not IHDR (damaged file?)", name)
        if kind == b"IHDR":
            if length != 13:
                raise InputError(f"PNG header (IHDR) has {length} bytes, not 13 (damaged file?)", name)
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = bytes(body)
        elif kind == b"tRNS":
            trns = bytes(body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        elif not kind[0] & 0x20:  # an unknown critical chunk (upper-case first letter): PNG 5.4
            raise UnsupportedError(f"PNG has a critical chunk {label} that this decoder does not know "
                                   "(an Apple-optimised PNG? save it again as a standard PNG)", name)
    if header is None:
        raise InputError("PNG has no header chunk (IHDR)", name)
    return header, palette, trns, idat


def _png(data: memoryview, name: str, budget: int) -> DecodedImage:
    (width, height, depth, colour, compression, filtering, interlace), palette, trns, idat = _png_chunks(data, name)
    if colour not in _COLOUR or depth not in _COLOUR[colour][1]:
        raise InputError(f"PNG header gives colour type {colour} with bit depth {depth}, which PNG does not define", name)
    if compression or filtering or interlace > 1:
        raise InputError(f"PNG header gives compression {compression}, filter method {filtering}, interlace "
                         f"{interlace}: PNG defines 0, 0 and 0 or 1 only", name)
    if not (0 < width < 2**31 and 0 < height < 2**31):
        raise InputError(f"PNG header gives a size of {width}x{height} pixels", name)
    if colour == 3 and (not palette or len(palette) % 3 or len(palette) > 768):
        raise InputError(f"PNG palette (PLTE) has {len(palette or b'')} bytes: a palette image needs 1 to 256 "
                         "RGB entries", name)
    channels = _COLOUR[colour][0]
    decoded = 4 if colour == 3 and trns else 3 if colour == 3 else channels
    bits = 16 if depth == 16 else 8
    _check_budget(width, height, decoded, bits, budget, name)
    if not idat:
        raise InputError("PNG has no image data (IDAT)", name)

    passes = []
    for x0, y0, dx, dy in _ADAM7 if interlace else ((0, 0, 1, 1),):
        pw, ph = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if pw and ph:  # an empty pass has no rows, not even filter bytes
            passes.append((x0, y0, dx, dy, pw, ph, (pw * channels * depth + 7) // 8))
    size = sum(ph * (stride + 1) for *_, ph, stride in passes)
    raw = _inflate(b"".join(idat), size, width, height, name)

    bpp = max(1, channels * depth // 8)  # bytes to the corresponding byte of the pixel to the left
    table = _unpack_table(depth, scale=colour != 3) if depth < 8 else None
    unit = channels * (bits // 8)  # bytes of one pixel once unpacked
    if not interlace:
        samples = _unpack(_unfilter(raw, 0, height, passes[0][6], bpp, name), height, passes[0][6], width * channels, table)
    else:
        samples, pos = bytearray(width * height * unit), 0
        for x0, y0, dx, dy, pw, ph, stride in passes:
            rows = _unfilter(raw, pos, ph, stride, bpp, name)
            pos += ph * (stride + 1)
            flat, line = bytes(_unpack(rows, ph, stride, pw * channels, table)), pw * unit
            for r in range(ph):
                start, row = (y0 + r * dy) * width * unit, flat[r * line : (r + 1) * line]
                for k in range(unit):
                    samples[start + x0 * unit + k : start + width * unit : dx * unit] = row[k::unit]
    if colour == 3:
        samples, channels = _expand_palette(samples, palette, trns), decoded
    elif depth == 16:
        samples = kernels.byteswap(samples, 2)  # PNG is big-endian
    return _finish(samples, width, height, channels, bits, "png", had_alpha=bool(trns) and colour != 3)


def _inflate(compressed: bytes, size: int, width: int, height: int, name: str) -> bytes:
    """The first *size* bytes of the zlib stream: never more, so a bomb stops here."""
    stream = zlib.decompressobj()
    try:
        raw = stream.decompress(compressed, size)
    except zlib.error as exc:
        raise InputError(f"PNG image data is damaged (zlib: {str(exc).rsplit(': ', 1)[-1]})", name) from None
    if len(raw) < size:
        how = "ends" if stream.eof else "is cut off"
        raise InputError(f"PNG image data {how} after {len(raw)} of the {size} bytes a {width}x{height} image "
                         "needs (truncated file?)", name)
    return raw


def _unfilter(raw: bytes, pos: int, rows: int, stride: int, bpp: int, name: str) -> bytearray:
    """Undo the filters of *rows* rows of *stride* bytes at *pos* (PNG 2nd ed. 9.2). The
    result has a zero row first (the "row above" the first), then the rows."""
    out = bytearray((rows + 1) * stride)
    low = int.from_bytes(b"\x7f" * stride, "little")
    high = int.from_bytes(b"\x80" * stride, "little")
    for y in range(1, rows + 1):
        kind, line = raw[pos], raw[pos + 1 : pos + 1 + stride]
        pos += stride + 1
        start, above = y * stride, (y - 1) * stride
        if kind == 0:  # None
            out[start : start + stride] = line
        elif kind == 1:  # Sub: a running sum per byte of the pixel, mod 256
            for k in range(bpp):
                out[start + k : start + stride : bpp] = bytes(map(_BYTE, accumulate(line[k::bpp])))
        elif kind == 2:  # Up: bytewise sum without carries, on whole rows as integers
            x, p = int.from_bytes(line, "little"), int.from_bytes(out[above:start], "little")
            out[start : start + stride] = (((x & low) + (p & low)) ^ ((x ^ p) & high)).to_bytes(stride, "little")
        elif kind in (3, 4):  # Average, Paeth: a loop per byte of the pixel, a = the byte to the left
            for k in range(bpp):
                out[start + k : start + stride : bpp] = (_average if kind == 3 else _paeth)(
                    line[k::bpp], out[above + k : start : bpp])
        else:
            raise InputError(f"PNG row {y - 1} has filter type {kind}; PNG defines 0 to 4 (damaged file?)", name)
    return out


def _average(line: bytes, prior: bytes) -> bytes:
    out, a = [], 0
    for x, b in zip(line, prior):
        a = (x + ((a + b) >> 1)) & 255
        out.append(a)
    return bytes(out)  # (a list appended to: faster here than a bytearray written by index)


def _paeth(line: bytes, prior: bytes) -> bytes:
    out, a, c = [], 0, 0
    append = out.append
    for x, b in zip(line, prior):
        pa, pb = b - c, a - c  # p = a + b - c; |p - a|, |p - b|, |p - c|
        pc = pa + pb
        if pa < 0:
            pa = -pa
        if pb < 0:
            pb = -pb
        if pc < 0:
            pc = -pc
        a, c = (x + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255, b
        append(a)
    return bytes(out)


def _unpack_table(depth: int, scale: bool) -> list:
    """Byte -> its 8/depth samples (first pixel in the high bits), scaled to 8 bits if *scale*."""
    per, top = 8 // depth, (1 << depth) - 1
    factor = 255 // top if scale else 1
    return [bytes((b >> (8 - depth * (j + 1)) & top) * factor for j in range(per)) for b in range(256)]


def _unpack(rows: bytearray, count: int, stride: int, samples: int, table):
    """The *count* rows after the zero row, one byte per sample below 8 bits (rows are padded
    to whole bytes); at 8 and 16 bits the rows as they are."""
    if table is None:
        return memoryview(rows)[stride:]
    get = table.__getitem__
    return b"".join(b"".join(map(get, rows[y * stride : (y + 1) * stride]))[:samples] for y in range(1, count + 1))


def _expand_palette(indices, palette: bytes, trns: bytes | None) -> bytearray:
    """Palette indices -> RGB (RGBA with a tRNS chunk); indices past the palette give black."""
    entries = len(palette) // 3
    tables = [bytes(palette[c::3]) + bytes(256 - entries) for c in range(3)]
    if trns:
        tables.append(trns[:256] + b"\xff" * (256 - len(trns[:256])))
    indices = bytes(indices)
    out = bytearray(len(indices) * len(tables))
    for c, table in enumerate(tables):
        out[c :: len(tables)] = indices.translate(table)
    return out


# -- Netpbm ----------------------------------------------------------------------------------


_SEP = rb"(?:\s|#[^\r\n]*)+"
_PNM = re.compile(rb"P[56]" + _SEP + rb"(\d+)" + _SEP + rb"(\d+)" + _SEP + rb"(\d+)\s")
#: PAM TUPLTYPE -> channels (netpbm's pam(5)); depth gives it when TUPLTYPE is absent
_TUPLTYPES = {"GRAYSCALE": 1, "GRAYSCALE_ALPHA": 2, "RGB": 3, "RGB_ALPHA": 4}


def _netpbm(data: memoryview, name: str, budget: int, kind: str) -> DecodedImage:
    label = kind.upper()
    if kind == "pam":
        end = bytes(data[:4096]).find(b"ENDHDR\n")
        if end < 0:
            raise InputError("PAM header has no ENDHDR line in its first 4096 bytes", name)
        fields = {}
        for line in bytes(data[3:end]).decode("latin-1").splitlines():
            key, _, value = line.strip().partition(" ")
            if key and not key.startswith("#"):
                fields[key.upper()] = value.strip()
        start = end + 7
        try:
            width, height, depth, maxval = (int(fields[k]) for k in ("WIDTH", "HEIGHT", "DEPTH", "MAXVAL"))
        except (KeyError, ValueError):
            raise InputError(f"PAM header needs whole numbers for WIDTH, HEIGHT, DEPTH and MAXVAL, has {fields}",
                             name) from None
        tupltype = fields.get("TUPLTYPE", "").upper() or {v: k for k, v in _TUPLTYPES.items()}.get(depth, "")
        if _TUPLTYPES.get(tupltype) != depth:
            raise UnsupportedError(f"PAM TUPLTYPE {tupltype or '(none)'} with DEPTH {depth}: this reads {_TUPLTYPES}", name)
    else:
        match = _PNM.match(bytes(data[:4096]))
        if match is None:
            raise InputError(f"{label} header is not 'P5|P6 width height maxval' (damaged file?)", name)
        width, height, maxval = (int(v) for v in match.groups())
        depth, start = (1 if kind == "pgm" else 3), match.end()
    if maxval not in (255, 65535):
        raise UnsupportedError(f"{label} MAXVAL is {maxval}: this reads 255 (8-bit) and 65535 (16-bit) only", name)
    if width < 1 or height < 1:
        raise InputError(f"{label} header gives a size of {width}x{height} pixels", name)
    bits = 8 if maxval == 255 else 16
    _check_budget(width, height, depth, bits, budget, name)
    need = width * height * depth * bits // 8
    raster = data[start : start + need]
    if len(raster) < need:
        raise InputError(f"{label} pixel data has {len(raster)} bytes, a {width}x{height} {_NAMES[depth]} "
                         f"{bits}-bit image needs {need} (truncated file?)", name)
    return _finish(raster if bits == 8 else kernels.byteswap(raster, 2), width, height, depth, bits, kind)


# -- Pillow (natively) -----------------------------------------------------------------------


def _pillow(data, name: str, budget: int, kind: str) -> DecodedImage:
    label = kind.upper()
    try:
        from PIL import Image, ImageOps
    except ImportError:
        raise UnsupportedError(f"{label} images need Pillow here (pip install pillow); the browser app decodes "
                               "them in the page", name) from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            wide = image.mode.startswith("I;16")
            _check_budget(*image.size, 4 if image.mode == "P" else len(image.getbands()), 16 if wide else 8,
                          budget, name)
            image = ImageOps.exif_transpose(image)  # upright, as a browser shows it
            (width, height), mode = image.size, image.mode
            if wide:
                raw = kernels.byteswap(image.tobytes(), 2) if mode == "I;16B" else image.tobytes()
                return _finish(raw, width, height, 1, 16, kind)
            if mode in ("I", "F"):
                raise UnsupportedError(f"{label} image of 32-bit {'floats' if mode == 'F' else 'integers'} "
                                       "cannot be stored as 8 or 16 bits", name)
            if mode in ("P", "PA"):
                mode = "RGBA" if mode == "PA" or "transparency" in image.info else "RGB"
            target = {"1": "L", "L": "L", "LA": "LA", "La": "LA", "RGBA": "RGBA", "RGBa": "RGBA"}.get(mode, "RGB")
            converted = image.convert(target) if image.mode != target else image
            return _finish(converted.tobytes(), width, height, len(target), 8, kind)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise InputError(f"{label} image cannot be decoded: {exc}", name) from None
