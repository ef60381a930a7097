"""Compressed frames (dicomforge.dicom.codecs) against decoders nobody here wrote.

Natively the decoders are the libraries pydicom's own pixel handlers use (Pillow's
libjpeg-turbo, pylibjpeg-libjpeg, pylibjpeg-openjpeg); in Pyodide under Node they are the
worker's JavaScript codecs (tests/pyodide/run-pytest.mjs registers web/worker/codecs.js).
Both must give the digests of decoded_frames.json, and natively those digests must be
pydicom's own ``pixel_array`` and dcmtk's decompressed files.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest

from codec_cases import IN_BROWSER, TWELVE_BIT_JPEG, UNDECODABLE, compressed_files, frame_digests, load_digests
from dicomforge.dicom import codecs
from dicomforge.dicom.pixels import decode_frame, frame_count
from dicomforge.errors import DicomForgeError, InputError, UnsupportedError

FILES = compressed_files()
DIGESTS = load_digests()
DECODABLE = sorted(set(FILES) - UNDECODABLE)


def test_every_compressed_test_file_is_covered():
    """The corpus holds every family: a new file without a digest fails here, not silently."""
    assert set(DECODABLE) == set(DIGESTS)
    families = {codecs.family_of(entry["syntax"]) for entry in DIGESTS.values()}
    assert families == set(codecs.FAMILIES)


@pytest.mark.parametrize("name", DECODABLE)
def test_frames_equal_the_reference_decoders(name):
    """Every frame of every file: byte for byte what pydicom's decoders give (lossy included:
    JPEG is libjpeg-turbo on both sides)."""
    if IN_BROWSER and name in TWELVE_BIT_JPEG:
        with pytest.raises(UnsupportedError, match=rf"{name}: frame 0 \(JPEG Extended .*12-bit JPEG cannot be decoded here"):
            frame_digests(FILES[name], name)
        return
    assert frame_digests(FILES[name], name) == DIGESTS[name]


@pytest.mark.parametrize("name", sorted(UNDECODABLE & set(FILES)))
def test_damaged_codestreams_are_named(name):
    """What no decoder can read is an error naming the file, the frame and the syntax."""
    ds = pydicom.dcmread(FILES[name])
    with pytest.raises(DicomForgeError, match=rf"^{name}: frame 0 \(JPEG .*\) cannot be decoded: \S") as caught:
        decode_frame(ds, 0, name)
    assert not re.search(r"TypeError|Cannot read|getn|IOException|JsException", str(caught.value))


class TestDamagedInput:
    """Cut, flipped or foreign codestreams: typed errors naming file, frame and syntax; never a trap."""

    @pytest.mark.parametrize("name", ["MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm",
                                      "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_jpeg_gdcm.dcm", "htj2k_mr_small.dcm"])
    @pytest.mark.parametrize("damage", ["truncated", "zeroed", "garbage"])
    def test_damaged(self, name, damage):
        from pydicom.encaps import encapsulate, generate_frames

        ds = pydicom.dcmread(FILES[name])
        stream = next(generate_frames(ds.PixelData, number_of_frames=frame_count(ds)))
        if damage == "truncated":
            stream = stream[: len(stream) // 3]
        elif damage == "zeroed":
            stream = stream[:2] + bytes(len(stream) - 2)
        else:
            stream = bytes((b * 7 + 3) % 256 for b in stream)
        ds.PixelData = encapsulate([stream])
        syntax = codecs.syntax_name(ds.file_meta.TransferSyntaxUID)
        try:
            decode_frame(ds, 0, "cut.dcm")
        except (InputError, UnsupportedError) as error:
            assert str(error).startswith(f"cut.dcm: frame 0 ({syntax}) cannot be decoded: ")
            assert "Traceback" not in str(error) and "object Number" not in str(error)
        else:  # a codec may read a cut stream to the end (JPEG fills what is missing); never a zeroed one
            assert damage != "zeroed", f"{name}: a zeroed codestream decoded without an error"

    def test_codec_missing(self, monkeypatch):
        """A family without a codec here: what to install, not a crash."""
        monkeypatch.setattr(codecs, "_registered", {})
        monkeypatch.setattr(codecs, "_native", {"jpeg2000": None})
        ds = pydicom.dcmread(FILES["MR_small_jp2klossless.dcm"])
        with pytest.raises(UnsupportedError, match="x.dcm: cannot decode JPEG 2000 Image Compression \\(Lossless Only\\): its codec"):
            decode_frame(ds, 0, "x.dcm")
        assert codecs.wanted(["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.1"]) == ["jpeg2000"]


# ---- natively: the digests are pydicom's and dcmtk's pixels ----------------------------------

def _reference_plugin(syntax: str, bits: int) -> str:
    return "pillow" if codecs.family_of(syntax) == "jpeg" and bits == 8 else "pylibjpeg"


@pytest.mark.skipif(IN_BROWSER, reason="pydicom's numpy decoders run natively")
@pytest.mark.parametrize("name", DECODABLE)
def test_digests_are_pydicoms_pixel_array(name):
    """decoded_frames.json holds pydicom's own pixel_array (Pillow for 8-bit JPEG, pylibjpeg
    otherwise), as 8-bit RGB for colour and as stored values for grey."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("pylibjpeg")
    from pydicom.pixels import pixel_array

    entry = DIGESTS[name]
    ds = pydicom.dcmread(FILES[name])
    plugin = _reference_plugin(entry["syntax"], int(ds.BitsAllocated))
    for index, digest in enumerate(entry["frames"]):
        array = pixel_array(ds, index=index, decoding_plugin=plugin)
        if array.ndim == 3 and array.shape[-1] == 3:
            array = array.astype(np.uint8) if array.dtype.itemsize == 1 else (array >> (int(ds.BitsStored) - 8)).astype(np.uint8)
        else:
            array = array.astype(np.dtype(entry["dtype"]).newbyteorder("<"))
        assert hashlib.sha256(array.tobytes()).hexdigest() == digest, f"{name} frame {index}"


