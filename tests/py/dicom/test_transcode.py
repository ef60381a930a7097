"""Transcoding (the convert job, dicomforge.dicom.transcode): same pixels, the transfer syntax
and what the standard asks changed, nothing else; checked with dcmtk (dcmftest, dcmj2pnm)
and dciodvfy where they are installed. Runs natively and in Pyodide (the worker's codecs)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from codec_cases import IN_BROWSER, compressed_files
from dicom_cases import pydicom_file
from dicomforge import jobs
from dicomforge.dicom.pixels import decode_frame, frame_count
from dicomforge.dicom.transcode import TARGETS, transcode
from dicomforge.errors import OptionsError
from dicomforge.inputs import NamedInput

COMPRESSED = compressed_files()
SOURCES = ["MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "SC_rgb_jpeg_dcmtk.dcm",
           "examples_ybr_color.dcm", "SC_rgb_jpeg_gdcm.dcm", "SC_rgb_rle.dcm", "GDCMJ2K_TextGBR.dcm",
           "JPEGLSNearLossless_16.dcm", "htj2k_mr_small.dcm", "htj2k_rgb.dcm", "rtdose_rle.dcm",
           "jpegls_rgb_planar.dcm"]
NATIVE = ["CT_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "image_dfl.dcm", "SC_rgb_jpeg_dcmd.dcm"]
LOSSY = {"SC_rgb_jpeg_dcmtk.dcm", "examples_ybr_color.dcm"}
# what may change besides Pixel Data (PS3.5 8.2, PS3.3 C.7.6.1.1.5)
IMAGE_FORM = {"PhotometricInterpretation", "PlanarConfiguration", "LossyImageCompression",
              "LossyImageCompressionMethod", "LossyImageCompressionRatio", "PixelData"}


def _input(name: str) -> NamedInput:
    if name in COMPRESSED:
        return NamedInput(name, COMPRESSED[name].read_bytes())
    return pydicom_file(name)


def _frames(data: bytes, name: str) -> list[bytes]:
    ds = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    return [decode_frame(ds, i, name).data for i in range(frame_count(ds))]


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("name", SOURCES + NATIVE)
def test_same_pixels_new_syntax_nothing_else(name, target):
    """Every frame decodes to the same values; the meta names the new syntax; every element
    but the image form and Pixel Data is what it was."""
    item = _input(name)
    before = bytes(item.data)
    data, notes = transcode(item, TARGETS[target])
    assert bytes(item.data) == before  # the input is never modified
    out = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    assert out.file_meta.TransferSyntaxUID == TARGETS[target]
    assert _frames(data, name) == _frames(before, name)
    source = pydicom.dcmread(pydicom.filebase.DicomBytesIO(before))
    for element in source:
        if element.keyword in IMAGE_FORM or out[element.tag].VR == "UN" != element.VR:
            continue  # (in Implicit VR a private element's VR is unknown to a reader: UN, same bytes)
        assert out[element.tag].value == element.value, f"{name}: {element.tag} {element.keyword} changed"
    assert {e.keyword for e in out} - {e.keyword for e in source} <= IMAGE_FORM
    if name in LOSSY:
        assert out.LossyImageCompression == "01" and out.LossyImageCompressionMethod == "ISO_10918_1"
        assert any("Lossy Image Compression stays 01" in n for n in notes)
    if int(source.get("SamplesPerPixel", 1)) == 3 and source.file_meta.TransferSyntaxUID in COMPRESSED_SYNTAXES:
        assert out.PhotometricInterpretation == "RGB" and out.PlanarConfiguration == 0


COMPRESSED_SYNTAXES = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.90",
                       "1.2.840.10008.1.2.4.201"}


def test_job_writes_each_file_and_names_the_bad_one():
    """The convert job: one file per input under its base name, an error for the bad input,
    the others still written."""
    items = [_input("MR_small_jp2klossless.dcm"), NamedInput("notes/readme.txt", b"hello"),
             _input("SC_rgb_jpeg_dcmtk.dcm")]
    events = list(jobs.start("convert", items, {"to": "rle"}))
    files = [e["name"] for e in events if e["type"] == "file"]
    errors = [e for e in events if e["type"] == "error"]
    assert files == ["MR_small_jp2klossless.dcm", "SC_rgb_jpeg_dcmtk.dcm"]
    assert [e["file"] for e in errors] == ["notes/readme.txt"] and "not a DICOM file" in errors[0]["message"]
    results = {e["file"]: e["value"] for e in events if e["type"] == "result"}
    assert results["MR_small_jp2klossless.dcm"]["from"] == "1.2.840.10008.1.2.4.90"
    assert results["MR_small_jp2klossless.dcm"]["to"] == "1.2.840.10008.1.2.5"


def test_unknown_target_is_an_option_error():
    with pytest.raises(OptionsError, match="to must be one of explicit, implicit, deflated, rle, got 'jpeg'"):
        jobs.JOBS.jobs["convert"].options({"to": "jpeg"})


def test_damaged_frame_named_and_batch_goes_on():
    """A codestream that cannot be decoded: an error naming the file, frame and syntax."""
    from pydicom.encaps import encapsulate

    ds = pydicom.dcmread(COMPRESSED["MR_small_jpeg_ls_lossless.dcm"])
    ds.PixelData = encapsulate([b"\xff\xd8\xff\xf7\x00\x0b" + bytes(40)])
    buffer = pydicom.filebase.DicomBytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    items = [NamedInput("bad.dcm", buffer.getvalue()), _input("htj2k_mr_small.dcm")]
    events = list(jobs.start("convert", items, {}))
    (error,) = [e for e in events if e["type"] == "error"]
    assert error["file"] == "bad.dcm" and "frame 0 (JPEG-LS Lossless Image Compression) cannot be decoded" in error["message"]
    assert [e["name"] for e in events if e["type"] == "file"] == ["htj2k_mr_small.dcm"]


# ---- natively: dcmtk and dciodvfy on the outputs ------------------------------------------

def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))  # (dciodvfy: the venv's)
    if path is None:
        pytest.skip(f"{name} is not installed here")
    return path


@pytest.mark.skipif(IN_BROWSER, reason="dcmtk runs natively")
@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("name", SOURCES + NATIVE)
def test_dcmtk_reads_the_outputs(name, target, tmp_path):
    """dcmftest passes; dcmj2pnm renders the output as it renders the original (where dcmtk
    reads the original: not JPEG 2000 / HTJ2K), within one grey level for colour."""
    dcmftest = _tool("dcmftest")
    jpeg_ls = str(pydicom.dcmread(pydicom.filebase.DicomBytesIO(_input(name).data)).file_meta.TransferSyntaxUID).startswith("1.2.840.10008.1.2.4.8")
    dcmj2pnm = _tool("dcml2pnm" if jpeg_ls else "dcmj2pnm")  # (dcml2pnm: dcmj2pnm for JPEG-LS)
    item = _input(name)
    data, _ = transcode(item, TARGETS[target])
    original, converted = tmp_path / "in.dcm", tmp_path / "out.dcm"
    original.write_bytes(item.data)
    converted.write_bytes(data)
    assert subprocess.run([dcmftest, str(converted)], capture_output=True, text=True).stdout.startswith("yes")
    seen = subprocess.run([dcmj2pnm, str(original), str(tmp_path / "a.pnm")], capture_output=True)
    if seen.returncode != 0:
        pytest.skip(f"dcmj2pnm cannot render the original {name}")
    made = subprocess.run([dcmj2pnm, str(converted), str(tmp_path / "b.pnm")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    a, b = (tmp_path / "a.pnm").read_bytes(), (tmp_path / "b.pnm").read_bytes()
    assert len(a) == len(b)
    assert max((abs(x - y) for x, y in zip(a, b)), default=0) <= 1


def _errors(dciodvfy: str, path) -> set[str]:
    run = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True)
    return {line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")}


@pytest.mark.skipif(IN_BROWSER, reason="dciodvfy runs natively")
@pytest.mark.parametrize("target", ["explicit", "rle"])
@pytest.mark.parametrize("name", SOURCES)
def test_dciodvfy_reports_no_new_errors(name, target, tmp_path):
    dciodvfy = _tool("dciodvfy")
    item = _input(name)
    data, _ = transcode(item, TARGETS[target])
    (tmp_path / "in.dcm").write_bytes(item.data)
    (tmp_path / "out.dcm").write_bytes(data)
    new = _errors(dciodvfy, tmp_path / "out.dcm") - _errors(dciodvfy, tmp_path / "in.dcm")
    assert not new, f"{name} -> {target}: {sorted(new)}"


# ---- what the review found: the image form, the other word values, the history ----------

def _big_endian_copy(name: str) -> NamedInput:
    """pydicom's little-endian *name* as Explicit VR Big Endian, every word value swapped as a
    big-endian writer (dcmtk's dcmconv +tb) stores it."""
    from pydicom import dcmwrite
    from pydicom.uid import ExplicitVRBigEndian

    from dicomforge import kernels

    ds = pydicom.dcmread(pydicom.filebase.DicomBytesIO(pydicom_file(name).data))
    for elem in ds.iterall():
        if elem.VR in ("OW", "OF") and isinstance(elem.value, bytes):
            elem.value = kernels.byteswap(elem.value, 2 if elem.VR == "OW" else 4)
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
    out = pydicom.filebase.DicomBytesIO()
    dcmwrite(out, ds, implicit_vr=False, little_endian=False, enforce_file_format=True)
    return NamedInput(f"be_{name}", out.getvalue())


@pytest.mark.parametrize("name", ["examples_palette.dcm", "examples_overlay.dcm"])
def test_big_endian_palettes_and_overlays_come_out_as_they_were(name):
    """From big endian, every word value (palette tables, overlay planes) is swapped, not only Pixel Data."""
    original = pydicom.dcmread(pydicom.filebase.DicomBytesIO(pydicom_file(name).data))
    data, _ = transcode(_big_endian_copy(name), TARGETS["explicit"])
    out = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    words = [e.tag for e in original if e.VR in ("OW", "OF") and e.tag != 0x7FE00010]
    assert words  # (the file has some)
    for tag in words:
        assert out[tag].value == original[tag].value, f"{name}: {tag} differs"
    assert decode_frame(out, 0, name).data == decode_frame(original, 0, name).data


def test_rle_with_planar_configuration_1_is_written_pixel_by_pixel():
    """The RLE decoder interleaves the samples: the output says Planar Configuration 0 (and is right)."""
    ds = pydicom.dcmread(COMPRESSED["SC_rgb_rle.dcm"])
    ds.PlanarConfiguration = 1
    buffer = pydicom.filebase.DicomBytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    item = NamedInput("planar.dcm", buffer.getvalue())
    data, _ = transcode(item, TARGETS["explicit"])
    out = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    assert out.PlanarConfiguration == 0
    assert _frames(data, "planar.dcm") == _frames(item.data, "planar.dcm")


@pytest.mark.parametrize("name, method", [("JPEGLSNearLossless_16.dcm", "ISO_14495_1"), ("SC_rgb_jls_lossy_line.dcm", "ISO_14495_1"),
                                          ("MR_small_jpeg_ls_lossless.dcm", None), ("MR_small_jp2klossless.dcm", None)])
def test_lossy_history_from_the_codestream(name, method):
    """JPEG-LS near-lossless (NEAR > 0) is lossy even when the file does not say so; lossless stays unmarked."""
    data, _ = transcode(_input(name), TARGETS["explicit"])
    out = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    assert out.get("LossyImageCompression") == ("01" if method else None)
    assert out.get("LossyImageCompressionMethod") == method


def test_a_series_made_from_lossy_slices_says_so():
    """PS3.3 C.7.6.1.1.5: a series re-exported from JPEG baseline slices keeps Lossy Image Compression 01."""
    events = list(jobs.start("series", [_input("SC_rgb_jpeg_dcmtk.dcm")], {}))
    (first, *_) = [e["data"] for e in events if e["type"] == "file"]
    out = pydicom.dcmread(pydicom.filebase.DicomBytesIO(bytes(first)))
    assert (out.LossyImageCompression, out.LossyImageCompressionMethod) == ("01", "ISO_10918_1")
