"""dicomforge.overlays checked by programs nobody here wrote: dcmdump, dcmj2pnm, dcmconv, dcmftest
(dcmtk) and dciodvfy (dicom3tools). Each test skips where its checker is missing."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from dicomforge.inputs import NamedInput
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.planes import read_overlays
from dicomforge.overlays.write import add_overlays
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
from dicomforge.volume import Volume

SOURCES = ["CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
           "MR_small_RLE.dcm", "SC_rgb_jpeg_dcmtk.dcm", "MR_small_jp2klossless.dcm",
           "SC_rgb_rle_2frame.dcm", "rtdose.dcm", "image_dfl.dcm", "examples_overlay.dcm"]


def tool(name: str) -> str:
    """Path of an external program: on PATH or beside this Python (a virtualenv's bin)."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.skip(f"{name} is not installed here")
    return found


def _source(name: str) -> NamedInput:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not available offline")
    return NamedInput(name, Path(path).read_bytes())


def _mask(count: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    return bytes(rnd.random() < 0.3 for _ in range(count))


def _with_overlay(item: NamedInput, keep_uids=False) -> tuple[bytes, bytes]:
    ds = dcmread(io.BytesIO(item.data), stop_before_pixels=True)
    count = ds.Rows * ds.Columns * int(ds.get("NumberOfFrames", 1) or 1)
    mask = _mask(count)
    return add_overlays(item, [MaskPlane(mask, "lesion", "label 1 of seg.nrrd")], OverlayOptions(keep_uids=keep_uids)), mask


def _errors(dciodvfy: str, path: Path) -> set[str]:
    run = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True)
    return {line.strip() for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")}


class TestDcmdump:
    @pytest.mark.parametrize("name", SOURCES)
    def test_groups_with_ow(self, name, tmp_path):
        """dcmdump parses the output and shows the 60xx group with Overlay Data as OW."""
        dcmdump = tool("dcmdump")
        out, _ = _with_overlay(_source(name))
        path = tmp_path / "out.dcm"
        path.write_bytes(out)
        run = subprocess.run([dcmdump, "-q", str(path)], capture_output=True, text=True, errors="replace")
        assert run.returncode == 0, run.stderr
        group = "6002" if name == "examples_overlay.dcm" else "6000"
        assert re.search(rf"^\({group},3000\) OW ", run.stdout, re.MULTILINE), run.stdout[-2000:]
        assert re.search(rf"^\({group},0010\) US ", run.stdout, re.MULTILINE)
        assert f"({group},1500) LO [lesion]" in run.stdout
        assert not re.search(r"^[EW]:", run.stderr, re.MULTILINE), run.stderr

    @pytest.mark.parametrize("name", ["MR_small_bigendian.dcm", "MR_small_implicit.dcm", "image_dfl.dcm"])
    def test_dcmtk_conversion_keeps_the_mask(self, name, tmp_path):
        """dcmconv to explicit little endian (dcmtk's own byte order handling) gives the mask back."""
        dcmconv = tool("dcmconv")
        out, mask = _with_overlay(_source(name))
        src, dst = tmp_path / "in.dcm", tmp_path / "le.dcm"
        src.write_bytes(out)
        subprocess.run([dcmconv, "+te", str(src), str(dst)], check=True, capture_output=True)
        (plane,) = read_overlays(dcmread(dst))
        assert plane.bits() == mask

    @pytest.mark.parametrize("name", SOURCES)
    def test_dcmftest(self, name, tmp_path):
        """dcmftest says the output is a DICOM Part 10 file."""
        dcmftest = tool("dcmftest")
        out, _ = _with_overlay(_source(name))
        path = tmp_path / "out.dcm"
        path.write_bytes(out)
        run = subprocess.run([dcmftest, str(path)], capture_output=True, text=True)
        assert "yes" in run.stdout, run.stdout


class TestDciodvfy:
    @pytest.mark.parametrize("keep_uids", [False, True], ids=["derived", "keep_uids"])
    @pytest.mark.parametrize("name", SOURCES)
    def test_no_new_errors(self, name, keep_uids, tmp_path):
        """dciodvfy reports no error that the source file did not already have."""
        dciodvfy = tool("dciodvfy")
        item = _source(name)
        out, _ = _with_overlay(item, keep_uids)
        src, dst = tmp_path / "src.dcm", tmp_path / "out.dcm"
        src.write_bytes(item.data)
        dst.write_bytes(out)
        if name == "image_dfl.dcm":  # dciodvfy cannot inflate: compare dcmtk's inflated copies
            dcmconv = tool("dcmconv")
            for path in (src, dst):
                subprocess.run([dcmconv, "+te", str(path), str(path)], check=True, capture_output=True)
        assert _errors(dciodvfy, dst) - _errors(dciodvfy, src) == set()

    def test_series_written_by_dicomforge(self, tmp_path):
        """A CT series written by dicomforge stays free of dciodvfy errors with overlays added."""
        dciodvfy = tool("dciodvfy")
        volume = Volume(bytes(range(256)) * 32, "int16", (16, 16, 16), (0.5, 0.5, 1.0), (0.0, 0.0, 0.0))
        for name, data in list(write_series(volume, SeriesOptions(modality="CT")))[:3]:
            path = tmp_path / name
            path.write_bytes(add_overlays(NamedInput(name, data), [MaskPlane(_mask(256), "a"), MaskPlane(_mask(256, 2), "b")]))
            assert _errors(dciodvfy, path) == set()


def _pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(fields.group(1)), int(fields.group(2))
    return width, height, data[fields.end():]


class TestDcmj2pnm:
    @pytest.mark.parametrize("size", [(64, 48), (67, 53)])
    def test_overlay_rendered_where_the_mask_is(self, size, tmp_path):
        """dcmj2pnm +O draws the overlay exactly on the mask's pixels (and nowhere else)."""
        dcmj2pnm = tool("dcmj2pnm")
        columns, rows = size
        volume = Volume(bytes(columns * rows * 2), "int16", (columns, rows, 1), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
        ((name, data),) = list(write_series(volume, SeriesOptions(modality="CT")))
        mask = _mask(columns * rows, 9)
        path, pgm = tmp_path / "o.dcm", tmp_path / "o.pgm"
        path.write_bytes(add_overlays(NamedInput(name, data), [MaskPlane(mask, "m")]))
        subprocess.run([dcmj2pnm, "+O", "0", "+Omr", "--write-raw-pnm", str(path), str(pgm)], check=True,
                       capture_output=True)
        width, height, pixels = _pgm(pgm)
        assert (width, height) == (columns, rows)
        inside = {p for p, m in zip(pixels, mask) if m}
        outside = {p for p, m in zip(pixels, mask) if not m}
        assert inside == {255} and 255 not in outside

    def test_compressed_source(self, tmp_path):
        """An RLE source is rendered with the overlay on top: set pixels are white."""
        dcmj2pnm = tool("dcmj2pnm")
        out, mask = _with_overlay(_source("MR_small_RLE.dcm"))
        path, pgm = tmp_path / "o.dcm", tmp_path / "o.pgm"
        path.write_bytes(out)
        subprocess.run([dcmj2pnm, "+O", "0", "+Omr", "--write-raw-pnm", str(path), str(pgm)], check=True,
                       capture_output=True)
        _, _, pixels = _pgm(pgm)
        assert {p for p, m in zip(pixels, mask) if m} == {255}
