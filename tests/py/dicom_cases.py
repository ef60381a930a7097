"""DICOM test cases shared by the scanner, overlay, job and CLI tests: pydicom's own files by
encoding, small synthetic series on a known grid, and label maps on that grid.

Runs natively and in Pyodide: numpy only through ``pytest.importorskip`` inside tests.
"""

from __future__ import annotations

import io
import random
import struct

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from dicomforge import errors, jobs
from dicomforge.inputs import NamedInput
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.write import add_overlays
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
from dicomforge.volume import Volume

# pydicom test files by encoding (the ones the brief names that pydicom ships offline)
EXPLICIT_LE = "CT_small.dcm"
IMPLICIT_LE = "MR_small_implicit.dcm"
BIG_ENDIAN = "MR_small_bigendian.dcm"
RLE = "MR_small_RLE.dcm"
JPEG_BASELINE = "SC_rgb_jpeg_dcmtk.dcm"
JPEG_LS = "MR_small_jpeg_ls_lossless.dcm"
JPEG_2000 = "MR_small_jp2klossless.dcm"
JPEG_2000_MULTIFRAME = "JPEG2000.dcm"
DEFLATED = "image_dfl.dcm"
MULTIFRAME_RLE = "SC_rgb_rle_2frame.dcm"
MULTIFRAME_NATIVE = "rtdose.dcm"
WITH_OVERLAY = "examples_overlay.dcm"
# in the brief, fetched by pydicom from the network: used when present
OPTIONAL = ("emri_small.dcm", "US1_J2KR.dcm")

SOURCES = [EXPLICIT_LE, IMPLICIT_LE, BIG_ENDIAN, RLE, JPEG_BASELINE, JPEG_LS, JPEG_2000,
           JPEG_2000_MULTIFRAME, DEFLATED, MULTIFRAME_RLE, MULTIFRAME_NATIVE, WITH_OVERLAY]

# elements a derived copy changes (module notes of dicomforge.overlays.write)
DERIVED = {0x00080018, 0x0008103E, 0x00082111, 0x00082112, 0x0020000E}
DERIVED_META = {0x00020000, 0x00020003}


def pydicom_file(name: str) -> NamedInput:
    try:
        path = get_testdata_file(name, download=False)
    except TypeError:  # pragma: no cover - older pydicom
        path = get_testdata_file(name)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not available offline")
    with open(path, "rb") as fh:
        return NamedInput(name, fh.read())


def make_mask(count: int, seed: int = 1, density: float = 0.3) -> bytes:
    """*count* bytes, about *density* nonzero (arbitrary nonzero values, not only 1)."""
    rnd = random.Random(seed)
    return bytes(rnd.randrange(1, 256) if rnd.random() < density else 0 for _ in range(count))


def ones(mask: bytes) -> bytes:
    return bytes(1 if b else 0 for b in mask)


def image_size(item: NamedInput) -> tuple[int, int, int]:
    ds = dcmread(io.BytesIO(item.data), stop_before_pixels=True)
    return int(ds.Rows), int(ds.Columns), int(ds.get("NumberOfFrames", 1) or 1)


def read(data: bytes):
    return dcmread(io.BytesIO(data))


def make_volume(nx=6, ny=5, nz=4, spacing=(0.7, 0.9, 2.5), origin=(-10.0, 20.0, 5.0), dtype="int16",
            direction=((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)), data=None, name="v") -> Volume:
    size = struct.calcsize("<h") if dtype == "int16" else 1
    if data is None:
        data = bytes(random.Random(7).randrange(256) for _ in range(nx * ny * nz * size))
    return Volume(data, dtype, (nx, ny, nz), spacing, origin, direction, name=name)


def label_volume(like: Volume, labels: bytes, name="labels.nrrd") -> Volume:
    return Volume(labels, "uint8", like.size, like.spacing, like.origin, like.direction, name=name)


def make_series(volume: Volume) -> list[NamedInput]:
    return [NamedInput(n, d) for n, d in write_series(volume, SeriesOptions(modality="CT"))]


def nrrd_bytes(volume: Volume) -> bytes:
    """A raw NRRD of uint8 *volume* in LPS."""
    nx, ny, nz = volume.size
    dirs = " ".join(
        "(" + ",".join(repr(c * s) for c in axis) + ")" for axis, s in zip(volume.direction, volume.spacing)
    )
    header = (
        "NRRD0004\ntype: uint8\ndimension: 3\nspace: left-posterior-superior\n"
        f"sizes: {nx} {ny} {nz}\nspace directions: {dirs}\n"
        f"space origin: ({','.join(repr(o) for o in volume.origin)})\nencoding: raw\n\n"
    )
    return header.encode() + bytes(volume.data)


def elements(ds) -> dict:
    return {int(e.tag): e for e in ds}


def without_rows() -> tuple[bytes, str]:
    """A Part 10 file with no Rows/Columns (Raw Data Storage), and its SOP Instance UID."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.66"
    ds.SOPInstanceUID = uid = generate_uid()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue(), uid


def shuffled_series_and_labels(seed=5):
    volume = make_volume()
    files = make_series(volume)
    nx, ny, nz = volume.size
    labels = bytearray(nx * ny * nz)
    rnd = random.Random(seed)
    for i in range(len(labels)):
        labels[i] = rnd.choice((0, 0, 1, 2))
    labels[nx * ny * 2 : nx * ny * 3] = bytes(nx * ny)  # slice 2 empty
    rnd.shuffle(files)
    return volume, files, label_volume(volume, bytes(labels))


def overlay_events(inputs, options):
    """The overlay job's events; a ``failed`` last event raised as its error class."""
    return job_events("overlay", inputs, options)


def job_events(name, inputs, options):
    """Job *name*'s events; a ``failed`` last event raised as its error class (as the job raised it)."""
    events = list(jobs.start(name, inputs, options))
    if events and events[-1]["type"] == "failed":
        last = events[-1]
        raise getattr(errors, last["kind"])(last["message"], last["file"])
    return events


EXAMPLE_PLANE = {"group": 0x6000, "rows": 300, "columns": 484, "frames": 1, "type": "G", "count": 222}


def with_two_planes(name: str, keep_uids=True) -> NamedInput:
    """pydicom test file *name* with two overlay planes (groups 6000 and 6002) added."""
    item = pydicom_file(name)
    rows, columns, frames = image_size(item)
    n = rows * columns * frames
    out = add_overlays(item, [MaskPlane(make_mask(n, 1), "a"), MaskPlane(make_mask(n, 2), "b")], OverlayOptions(keep_uids=True))
    return NamedInput(name, out)


def assert_same_outside(src, new, groups: set, allowed: set = frozenset(), meta_allowed: set = frozenset()):
    """Every element outside overlay *groups* (and *allowed* tags) equal, element by element."""
    a, b = elements(src), elements(new)
    for tag in set(a) | set(b):
        if tag >> 16 in groups or tag in allowed:
            continue
        assert tag in a and tag in b, f"({tag >> 16:04X},{tag & 0xFFFF:04X}) added or lost"
        assert a[tag].VR == b[tag].VR and a[tag].value == b[tag].value, hex(tag)
    for tag in set(elements(src.file_meta)) | set(elements(new.file_meta)):
        if tag not in meta_allowed:
            assert src.file_meta[tag] == new.file_meta[tag]

