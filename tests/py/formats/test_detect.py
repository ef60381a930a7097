"""Tests for dicomforge.formats.detect_format and read_volume: content first, name second."""

import gzip
import struct

import pytest

from dicomforge.errors import MissingPartnerError, UnsupportedError
from dicomforge.formats import detect_format, read_volume
from dicomforge.inputs import NamedInput

from fmt_helpers import nifti1_bytes

NRRD = b"NRRD0004\ntype: uchar\ndimension: 1\nsizes: 2\nencoding: raw\n\n\x01\x02"
MHA = b"ObjectType = Image\nNDims = 1\nDimSize = 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n\x01\x02"
VTK = (
    b"# vtk DataFile Version 3.0\nt\nBINARY\nDATASET STRUCTURED_POINTS\nDIMENSIONS 2 1 1\n"
    b"POINT_DATA 2\nSCALARS v unsigned_char\nLOOKUP_TABLE default\n\x01\x02"
)


def _nifti2_header(order="<") -> bytes:
    hdr = bytearray(540)
    struct.pack_into(order + "i", hdr, 0, 540)
    hdr[4:12] = b"n+2\0\r\n\x1a\n"
    return bytes(hdr)


class TestDetectFormat:
    @pytest.mark.parametrize(
        "data, kind",
        [
            (NRRD, "nrrd"),
            (nifti1_bytes(), "nifti"),
            (nifti1_bytes(order=">"), "nifti"),
            (nifti1_bytes(magic=b"ni1\0"), "nifti"),
            (_nifti2_header(), "nifti"),
            (_nifti2_header(">"), "nifti"),
            (gzip.compress(nifti1_bytes()), "nifti"),
            (MHA, "metaimage"),
            (b"NDims = 3\nDimSize = 1 1 1\n", "metaimage"),
            (VTK, "vtk"),
            (bytes(128) + b"DICM" + bytes(16), "dicom"),
        ],
        ids=["nrrd", "nifti1", "nifti1-big", "nifti1-pair", "nifti2", "nifti2-big", "nii.gz",
             "mha", "mhd-ndims", "vtk", "dicom"],
    )
    def test_by_content(self, data, kind):
        """Magic numbers and header keywords decide, whatever the file name."""
        assert detect_format(NamedInput("file.dat", data)) == kind

    def test_nifti_named_dat(self):
        """A NIfTI file named .dat (or even .vtk) is still NIfTI."""
        assert detect_format(NamedInput("brain.vtk", nifti1_bytes())) == "nifti"

    @pytest.mark.parametrize(
        "name, kind",
        [("a.img", "nifti"), ("A.IMG.GZ", "nifti"), ("b.nhdr", "nrrd"), ("c.mhd", "metaimage"),
         ("d.vtk", "vtk"), ("e.dcm", "dicom"), ("f.nii.gz", "nifti")],
    )
    def test_by_name(self, name, kind):
        """Unrecognised content falls back to the file name."""
        assert detect_format(NamedInput(name, b"\x00" * 64)) == kind

    def test_unknown(self):
        """Neither content nor name known: None."""
        assert detect_format(NamedInput("notes.txt", b"hello world")) is None

    def test_gzip_of_something_else(self):
        """gzip that does not hold NIfTI is not detected as NIfTI."""
        assert detect_format(NamedInput("x.gz", gzip.compress(b"hello" * 100))) is None


class TestReadVolume:
    @pytest.mark.parametrize("data", [NRRD, MHA, VTK], ids=["nrrd", "mha", "vtk"])
    def test_dispatch(self, data):
        """Each format reaches its reader and gives the same two voxels."""
        volume = read_volume(NamedInput("anything.bin", data))
        assert (volume.data, volume.size, volume.dtype) == (b"\x01\x02", (2, 1, 1), "uint8")

    def test_unrecognised(self):
        """An unknown file: UnsupportedError 'unrecognised format' naming the file."""
        with pytest.raises(UnsupportedError, match="notes.txt: unrecognised format"):
            read_volume(NamedInput("notes.txt", b"hello world"))

    def test_mhd_with_raw_partner(self):
        """.mhd + .raw: the partner supplies the data."""
        header = b"NDims = 1\nDimSize = 2\nElementType = MET_UCHAR\nElementDataFile = scan.raw\n"
        partners = {"dir/scan.raw": NamedInput("dir/scan.raw", b"\x05\x06")}
        assert read_volume(NamedInput("scan.mhd", header), partners).data == b"\x05\x06"

    @pytest.mark.parametrize(
        "item, missing",
        [
            (NamedInput("s.mhd", b"NDims = 1\nDimSize = 2\nElementType = MET_UCHAR\nElementDataFile = s.raw\n"), "s.raw"),
            (NamedInput("s.nhdr", b"NRRD0004\ntype: uchar\ndimension: 1\nsizes: 2\nencoding: raw\ndata file: s.raw\n"), "s.raw"),
            (NamedInput("s.hdr", nifti1_bytes(magic=b"ni1\0")), "s.img"),
            (NamedInput("s.img", bytes(48)), "s.hdr"),
        ],
        ids=["mhd", "nhdr", "hdr", "img"],
    )
    def test_missing_partner(self, item, missing):
        """A two-file format without its partner: MissingPartnerError naming the missing file."""
        with pytest.raises(MissingPartnerError, match=f"'{missing}', which is missing"):
            read_volume(item, {"unrelated.bin": NamedInput("unrelated.bin", b"")})
