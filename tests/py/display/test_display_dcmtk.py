"""render() against dcmtk's dcmj2pnm: the same window gives the same grey levels (+-1)."""

import shutil
import subprocess

import pydicom
import pytest
from pydicom.data import get_testdata_file

from dicomforge.display.render import render

DCMJ2PNM = shutil.which("dcmj2pnm")
pytestmark = pytest.mark.skipif(DCMJ2PNM is None, reason="dcmtk's dcmj2pnm is not installed")


def _read_pgm(data: bytes) -> tuple:
    """(width, height, pixels) of a binary 8-bit PGM (P5)."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5" and int(fields[3]) == 255
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1 : pos + 1 + width * height]


def _dcmtk(path, *options) -> tuple:
    out = subprocess.run([DCMJ2PNM, "-O", *options, str(path)], capture_output=True, check=True).stdout
    return _read_pgm(out)


def _ours(path, **window) -> bytes:
    return render(pydicom.dcmread(path), overlays=False, **window).rgba[0::4]


def _max_difference(a: bytes, b: bytes) -> int:
    assert len(a) == len(b)
    return max(abs(x - y) for x, y in zip(a, b))


@pytest.fixture
def monochrome1(tmp_path):
    """CT_small.dcm re-labelled MONOCHROME1 (pydicom has no uncompressed MONOCHROME1 file)."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.PhotometricInterpretation = "MONOCHROME1"
    path = tmp_path / "ct_monochrome1.dcm"
    ds.save_as(path)
    return path


class TestRenderAgainstDcmtk:
    @pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm",
                                      "MR_small_implicit.dcm", "MR_small_RLE.dcm"])
    @pytest.mark.parametrize("center,width", [(40, 400), (600, 1600), (-600, 1500), (1000, 10)])
    def test_same_window(self, name, center, width):
        """+Ww center width: equal within one grey level, pixel by pixel."""
        path = get_testdata_file(name)
        _, _, theirs = _dcmtk(path, "+Ww", str(center), str(width))
        assert _max_difference(_ours(path, center=center, width=width), theirs) <= 1

    @pytest.mark.parametrize("name", ["MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm",
                                      "MR_small_RLE.dcm", "examples_overlay.dcm"])
    def test_file_window(self, name):
        """+Wi 1 (the file's first window) against our default window."""
        path = get_testdata_file(name)
        _, _, theirs = _dcmtk(path, "+Wi", "1")
        assert _max_difference(_ours(path), theirs) <= 1

    @pytest.mark.parametrize("center,width", [(40, 400), (300, 2000)])
    def test_monochrome1(self, monochrome1, center, width):
        """MONOCHROME1 is inverted the way dcmtk inverts it."""
        _, _, theirs = _dcmtk(monochrome1, "+Ww", str(center), str(width))
        assert _max_difference(_ours(monochrome1, center=center, width=width), theirs) <= 1

    def test_overlay_positions(self):
        """The overlay pixels we colour are the ones dcmtk burns in (examples_overlay.dcm)."""
        path = get_testdata_file("examples_overlay.dcm")
        plain = _dcmtk(path, "+Ww", "450", "790")[2]
        burned = subprocess.run([DCMJ2PNM, "+Ww", "450", "790", "+O", "0", "+Osf", "1.0", str(path)],
                                capture_output=True, check=True).stdout
        theirs = {i for i, (a, b) in enumerate(zip(plain, _read_pgm(burned)[2])) if a != b}
        rgba = render(pydicom.dcmread(path), center=450, width=790).rgba
        ours = {i // 4 for i in range(0, len(rgba), 4) if rgba[i : i + 4] == b"\xff\xff\x00\xff"}
        assert theirs and theirs <= ours and len(ours - theirs) <= len(ours) // 20
