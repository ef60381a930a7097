"""Tests for dicomforge.dicom.pixels: decoding against pydicom's pixel_array, and bad input."""

import struct
import warnings
from io import BytesIO

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomforge import kernels
from dicomforge.errors import DicomForgeError, InputError, OptionsError, UnsupportedError
from dicomforge.inputs import NamedInput
from dicomforge.dicom.pixels import decode_frame, frame_count, read_dataset

#: pydicom test files with uncompressed or RLE pixel data, one per decoding case
DECODABLE = [
    "CT_small.dcm",  # int16, explicit VR LE
    "MR_small.dcm",
    "MR_small_bigendian.dcm",  # explicit VR BE, OW
    "MR_small_expb.dcm",
    "MR_small_implicit.dcm",
    "MR_small_padded.dcm",  # trailing padding after the frame
    "MR_small_RLE.dcm",  # RLE, 16-bit signed
    "ExplVR_BigEnd.dcm",  # 8-bit RGB big endian, planar 1
    "SC_rgb_small_odd.dcm",  # 3x3 RGB, odd length
    "SC_rgb_small_odd_big_endian.dcm",  # 8-bit as OW in big endian
    "SC_rgb_jpeg_dcmd.dcm",  # implicit VR RGB
    "SC_rgb_rle.dcm",
    "SC_rgb_rle_2frame.dcm",
    "SC_rgb_rle_16bit.dcm",
    "SC_rgb_rle_16bit_2frame.dcm",
    "SC_rgb_rle_32bit.dcm",
    "SC_rgb_rle_32bit_2frame.dcm",
    "SC_ybr_full_422_uncompressed.dcm",
    "examples_overlay.dcm",  # 12 of 16 bits
    "examples_rgb_color.dcm",
    "image_dfl.dcm",  # deflated
    "liver_1frame.dcm",  # 1 bit
    "liver_expb_1frame.dcm",
    "rtdose.dcm",  # uint32, 15 frames
    "rtdose_expb.dcm",
    "rtdose_rle.dcm",
    "rtdose_1frame.dcm",
]


def _dataset(values: bytes, rows: int, columns: int, *, bits=16, stored=None, signed=False, frames=None,
             samples=1, photometric="MONOCHROME2", planar=None, syntax=ExplicitVRLittleEndian) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated, ds.BitsStored = bits, stored or bits
    ds.HighBit = (stored or bits) - 1
    ds.PixelRepresentation = int(signed)
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if planar is not None:
        ds.PlanarConfiguration = planar
    if frames is not None:
        ds.NumberOfFrames = frames
    ds.PixelData = values
    ds["PixelData"].VR = "OB" if bits == 8 else "OW"
    return ds


def _round_trip(ds: Dataset) -> Dataset:
    """Write *ds* as a Part 10 file and read it back (so pydicom sees a real file)."""
    buffer = BytesIO()
    ds.preamble = b"\x00" * 128
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.3.4"
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return pydicom.dcmread(BytesIO(buffer.getvalue()))


def _as_array(px, shape):
    np = pytest.importorskip("numpy")
    return np.frombuffer(px.data, dtype=np.dtype(px.dtype).newbyteorder("<")).reshape(shape)


