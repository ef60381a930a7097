"""Writes tests/data/htj2k_*.dcm: pydicom's MR_small.dcm (16-bit signed grey) and
SC_rgb_jpeg_dcmd.dcm (8-bit RGB, uncompressed) with their pixels encoded as HTJ2K Lossless by Cornerstone's
OpenJPH (tests/tools/htj2k-encode.mjs). pydicom's own test data has no HTJ2K file.

Run from the repository root: .venv/bin/python tests/tools/make_htj2k.py
"""

import subprocess
import tempfile
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import HTJ2KLossless

OUT = Path("tests/data")


def make(source: str, target: str) -> None:
    ds = pydicom.dcmread(get_testdata_file(source, download=False))
    samples = int(ds.SamplesPerPixel)
    with tempfile.TemporaryDirectory() as tmp:
        raw, j2c = Path(tmp, "in.raw"), Path(tmp, "out.j2c")
        raw.write_bytes(ds.PixelData)
        subprocess.run(["node", "tests/tools/htj2k-encode.mjs", str(raw), str(j2c), str(ds.Columns), str(ds.Rows),
                        str(ds.BitsStored), str(samples), str(ds.PixelRepresentation)], check=True)
        stream = j2c.read_bytes()
    ds.PixelData = encapsulate([stream])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = HTJ2KLossless
    if samples == 3:
        ds.PhotometricInterpretation = "YBR_RCT"  # the reversible colour transform was applied
    ds.save_as(OUT / target, enforce_file_format=True)


if __name__ == "__main__":
    make("MR_small.dcm", "htj2k_mr_small.dcm")
    make("SC_rgb_jpeg_dcmd.dcm", "htj2k_rgb.dcm")
