"""The fuzz corpus: valid seed files of every supported format, and deterministic mutations.

Standard library (and pydicom's own test files) only, so the same cases run natively and
inside Pyodide. A *seed* is a valid input set (a main file plus the partner files of a
two-file format); a *case* is a seed with one mutation applied, named so that a failure
can be reproduced (``FUZZ_CASES=1 ... -k`` is not needed: the name carries seed and index).

Mutations aim where readers go wrong: truncation at header boundaries, bit flips and
interesting bytes in headers, numbers in text headers replaced by lies (0, -1, huge,
NaN, inf), NIfTI header fields set to lies, random bytes under the right name, empty
files, a missing partner, decompression bombs, 0- and 1-slice volumes, odd Rows/Columns,
codestreams (JPEG, JPEG Lossless, JPEG-LS, JPEG 2000, HTJ2K) cut, flipped and lied about, and
Zarr stores (zip and folder, zstd and Blosc chunks) cut, flipped, with lying metadata.
"""

from __future__ import annotations

import bz2
import datetime
import gzip
import itertools
import random
import re
import struct
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from dicomforge.phantom import nifti_header
from dicomforge.volume import Volume

# numbers a lying header might carry
LIES = ("0", "-1", "1", "3", "65535", "2147483647", "2147483648", "99999999999", "1e308", "-1e308",
        "nan", "inf", "-inf", "0.0", "1e-300", "x", "")
INTERESTING_BYTES = (0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A)


@dataclass
class Seed:
    """A valid input set: ``files`` maps names to bytes; ``main`` is the one read first."""

    name: str
    main: str
    files: dict[str, bytes]
    header_end: int  # bytes of the main file that are header (mutations concentrate there)
    text_header: bool = False


@dataclass
class Case:
    """One fuzz case: a seed after one mutation (the files of the case, by name)."""

    name: str
    files: dict[str, bytes] = field(repr=False)


# --- seeds --------------------------------------------------------------------------------


