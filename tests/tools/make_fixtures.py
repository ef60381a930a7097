"""Writes the compressed test files pydicom's own test data lacks (tests/data/*.dcm):

- htj2k_mr_small.dcm, htj2k_rgb.dcm: pydicom's MR_small.dcm (16-bit signed grey) and
  SC_rgb_jpeg_dcmd.dcm (8-bit RGB, uncompressed) as HTJ2K Lossless (Cornerstone's OpenJPH);
- jpegls_rgb_planar.dcm: SC_rgb_jpeg_dcmd.dcm as JPEG-LS Lossless with interleave mode 0
  (one scan per colour plane; CharLS).

Run from the repository root: .venv/bin/python tests/tools/make_fixtures.py
"""

import subprocess
import tempfile
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import HTJ2KLossless, JPEGLSLossless

OUT = Path("tests/data")


def make(kind: str, source: str, target: str) -> None:
    ds = pydicom.dcmread(get_testdata_file(source, download=False))
    samples = int(ds.SamplesPerPixel)
    raw = bytes(ds.PixelData)
    if kind == "jpegls-planar":  # RGBRGB.. -> RRR..GGG..BBB..
        raw = b"".join(raw[k::3] for k in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        raw_path, stream_path = Path(tmp, "in.raw"), Path(tmp, "out.bin")
        raw_path.write_bytes(raw)
        subprocess.run(["node", "tests/tools/encode-frame.mjs", kind, str(raw_path), str(stream_path), str(ds.Columns),
                        str(ds.Rows), str(ds.BitsStored), str(samples), str(ds.PixelRepresentation)], check=True)
        stream = stream_path.read_bytes()
    ds.PixelData = encapsulate([stream])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = HTJ2KLossless if kind == "htj2k" else JPEGLSLossless
    if samples == 3 and kind == "htj2k":
        ds.PhotometricInterpretation = "YBR_RCT"  # the reversible colour transform was applied
    ds.save_as(OUT / target, enforce_file_format=True)


if __name__ == "__main__":
    make("htj2k", "MR_small.dcm", "htj2k_mr_small.dcm")
    make("htj2k", "SC_rgb_jpeg_dcmd.dcm", "htj2k_rgb.dcm")
    make("jpegls-planar", "SC_rgb_jpeg_dcmd.dcm", "jpegls_rgb_planar.dcm")
