"""Describing volumes from their headers: ``read_volume(..., header_only=True)`` and
``describe`` on inputs that hold only the start of a file (``NamedInput.load``).

Standard library only (these run inside Pyodide too).
"""

from __future__ import annotations

import gzip
import struct

import pytest

from dicomforge import jobs
from dicomforge.errors import InputError
from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput

SIZE = (6, 5, 40)
VOXELS = SIZE[0] * SIZE[1] * SIZE[2]


def nifti(datatype=4, bitpix=16, data=None, sform=((0.5, 0, 0, -3), (0, 0.7, 0, 4), (0, 0, 1.25, 9))) -> bytes:
    """A NIfTI-1 single file with an sform (stdlib)."""
    hdr = bytearray(348)
    struct.pack_into("<i", hdr, 0, 348)
    struct.pack_into("<8h", hdr, 40, 3, *SIZE, 1, 1, 1, 1)
    struct.pack_into("<hh", hdr, 70, datatype, bitpix)
    struct.pack_into("<8f", hdr, 76, 1.0, 0.5, 0.7, 1.25, 0, 0, 0, 0)
    struct.pack_into("<f", hdr, 108, 352.0)
    struct.pack_into("<hh", hdr, 252, 0, 1)
    for row, offset in zip(sform, (280, 296, 312)):
        struct.pack_into("<4f", hdr, offset, *row)
    hdr[344:348] = b"n+1\0"
    if data is None:
        data = bytes(range(256)) * (VOXELS * bitpix // 8 // 256 + 1)
        data = data[: VOXELS * bitpix // 8]
    return bytes(hdr) + b"\0" * 4 + data


def nrrd() -> bytes:
    header = (
        "NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
        f"sizes: {SIZE[0]} {SIZE[1]} {SIZE[2]}\nspace directions: (0.5,0,0) (0,0.7,0) (0,0,1.25)\n"
        "space origin: (1,2,3)\nendian: little\nencoding: raw\n\n"
    )
    return header.encode() + bytes(2 * VOXELS)


def metaimage(data_file="LOCAL") -> bytes:
    header = (
        f"ObjectType = Image\nNDims = 3\nDimSize = {SIZE[0]} {SIZE[1]} {SIZE[2]}\n"
        "ElementSpacing = 0.5 0.7 1.25\nOffset = 1 2 3\nElementType = MET_SHORT\n"
        f"ElementDataFile = {data_file}\n"
    )
    return header.encode() + (bytes(2 * VOXELS) if data_file == "LOCAL" else b"")


def vtk() -> bytes:
    header = (
        "# vtk DataFile Version 3.0\nbench\nBINARY\nDATASET STRUCTURED_POINTS\n"
        f"DIMENSIONS {SIZE[0]} {SIZE[1]} {SIZE[2]}\nSPACING 0.5 0.7 1.25\nORIGIN 1 2 3\n"
        f"POINT_DATA {VOXELS}\nSCALARS v short 1\nLOOKUP_TABLE default\n"
    )
    return header.encode() + bytes(2 * VOXELS)


class Loads:
    """A ``NamedInput.load`` that counts its calls."""

    def __init__(self, data: bytes) -> None:
        self.data, self.calls = data, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.data


def partial(name: str, data: bytes, keep: int = 400) -> tuple[NamedInput, Loads]:
    load = Loads(data)
    return NamedInput(name, data[:keep], load), load


CASES = {
    "a.nii": nifti,
    "a.nii.gz": lambda: gzip.compress(nifti(), mtime=0),
    "a.nrrd": nrrd,
    "a.mha": metaimage,
    "a.vtk": vtk,
}


class TestReadHeaderOnly:
    @pytest.mark.parametrize("name", sorted(CASES))
    def test_same_geometry_without_voxels(self, name):
        """The header-only Volume has the full read's geometry and no data, from the file's start."""
        data = CASES[name]()
        full = read_volume(NamedInput(name, data))
        head = read_volume(NamedInput(name, data[:400]), header_only=True)
        assert head.data is None and full.data is not None
        for field in ("dtype", "size", "spacing", "origin", "direction", "components", "rescale"):
            assert getattr(head, field) == getattr(full, field), field

    def test_mhd_needs_no_data_file(self):
        """A detached MetaImage header is described without its data file."""
        head = read_volume(NamedInput("a.mhd", metaimage("a.raw")), header_only=True)
        assert head.size == SIZE and head.data is None

    def test_full_read_still_checks_the_data(self):
        """Reading voxels from the start of a file alone is an error naming the sizes."""
        with pytest.raises(InputError, match="bytes"):
            read_volume(NamedInput("a.nii", nifti()[:400]))


class TestDescribePartialInputs:
    def test_int16_volume_is_described_from_its_start(self):
        """A 16-bit volume's summary needs no more than the start of the file."""
        data = nifti()
        item, load = partial("ct.nii", data)
        (result, _) = jobs.start("describe", [item])
        (expected, _) = jobs.start("describe", [NamedInput("ct.nii", data)])
        assert load.calls == 0
        assert result["value"] == expected["value"]
        assert result["value"]["size"] == list(SIZE)

    def test_uint8_volume_is_read_whole_for_its_labels(self):
        """An 8-bit volume is loaded whole once, and described as the label map it is."""
        labels = bytes([0, 3, 0, 7] * (VOXELS // 4))
        item, load = partial("seg.nii", nifti(datatype=2, bitpix=8, data=labels))
        (result, _) = jobs.start("describe", [item])
        assert load.calls == 1
        assert result["value"]["kind"] == "labelmap" and result["value"]["labels"] == [3, 7]

    def test_unreadable_start_falls_back_to_the_whole_file(self):
        """A header that does not fit in the given start is read from the whole file."""
        data = nrrd()
        item, load = partial("big_header.nrrd", data, keep=40)
        (result, _) = jobs.start("describe", [item])
        assert load.calls == 1 and result["type"] == "result"
        assert result["value"]["size"] == list(SIZE)

    def test_real_errors_are_reported(self):
        """A truncated file is an error from the whole file, as without partial inputs."""
        data = nifti()[:400]
        item, load = partial("cut.nii", data, keep=200)
        (error, _) = jobs.start("describe", [item])
        assert error["type"] == "error" and load.calls == 1

    def test_small_header_with_partial_data_file(self):
        """A whole .mhd beside a data file given only in part is described without loading it."""
        raw, load = partial("a.raw", bytes(2 * VOXELS), keep=16)
        inputs = [NamedInput("a.mhd", metaimage("a.raw")), raw]
        results = {e["file"]: e for e in jobs.start("describe", inputs) if e["type"] == "result"}
        assert load.calls == 0
        assert results["a.mhd"]["value"]["size"] == list(SIZE)
        assert results["a.raw"]["value"] == {"kind": "partner"}

    def test_whole_inputs_are_read_whole(self):
        """Without partial inputs describe reads volumes whole, so truncation is reported."""
        (error, _) = jobs.start("describe", [NamedInput("cut.nii", nifti()[:400])])
        assert error["type"] == "error" and "bytes" in error["message"]