def _ramp(count: int, item: int = 2) -> bytes:
    return bytes((i * 7 + i // 5) & 0xFF for i in range(count * item))


def _nrrd(encoding: str, data: bytes, detached: str | None = None, sizes=(6, 5, 4)) -> bytes:
    lines = [
        "NRRD0004", "type: short", "dimension: 3", f"sizes: {' '.join(map(str, sizes))}",
        "space: left-posterior-superior",
        "space directions: (0.9,0,0) (0,0.8,0.1) (0,-0.1,0.8)", "space origin: (-10.5,3.25,7)",
        "endian: little", f"encoding: {encoding}",
    ]
    if detached:
        lines.append(f"data file: {detached}")
        return ("\n".join(lines) + "\n").encode()
    return ("\n".join(lines) + "\n\n").encode() + data


def _metaimage(data_file: str, compressed: bool = False, size=(6, 5, 4)) -> bytes:
    lines = [
        "ObjectType = Image", "NDims = 3", "BinaryData = True", "BinaryDataByteOrderMSB = False",
        f"CompressedData = {'True' if compressed else 'False'}",
        "TransformMatrix = 1 0 0 0 0.8 0.6 0 -0.6 0.8", "Offset = -3 4.5 12", "ElementSpacing = 0.7 0.7 2.5",
        f"DimSize = {' '.join(map(str, size))}", "ElementType = MET_SHORT", f"ElementDataFile = {data_file}",
    ]
    return ("\n".join(lines) + "\n").encode()


def _vtk(binary: bool, size=(6, 5, 4), header_only: bool = False) -> bytes:
    count = size[0] * size[1] * size[2]
    head = (
        "# vtk DataFile Version 3.0\nfuzz seed\n" + ("BINARY" if binary else "ASCII") + "\n"
        "DATASET STRUCTURED_POINTS\n" f"DIMENSIONS {size[0]} {size[1]} {size[2]}\n"
        "ORIGIN -2 3.5 1\nSPACING 0.5 0.75 1.5\n" f"POINT_DATA {count}\nSCALARS density short 1\nLOOKUP_TABLE default\n"
    ).encode()
    if header_only:
        return head + b"\0" * 64
    if binary:
        return head + struct.pack(f">{count}h", *range(-count // 2, count - count // 2))
    return head + " ".join(str(v) for v in range(count)).encode() + b"\n"


def _nifti2(size=(6, 5, 4)) -> bytes:
    hdr = bytearray(540)
    struct.pack_into("<i", hdr, 0, 540)
    hdr[4:12] = b"n+2\0\r\n\x1a\n"
    struct.pack_into("<hh", hdr, 12, 4, 16)  # int16
    struct.pack_into("<8q", hdr, 16, 3, *size, 1, 1, 1, 1)
    struct.pack_into("<8d", hdr, 104, 1, 0.9, 0.8, 1.7, 1, 1, 1, 1)
    struct.pack_into("<q", hdr, 168, 544)
    struct.pack_into("<ii", hdr, 344, 0, 1)  # qform_code 0, sform_code 1
    for row, values in enumerate(((-0.9, 0, 0, 5.0), (0, 0.8, -1.02, -3.0), (0, 0.6, 1.36, 8.0))):
        struct.pack_into("<4d", hdr, 400 + 32 * row, *values)
    count = size[0] * size[1] * size[2]
    return bytes(hdr) + b"\0\0\0\0" + _ramp(count)


def _nifti_pair() -> tuple[bytes, bytes]:
    header = bytearray(nifti_header((6, 5, 4), (1.0, 1.2, 2.0))[:348])
    header[344:348] = b"ni1\0"
    struct.pack_into("<f", header, 108, 0.0)
    return bytes(header), _ramp(6 * 5 * 4)


#: compressed seeds, one a codec: pydicom's files, and our HTJ2K one (tests/data, repository-relative)
COMPRESSED_SEEDS = ("MR_small_jpeg_ls_lossless.dcm", "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_jpeg_gdcm.dcm",
                    "MR_small_jp2klossless.dcm", "htj2k_mr_small.dcm")


_ROOT = "1.2.826.0.1.3680043.10.9."


class _FixedNow:
    @staticmethod
    def now():
        return datetime.datetime(2026, 12, 1, 12, 0, 0)


@contextmanager
def _fixed_uids_and_time(uid_module, time_module):
    """Fixed UIDs and time while writing seeds: random UIDs vary in length, which would change how
    many random bits each mutation draws and so every later case (CI would fuzz another corpus)."""
    counter = itertools.count(1)
    saved = uid_module.new_uid, time_module.datetime
    uid_module.new_uid, time_module.datetime = (lambda prefix="": f"{prefix or _ROOT}{next(counter)}"), _FixedNow
    try:
        yield
    finally:
        uid_module.new_uid, time_module.datetime = saved


@lru_cache(maxsize=1)
def _dicom_files() -> dict[str, bytes]:
    """pydicom's own test files (read from its wheel), our compressed ones and a 3-slice series of ours."""
    from pathlib import Path

    from pydicom.data import get_testdata_file

    from dicomforge.series import plan, template
    from dicomforge.series.options import SeriesOptions
    from dicomforge.series.plan import write_series
    from dicomforge.volume import Volume

    files = {}
    for name in ("CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm",
                 "MR_small_RLE.dcm", "SC_rgb_small_odd.dcm", "examples_overlay.dcm", "rtdose_1frame.dcm",
                 "SC_rgb_rle_2frame.dcm", "JPEG2000.dcm", "image_dfl.dcm", "no_meta.dcm", *COMPRESSED_SEEDS):
        own = Path(__file__).resolve().parents[1] / "data" / name
        path = str(own) if own.exists() else get_testdata_file(name, download=False)  # (pydicom's wheel: no network)
        if path:
            with open(path, "rb") as fh:
                files[name] = fh.read()
    volume = Volume(_ramp(7 * 5 * 3), "int16", (7, 5, 3), (0.8, 0.9, 2.0), (1.0, 2.0, 3.0))
    with _fixed_uids_and_time(plan, template):
        written = list(write_series(volume, SeriesOptions(modality="CT", uid_prefix=_ROOT)))
    for name, data in written:
        files[f"ours_{name}"] = data
    files["seg_of_ours.dcm"] = _segmentation_of(volume, {f"ours_{n}": d for n, d in written})
    return files


def _segmentation_of(volume, series: dict) -> bytes:
    """A BINARY Segmentation of our 3-slice series (fixed UIDs and time, as the series)."""
    from dicomforge.inputs import NamedInput
    from dicomforge.seg import write
    from dicomforge.seg.masks import from_label_map
    from dicomforge.seg.options import SegOptions
    from dicomforge.seg.sources import read_sources

    labels = Volume(bytes((i % 3) if i % 5 else 0 for i in range(7 * 5 * 3)), "uint8", volume.size, volume.spacing,
                    volume.origin, volume.direction, name="labels")
    with _fixed_uids_and_time(write, write):
        sources = read_sources([NamedInput(n, d) for n, d in series.items()])
        return write.write_segmentation(sources, from_label_map(labels, sources), SegOptions())[0]


def _zarr_store(compressor: str = "zstd", size=(6, 5, 4)) -> dict[str, bytes]:
    """The entries of a small Zarr store of ours (keys from its root)."""
    from dicomforge.zarr.write import ZarrOptions, store_entries

    volume = Volume(_ramp(size[0] * size[1] * size[2]), "int16", size, (0.9, 0.8, 2.0), (-10.5, 3.25, 7.0))
    return {key: bytes(data) for key, data in store_entries(volume, ZarrOptions(compressor=compressor))}


def _zip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for key, data in entries.items():
            info = zipfile.ZipInfo(key, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return out.getvalue()


@lru_cache(maxsize=1)
def seeds() -> list[Seed]:
    """Every seed, built once."""
    count = 6 * 5 * 4
    raw = _ramp(count)
    nifti = nifti_header((6, 5, 4), (1.0, 1.2, 2.0)) + raw
    pair_hdr, pair_img = _nifti_pair()
    out = [
        Seed("nifti1", "a.nii", {"a.nii": nifti}, 352),
        Seed("nifti1_gz", "a.nii.gz", {"a.nii.gz": gzip.compress(nifti, mtime=0)}, 40),
        Seed("nifti1_float", "f.nii", {"f.nii": nifti_header((6, 5, 4), (1, 1, 1), "float32")
                                       + struct.pack(f"<{count}f", *(i * 0.5 - 7 for i in range(count)))}, 352),
        Seed("nifti1_pair", "p.hdr", {"p.hdr": pair_hdr, "p.img": pair_img}, 348),
        Seed("nifti2", "b.nii", {"b.nii": _nifti2()}, 544),
        Seed("nrrd_raw", "c.nrrd", {"c.nrrd": _nrrd("raw", raw)}, 0, True),
        Seed("nrrd_gzip", "d.nrrd", {"d.nrrd": _nrrd("gzip", gzip.compress(raw, mtime=0))}, 0, True),
        Seed("nrrd_bzip2", "e.nrrd", {"e.nrrd": _nrrd("bzip2", bz2.compress(raw))}, 0, True),
        Seed("nrrd_ascii", "g.nrrd", {"g.nrrd": _nrrd("ascii", " ".join(str(i) for i in range(count)).encode())}, 0, True),
        Seed("nhdr", "h.nhdr", {"h.nhdr": _nrrd("raw", b"", detached="h.raw"), "h.raw": raw}, 0, True),
        Seed("mha", "i.mha", {"i.mha": _metaimage("LOCAL") + raw}, 0, True),
        Seed("mha_zlib", "j.mha", {"j.mha": _metaimage("LOCAL", compressed=True) + zlib.compress(raw)}, 0, True),
        Seed("mhd", "k.mhd", {"k.mhd": _metaimage("k.raw"), "k.raw": raw}, 0, True),
        Seed("vtk_binary", "l.vtk", {"l.vtk": _vtk(True)}, 0, True),
        Seed("vtk_ascii", "m.vtk", {"m.vtk": _vtk(False)}, 0, True),
        Seed("nrrd_one_slice", "n.nrrd", {"n.nrrd": _nrrd("raw", _ramp(6 * 5), sizes=(6, 5, 1))}, 0, True),
        Seed("nrrd_odd", "o.nrrd", {"o.nrrd": _nrrd("raw", _ramp(7 * 3 * 2), sizes=(7, 3, 2))}, 0, True),
        Seed("zarr_zip", "q.zarr.zip", {"q.zarr.zip": _zip(_zarr_store())}, 0),
        Seed("zarr_zip_blosc", "s.zarr.zip", {"s.zarr.zip": _zip(_zarr_store("blosc"))}, 0),
        Seed("zarr_folder", "r.zarr/zarr.json", {f"r.zarr/{k}": v for k, v in _zarr_store().items()}, 0),
    ]
    for seed in out:
        if seed.name.startswith("zarr"):
            seed.header_end = len(seed.files[seed.main])
        if seed.text_header:
            main = seed.files[seed.main]
            end = main.find(b"\n\n")
            seed.header_end = end + 2 if end >= 0 else len(main)
            if seed.name.startswith(("mha", "vtk")):
                marker = b"ElementDataFile" if seed.name.startswith("mha") else b"LOOKUP_TABLE default\n"
                at = main.find(marker)
                seed.header_end = main.find(b"\n", at) + 1
            if seed.name == "vtk_ascii":
                seed.header_end = len(main)
    dicom = _dicom_files()
    for name, data in dicom.items():
        if not name.startswith("ours_"):
            # compressed files: mutations anywhere, their codestreams too
            end = len(data) if name in COMPRESSED_SEEDS else min(len(data), 2048)
            out.append(Seed(f"dicom_{name}", name, {name: data}, end))
    ours = {k: v for k, v in dicom.items() if k.startswith("ours_")}
    first = sorted(ours)[0]
    out.append(Seed("dicom_series", first, ours, 1024))
    return out


# --- mutations ----------------------------------------------------------------------------


def _truncate(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    if seed.text_header:
        ends = [m.end() for m in re.finditer(rb"\n", data[: seed.header_end])] or [0]
        cut = rng.choice(ends + [rng.randrange(len(data) + 1)])
    elif seed.name.startswith("nifti"):
        cut = rng.choice((0, 3, 4, 40, 56, 70, 72, 76, 108, 112, 252, 280, 344, 347, 348, 351, 352, 540, 543,
                          len(data) - 1, len(data) // 2))
    else:
        cut = rng.choice((0, 127, 128, 131, 132, rng.randrange(132, max(133, seed.header_end)),
                          len(data) - 1, len(data) // 2))
    return data[: max(0, min(cut, len(data)))]


def _bitflip(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    out = bytearray(data)
    span = max(1, min(len(out), seed.header_end or len(out)))
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(span)
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def _interesting(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    out = bytearray(data)
    span = max(1, min(len(out), seed.header_end or len(out)))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(span)
        width = rng.choice((1, 2, 4))
        out[at:at + width] = bytes([rng.choice(INTERESTING_BYTES)]) * width
    return bytes(out[: len(data)])


_NUMBER = re.compile(rb"-?\d+(\.\d+)?(e-?\d+)?")


def _lie_text(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    header = data[: seed.header_end]
    numbers = list(_NUMBER.finditer(header))
    if not numbers:
        return _bitflip(rng, seed, data)
    match = rng.choice(numbers)
    return data[: match.start()] + rng.choice(LIES).encode() + data[match.end():]


# (offset, struct format) of NIfTI-1 fields worth lying about
_NIFTI1_FIELDS = (
    (40, "<h"), (42, "<h"), (44, "<h"), (46, "<h"), (48, "<h"), (56, "<h"), (70, "<h"), (72, "<h"),
    (76, "<f"), (80, "<f"), (84, "<f"), (88, "<f"), (108, "<f"), (112, "<f"), (116, "<f"),
    (252, "<h"), (254, "<h"), (256, "<f"), (280, "<f"), (284, "<f"), (296, "<f"), (316, "<f"),
)
_NIFTI_LIES = {"<h": (0, -1, 1, 2, 5, 7, 8, 32767, -32768, 16, 64, 128, 255, 511, 1536, 2304),
               "<f": (0.0, -1.0, 1e30, -1e30, float("nan"), float("inf"), 1e-30, 3.0, 352.0, 1e9)}


def _lie_nifti(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    if seed.name == "nifti2" or len(data) < 348:
        return _interesting(rng, seed, data)
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        offset, fmt = rng.choice(_NIFTI1_FIELDS)
        struct.pack_into(fmt, out, offset, rng.choice(_NIFTI_LIES[fmt]))
    return bytes(out)


def _random_bytes(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    return rng.randbytes(rng.choice((1, 16, 348, 540, len(data))))


def _empty(rng: random.Random, seed: Seed, data: bytes) -> bytes:
    return b""


MUTATIONS = {
    "truncate": _truncate,
    "bitflip": _bitflip,
    "interesting": _interesting,
    "lie_text": _lie_text,
    "lie_nifti": _lie_nifti,
    "random": _random_bytes,
    "empty": _empty,
}


def _zstd_bomb() -> bytes:
    """64 MiB of zeros as one small zstd frame."""
    from dicomforge.zarr.codecs import zstd

    engine = zstd.ZstdCompressor(level=19)
    return b"".join(engine.compress(bytes(1 << 20)) for _ in range(64)) + engine.flush()


@lru_cache(maxsize=1)
def bomb_cases() -> list[Case]:
    """Decompression bombs and size lies: tiny files that declare or inflate to gigabytes."""
    zeros = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    bomb = b"".join(zeros.compress(chunk) for _ in range(64)) + zeros.flush()  # 64 MiB of zeros, ~64 KiB
    header_small = nifti_header((6, 5, 4), (1, 1, 1))
    return [
        Case("bomb_nrrd_declares_huge", {"bomb.nrrd": _nrrd("gzip", gzip.compress(b"\0" * 64, mtime=0),
                                                           sizes=(65535, 65535, 65535))}),
        Case("bomb_nrrd_inflates_64MiB", {"bomb.nrrd": _nrrd("gzip", bomb)}),
        Case("bomb_mha_declares_huge", {"bomb.mha": _metaimage("LOCAL", True, size=(100000, 100000, 100000))
                                        + zlib.compress(b"\0" * 64)}),
        Case("bomb_nii_gz_inflates", {"bomb.nii.gz": gzip.compress(header_small, mtime=0) + bomb}),
        Case("bomb_nii_declares_huge", {"huge.nii": bytes(nifti_header((32767, 32767, 32767), (1, 1, 1)))}),
        Case("bomb_vtk_declares_huge", {"huge.vtk": _vtk(True, size=(100000, 100000, 1000), header_only=True)}),
        Case("zero_slices", {"zero.nrrd": _nrrd("raw", b"", sizes=(6, 5, 0))}),
        Case("nan_geometry", {"nan.nrrd": _nrrd("raw", _ramp(120)).replace(b"(0.9,0,0)", b"(nan,0,0)")}),
        Case("inf_origin", {"inf.nrrd": _nrrd("raw", _ramp(120)).replace(b"(-10.5,3.25,7)", b"(inf,3.25,7)")}),
        Case("sheared", {"shear.nrrd": _nrrd("raw", _ramp(120)).replace(b"(0,0.8,0.1)", b"(0.5,0.8,0.1)")}),
        Case("missing_partner_mhd", {"k.mhd": _metaimage("k.raw")}),
        Case("missing_partner_nhdr", {"h.nhdr": _nrrd("raw", b"", detached="h.raw")}),
        Case("missing_partner_hdr", {"p.hdr": _nifti_pair()[0]}),
        Case("garbage_dcm", {"x.dcm": b"\0" * 128 + b"DICM" + b"\xff" * 64}),
        Case("bomb_zarr_declares_huge", {"huge.zarr.zip": _zip({**_zarr_store(), "0/zarr.json": _zarr_store()[
            "0/zarr.json"].replace(b'"shape": [\n    4,\n    5,\n    6\n  ]', b'"shape": [100000, 100000, 100000]')})}),
        Case("bomb_zarr_chunk_inflates", {"bomb.zarr.zip": _zip({**_zarr_store(), "0/c/1/0/0": _zstd_bomb()})}),
        Case("zarr_folder_without_chunks", {"t.zarr/zarr.json": _zarr_store()["zarr.json"],
                                            "t.zarr/0/zarr.json": _zarr_store()["0/zarr.json"]}),
    ]


def cases(count: int, rng_seed: int = 20261201) -> list[Case]:
    """*count* cases: the fixed bomb/lie cases, then seeds x mutations drawn from one RNG."""
    rng = random.Random(rng_seed)
    out = list(bomb_cases())[:count]
    pool = seeds()
    index = 0
    while len(out) < count:
        seed = pool[index % len(pool)]
        mutation = rng.choice(list(MUTATIONS))
        target = seed.main if rng.random() < 0.85 or len(seed.files) == 1 else rng.choice(sorted(seed.files))
        files = dict(seed.files)
        files[target] = MUTATIONS[mutation](rng, seed, seed.files[target])
        out.append(Case(f"{index:05d}_{seed.name}_{mutation}_{target}", files))
        index += 1
    return out
