"""Data for the embedding-API test: a 3-slice DICOM series, one mask per SOP Instance UID,
and a small NIfTI volume, as JSON of byte lists. With --check, compares the overlays of the
files the page returned (JSON on stdin) with the masks.

Usage: python tests/e2e/make_api_case.py          -> JSON on stdout
       python tests/e2e/make_api_case.py --check  < returned.json
"""

import io
import json
import struct
import sys

import numpy as np
import pydicom

from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
from dicomforge.volume import Volume

ROWS, COLS = 20, 30


def mask_for(index: int) -> np.ndarray:
    mask = np.zeros((ROWS, COLS), dtype=np.uint8)
    mask[2 + index : 10 + index, 5 : 12 + 3 * index] = 1
    return mask


def make() -> dict:
    image = np.arange(ROWS * COLS * 3, dtype=np.int16).reshape((3, ROWS, COLS))
    files = list(write_series(Volume(image.tobytes(), "int16", (COLS, ROWS, 3), (1.0, 1.0, 2.0), (0, 0, 0)),
                              SeriesOptions(modality="CT")))
    dicom, masks = [], {}
    for i, (name, data) in enumerate(files):
        uid = str(pydicom.dcmread(io.BytesIO(data)).SOPInstanceUID)
        dicom.append({"name": name, "data": list(data)})
        masks[uid] = list(mask_for(i).tobytes())
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, 8, 6, 4, 1, 1, 1, 1)
    struct.pack_into("<hh", header, 70, 4, 16)
    struct.pack_into("<8f", header, 76, 1, 1, 1, 1, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352)
    header[344:348] = b"n+1\0"
    volume = bytes(header) + b"\0" * 4 + struct.pack("<192h", *range(192))
    return {"dicom": dicom, "masks": masks, "volume": {"name": "vol.nii", "data": list(volume)}}


def check(returned: dict) -> dict:
    """Per output file: does overlay 6000 equal the mask made for its source slice?"""
    expected = {str(pydicom.dcmread(io.BytesIO(bytes(d["data"]))).InstanceNumber): i for i, d in enumerate(make()["dicom"])}
    report = {}
    for item in returned["overlaid"]:
        ds = pydicom.dcmread(io.BytesIO(bytes(item["data"])))
        index = expected[str(ds.InstanceNumber)]
        report[item["name"]] = bool((ds.overlay_array(0x6000) == mask_for(index)).all()) and ds[0x6000, 0x0040].value == "R"
    return report


if __name__ == "__main__":
    print(json.dumps(check(json.load(sys.stdin)) if sys.argv[1:] == ["--check"] else make()))