def _reference(ds):
    """pydicom's values, colour reduced to 8 bits as the preview shows it."""
    np = pytest.importorskip("numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = ds.pixel_array
    if int(ds.SamplesPerPixel) == 3 and arr.dtype.itemsize > 1:
        arr = arr >> (8 * arr.dtype.itemsize - 8)
    return np.asarray(arr)


class TestDecodeFrame:
    @pytest.mark.parametrize("name", DECODABLE)
    def test_matches_pydicom(self, name):
        """Every frame of a pydicom test file decodes to pydicom's pixel_array values."""
        np = pytest.importorskip("numpy")
        ds = pydicom.dcmread(get_testdata_file(name))
        ref = _reference(ds)
        frames = frame_count(ds)
        for index in range(frames):
            px = decode_frame(ds, index)
            expected = ref[index] if frames > 1 else ref
            assert np.array_equal(_as_array(px, expected.shape), expected), (name, index)

    def test_signed_12_of_16(self):
        """Bits Stored 12, signed: garbage high bits are dropped, the sign extended."""
        raw = struct.pack("<4H", 0xF800, 0x07FF, 0xAFFF, 0x0001)
        px = decode_frame(_dataset(raw, 2, 2, stored=12, signed=True))
        assert px.dtype == "int16"
        assert struct.unpack("<4h", px.data) == (-2048, 2047, -1, 1)

    def test_synthetic_against_pydicom(self):
        """12-bit signed data in a real file decodes like pydicom does."""
        np = pytest.importorskip("numpy")
        raw = struct.pack("<6H", 0xF800, 0x07FF, 0xAFFF, 0x0001, 0x1234, 0xFFFF)
        ds = _round_trip(_dataset(raw, 2, 3, stored=12, signed=True))
        assert np.array_equal(_as_array(decode_frame(ds), (2, 3)), _reference(ds))

    def test_odd_8bit_frames(self):
        """3x3 8-bit frames (odd length) are found at frame * 9 bytes."""
        raw = bytes(range(27)) + b"\x00"
        ds = _dataset(raw, 3, 3, bits=8, frames=3)
        assert decode_frame(ds, 2).data == bytes(range(18, 27))

    def test_signed_8bit(self):
        """8-bit signed data comes back as int8."""
        px = decode_frame(_dataset(bytes([0x80, 0x7F, 0xFF, 0x00]), 2, 2, bits=8, signed=True))
        assert px.dtype == "int8" and struct.unpack("<4b", px.data) == (-128, 127, -1, 0)

    def test_planar_rgb(self):
        """Planar Configuration 1 (RRR GGG BBB) becomes pixel-interleaved RGB."""
        ds = _dataset(bytes([1, 2, 10, 20, 100, 200]), 1, 2, bits=8, samples=3, photometric="RGB", planar=1)
        assert decode_frame(ds).data == bytes([1, 10, 100, 2, 20, 200])

    def test_ybr_full(self):
        """YBR_FULL is shown as RGB: Cb = Cr = 128 is grey."""
        ds = _dataset(bytes([90, 128, 128, 0]), 1, 1, bits=8, samples=3, photometric="YBR_FULL", planar=0)
        ds.PixelData = bytes([90, 128, 128, 0])
        assert decode_frame(ds).data == bytes([90, 90, 90])

    def test_big_endian_16(self):
        """Explicit VR big endian 16-bit values are swapped to little endian."""
        ds = _dataset(struct.pack(">2h", -3, 300), 1, 2, signed=True, syntax=ExplicitVRBigEndian)
        assert struct.unpack("<2h", decode_frame(ds).data) == (-3, 300)

    def test_implicit_from_bytes(self):
        """A NamedInput is parsed and decoded; errors would name it."""
        ds = _round_trip(_dataset(struct.pack("<4H", 1, 2, 3, 4), 2, 2, syntax=ImplicitVRLittleEndian))
        buffer = BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        read, name = read_dataset(NamedInput("x.dcm", buffer.getvalue()))
        assert name == "x.dcm" and decode_frame(read).data == struct.pack("<4H", 1, 2, 3, 4)


class TestBadInput:
    def test_no_pixel_data(self):
        """A header without Pixel Data says so and names the file."""
        ds = _dataset(b"", 2, 2)
        del ds.PixelData
        with pytest.raises(InputError, match="has no Pixel Data") as info:
            decode_frame(ds, name="empty.dcm")
        assert str(info.value).startswith("empty.dcm: ")

    def test_truncated(self):
        """pydicom's MR_truncated.dcm: the numbers of bytes expected and held."""
        ds = pydicom.dcmread(get_testdata_file("MR_truncated.dcm"))
        with pytest.raises(InputError, match="truncated.*8192 bytes, the element holds 8130"):
            decode_frame(ds)

    def test_more_frames_than_header(self):
        """Pixel Data holding two frames where the header says one is an error."""
        with pytest.raises(InputError, match="holds 2 frames .* Number of Frames says 1"):
            decode_frame(_dataset(bytes(16), 2, 2))

    def test_missing_elements_listed_together(self):
        """All missing image pixel elements are named in one message."""
        ds = _dataset(bytes(8), 2, 2)
        del ds.Rows, ds.BitsAllocated
        with pytest.raises(InputError, match="Rows, BitsAllocated"):
            decode_frame(ds)

    def test_video_syntax(self):
        """A transfer syntax without a codec here (MPEG-4): 'cannot decode <name>'."""
        ds = pydicom.dcmread(get_testdata_file("SC_rgb_jpeg.dcm"))
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.102"
        with pytest.raises(UnsupportedError, match=r"cannot decode MPEG-4 AVC/H.264 High Profile / Level 4.1 .*no codec"):
            decode_frame(ds, 0, "clip.dcm")

    def test_frame_out_of_range(self):
        """Asking for a frame the file lacks lists how many there are."""
        with pytest.raises(OptionsError, match="frame 3 does not exist: the file has 1"):
            decode_frame(_dataset(bytes(8), 2, 2), 3)

    def test_not_dicom(self):
        """Bytes without the DICM marker are refused with the file name."""
        with pytest.raises(DicomForgeError, match="not a DICOM file") as info:
            read_dataset(NamedInput("notes.txt", b"hello"))
        assert info.value.file == "notes.txt"


class TestRle:
    def test_backend_independent(self):
        """RLE decoding is pure Python: same bytes whichever backend is active."""
        ds = pydicom.dcmread(get_testdata_file("MR_small_RLE.dcm"))
        plain = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
        assert decode_frame(ds).data == decode_frame(plain).data
        assert kernels.BACKEND in ("numpy", "js", "stdlib")
