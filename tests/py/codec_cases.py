"""Compressed DICOM files to decode: every encapsulated file of pydicom's own test data that
is here offline, plus tests/data/*.dcm: made by tests/tools/make_fixtures.py (pydicom has no
HTJ2K file and no colour JPEG-LS in interleave mode 0), and two from review and fuzzing:
j2k_ybr_full.dcm (JPEG 2000 colour labelled YBR_FULL, no colour transform in the codestream)
and jpeg_lossless_damaged.dcm (a JPEG Lossless frame on which jpeg-lossless-decoder-js fails
with a TypeError). Their frames' digests, as pydicom's own decoders give them, are in
tests/py/dicom/decoded_frames.json (``python tests/py/codec_cases.py`` writes it anew).

Runs natively and in Pyodide: numpy only inside native-only tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file

from dicomforge.dicom.codecs import ENCAPSULATED
from dicomforge.dicom.pixels import decode_frame, frame_count, transfer_syntax

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = ROOT / "tests/py/dicom/decoded_frames.json"
OWN = ROOT / "tests/data"

#: pydicom's own decoders fail on these too (a JPEG stream with a misplaced marker, a JPEG 2000
#: fragment cut by a sequence delimiter): each must be an error naming file, frame and syntax
UNDECODABLE = {"JPEG-lossy.dcm", "JPEG2000-embedded-sequence-delimiter.dcm", "jpeg_lossless_damaged.dcm"}
#: 12-bit JPEG: libjpeg-turbo's 8-bit build (the browser's codec) cannot; natively libjpeg does
TWELVE_BIT_JPEG = {"JPGExtended.dcm"}

IN_BROWSER = sys.platform == "emscripten"


def test_files_root() -> Path:
    return Path(get_testdata_file("CT_small.dcm", download=False)).parent


def compressed_files() -> dict[str, Path]:
    """{name: path} of every encapsulated test file here (name relative to its folder)."""
    found = {}
    root = test_files_root()
    for folder in (root, OWN):
        for path in sorted(folder.rglob("*.dcm")):
            try:
                ds = pydicom.dcmread(path, stop_before_pixels=True)
            except Exception:  # pydicom's corpus holds deliberately broken files
                continue
            meta = getattr(ds, "file_meta", None)
            has_pixels = (0x7FE0, 0x0010) in ds or pydicom.dcmread(path).get("PixelData") is not None
            if meta is not None and str(meta.get("TransferSyntaxUID", "")) in ENCAPSULATED and has_pixels:
                found[str(path.relative_to(folder))] = path
    return found


def frame_digests(path: Path, name: str) -> dict:
    """Every frame of *path* decoded: its syntax, dtype, photometric and one sha256 a frame."""
    ds = pydicom.dcmread(path)
    frames = [decode_frame(ds, i, name) for i in range(frame_count(ds))]
    return {
        "syntax": transfer_syntax(ds),
        "dtype": frames[0].dtype,
        "photometric": frames[0].photometric,
        "frames": [hashlib.sha256(f.data).hexdigest() for f in frames],
    }


def load_digests() -> dict:
    return json.loads(DIGESTS.read_text())


if __name__ == "__main__":  # natively: python tests/py/codec_cases.py
    table = {}
    for name, path in compressed_files().items():
        if name not in UNDECODABLE:
            table[name] = frame_digests(path, name)
    DIGESTS.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    print(f"{len(table)} files, {sum(len(v['frames']) for v in table.values())} frames -> {os.path.relpath(DIGESTS)}")