DCMTK = {"jpeg": "dcmdjpeg", "jpeg-lossless": "dcmdjpeg", "jpeg-ls": "dcmdjpls", "rle": "dcmdrle"}


@pytest.mark.skipif(IN_BROWSER, reason="dcmtk runs natively")
@pytest.mark.parametrize("name", [n for n in DECODABLE if codecs.family_of(DIGESTS[n]["syntax"]) in DCMTK])
def test_dcmtk_decompresses_to_the_same_pixels(name, tmp_path):
    """dcmtk's decompressed file (dcmdjpeg, dcmdjpls, dcmdrle) holds the frames we decode, byte
    for byte: lossy JPEG included (dcmtk's default output equals libjpeg-turbo's), except 12-bit
    JPEG, read natively by libjpeg (pylibjpeg), whose IDCT rounds one grey level apart."""
    family = codecs.family_of(DIGESTS[name]["syntax"])
    tool = shutil.which(DCMTK[family])
    if tool is None:
        pytest.skip(f"{DCMTK[family]} (dcmtk) is not installed")
    out = tmp_path / "plain.dcm"
    run = subprocess.run([tool, str(FILES[name]), str(out)], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"dcmtk cannot decompress {name} either: {run.stderr.strip()[:200]}")
    ours, theirs = pydicom.dcmread(FILES[name]), pydicom.dcmread(out)
    twelve_bit = name in TWELVE_BIT_JPEG
    for index in range(frame_count(ours)):
        a, b = decode_frame(ours, index, name), decode_frame(theirs, index, "plain.dcm")
        assert (a.rows, a.columns, a.samples, a.dtype) == (b.rows, b.columns, b.samples, b.dtype)
        if not twelve_bit:
            assert a.data == b.data, f"{name} frame {index}"
        else:
            assert max(abs(x - y) for x, y in zip(a.data, b.data)) <= 1, f"{name} frame {index}"


def test_own_files_are_the_uncompressed_originals():
    """tests/data/*.dcm decode to the pixels of the pydicom files they were made from."""
    from pydicom.data import get_testdata_file

    for own, source in (("htj2k_mr_small.dcm", "MR_small.dcm"), ("htj2k_rgb.dcm", "SC_rgb_jpeg_dcmd.dcm"),
                        ("jpegls_rgb_planar.dcm", "SC_rgb_jpeg_dcmd.dcm")):
        original = decode_frame(pydicom.dcmread(get_testdata_file(source, download=False)), 0, source)
        assert decode_frame(pydicom.dcmread(FILES[own]), 0, own).data == original.data
        assert Path(FILES[own]).stat().st_size < len(original.data)
