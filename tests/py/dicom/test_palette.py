"""PALETTE COLOR: indices through the file's tables equal pydicom's apply_color_lut (high byte of 16-bit entries)."""

from __future__ import annotations

import glob
import os
import struct

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge.dicom.palette import palette_to_rgb
from dicomforge.dicom.pixels import decode_frame
from dicomforge.errors import InputError, UnsupportedError

PALETTES = sorted(glob.glob(os.path.join(os.path.dirname(pydicom.__file__), "data", "palettes", "*.dcm")))


def _reference(ds):
    np = pytest.importorskip("numpy")
    from pydicom.pixels import apply_color_lut

    rgb = apply_color_lut(ds.pixel_array, ds)
    return (rgb >> 8 if ds.RedPaletteColorLookupTableDescriptor[2] == 16 else rgb).astype(np.uint8).tobytes()


def _indexed(palette_file: str, values, bits=8, signed=False) -> Dataset:
    """A PALETTE COLOR image of *values* carrying the tables of one of pydicom's palettes."""
    palette = pydicom.dcmread(palette_file)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Rows, ds.Columns = 1, len(values)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "PALETTE COLOR"
    ds.BitsAllocated = ds.BitsStored = bits
    ds.HighBit, ds.PixelRepresentation = bits - 1, int(signed)
    for elem in palette:
        if "Palette" in elem.keyword:
            ds.add(elem)
    code = {(8, False): "B", (8, True): "b", (16, False): "H", (16, True): "h"}[bits, signed]
    ds.PixelData = struct.pack(f"<{len(values)}{code}", *values)
    ds["PixelData"].VR = "OB" if bits == 8 else "OW"
    return ds


def test_examples_palette_equals_pydicom():
    """pydicom's PALETTE COLOR example (16-bit entries) decodes to pydicom's colours."""
    ds = pydicom.dcmread(get_testdata_file("examples_palette.dcm"))
    px = decode_frame(ds)
    assert (px.samples, px.dtype, px.photometric) == (3, "uint8", "PALETTE COLOR")
    assert px.data == _reference(ds)


@pytest.mark.parametrize("path", PALETTES, ids=os.path.basename)
def test_standard_palettes_plain_and_segmented(path):
    """Every well-known palette (four of them segmented) maps 0-255 as pydicom does."""
    ds = _indexed(path, list(range(256)))
    assert decode_frame(ds).data == _reference(ds)


def test_indices_outside_the_table_clamp():
    """Below the first mapped value: entry 0; past the table: its last entry (16-bit indices)."""
    ds = _indexed(next(p for p in PALETTES if "hotiron" in p), [0, 5, 260, 261, 4000, 65535], bits=16)
    ds.RedPaletteColorLookupTableDescriptor = ds.GreenPaletteColorLookupTableDescriptor = \
        ds.BluePaletteColorLookupTableDescriptor = [256, 5, 8]
    rgb = decode_frame(ds).data
    first, last = rgb[0:3], rgb[-3:]
    assert rgb[3:6] == first and rgb[6:9] == rgb[9:12] == rgb[12:15] == last
    # (not against pydicom here: its apply_color_lut holds index - first in the tables' 8-bit
    # type, so 261 - 5 wraps to 0 and takes the first colour)
    red = ds.RedPaletteColorLookupTableData
    assert (first[0], last[0]) == (red[0], red[255]) and first != last


def test_damaged_tables_are_named():
    ds = _indexed(PALETTES[1], [1, 2])
    del ds.GreenPaletteColorLookupTableData
    with pytest.raises(InputError, match="without Green Palette Color Lookup Table Data"):
        decode_frame(ds)
    ds = _indexed(PALETTES[1], [1, 2])
    ds.BluePaletteColorLookupTableDescriptor = [256, 0, 12]
    with pytest.raises(InputError, match="12 bits per entry"):
        palette_to_rgb(b"\x01\x02", "uint8", ds)
    segmented = _indexed(next(p for p in PALETTES if "fall" in p), [1])
    segmented.SegmentedRedPaletteColorLookupTableData = struct.pack("<4B", 2, 1, 0, 0)
    with pytest.raises(UnsupportedError, match="indirect segments"):
        decode_frame(segmented)
