"""Files as scanners and other tools write them, built here with pydicom and pynrrd (not with
dicomforge's writers), for the tests that must hold on real data: rounded positions and gaps,
cosines that are not quite perpendicular, labels made by another program.

Also run as a script by the browser tests: ``python tests/py/scanner_cases.py KIND OUTDIR``
writes the files of one case and prints their names (see :data:`CASES`).
"""

from __future__ import annotations

import math
import random
import sys
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def _ds(value: float, digits: int = 6) -> str:
    """A DS as scanners write it: rounded to a few decimals."""
    return f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".") or "0"


def _part10(ds: Dataset, sop_class: str) -> Dataset:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    return ds


def oblique_mr_series(n=20, rows=48, columns=64, pixel=(0.9, 0.8), gap=7.0, cosine=5e-4, seed=7):
    """An oblique MR series as a scanner writes it: gaps varying by up to 1% (rounded to
    0.1 mm steps of the table), row and column cosines *cosine* off perpendicular, positions
    and cosines rounded to 6 decimals, files in shuffled order with names that say nothing.

    Returns ``(files, truth)``: ``files`` is ``[(name, Part 10 bytes)]``; ``truth`` holds
    ``row``, ``col`` (as written), ``positions`` (per slice, in order along the normal),
    ``slice_of`` (file name -> slice index), ``pixel`` and the ``pixels`` array (z, y, x).
    """
    rng = random.Random(seed)
    tilted = _unit([0.1, 0.2, 1.0])  # the slice normal, oblique
    row = _unit([math.cos(0.35), math.sin(0.35), 0.0])
    row = _unit(row - np.dot(row, tilted) * tilted)
    col = _unit(np.cross(tilted, row) + cosine * row)  # not quite perpendicular, as the file stores it
    normal = _unit(np.cross(row, col))
    origin = np.array([-80.25, -97.5, 31.0])
    depths = [0.0]
    for _ in range(n - 1):
        depths.append(depths[-1] + gap * (1 + rng.uniform(-0.01, 0.01)))
    positions = [origin + d * normal for d in depths]
    pixels = np.random.default_rng(seed).integers(0, 1200, size=(n, rows, columns), dtype=np.int16)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    order = list(range(n))
    rng.shuffle(order)
    files, slice_of = [], {}
    for i, k in enumerate(order):
        ds = Dataset()
        ds.SOPInstanceUID = generate_uid()
        ds.Modality = "MR"
        ds.PatientName, ds.PatientID = "Oblique^Scanner", "OBL-1"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.SeriesNumber, ds.InstanceNumber, ds.SeriesDescription = 5, k + 1, "t2_tse_obl"
        ds.ImagePositionPatient = [_ds(v, 4) for v in positions[k]]
        ds.ImageOrientationPatient = [_ds(v) for v in (*row, *col)]
        ds.PixelSpacing = [_ds(pixel[0]), _ds(pixel[1])]
        ds.SliceThickness, ds.EchoTime, ds.RepetitionTime = "5", "12.5", "500"
        ds.Rows, ds.Columns = rows, columns
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 1
        ds.PixelData = pixels[k].tobytes()
        _part10(ds, MR_IMAGE_STORAGE)
        out = BytesIO()
        ds.save_as(out, enforce_file_format=True)
        name = f"IM{i:04d}"
        files.append((name, out.getvalue()))
        slice_of[name] = k
    return files, {"row": row, "col": col, "positions": positions, "slice_of": slice_of, "pixel": pixel,
                   "pixels": pixels}


def label_map_for(truth: dict, seed: int = 3) -> np.ndarray:
    """Labels 1 (a ball) and 2 (a box) on the series' grid, as an (x, y, z) array."""
    n = len(truth["positions"])
    rows, columns = truth["pixels"].shape[1:]
    x, y, z = np.mgrid[0:columns, 0:rows, 0:n]
    labels = np.zeros((columns, rows, n), dtype=np.uint8)
    labels[(x - columns / 3) ** 2 + (y - rows / 2) ** 2 + ((z - n / 2) * 4) ** 2 < 15 ** 2] = 1
    labels[40:55, 5:15, 2:n - 2] = 2
    return labels


def label_map_nrrd(truth: dict, path: Path) -> np.ndarray:
    """The label map as a segmentation tool saves it for the series: origin at the first
    slice, the in-plane axes from the stored cosines, the slice axis (last - first) / (n - 1)."""
    import nrrd

    positions = truth["positions"]
    step = (positions[-1] - positions[0]) / (len(positions) - 1)
    directions = np.array([truth["row"] * truth["pixel"][1], truth["col"] * truth["pixel"][0], step])
    labels = label_map_for(truth)
    nrrd.write(str(path), labels, {"space": "left-posterior-superior", "space directions": directions,
                                   "space origin": positions[0]})
    return labels


def write_oblique_case(out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    files, truth = oblique_mr_series()
    for name, data in files:
        (out / name).write_bytes(data)
    label_map_nrrd(truth, out / "labels.nrrd")
    return [name for name, _ in files] + ["labels.nrrd"]


def write_width_zero_case(out: Path) -> list[str]:
    """An MR image whose file stores a window of width 0 (as some scanners write "no window")."""
    out.mkdir(parents=True, exist_ok=True)
    files, _ = oblique_mr_series(n=1)
    ds = pydicom.dcmread(BytesIO(files[0][1]))
    ds.WindowCenter, ds.WindowWidth = "600", "0"
    ds.save_as(out / "width0.dcm", enforce_file_format=True)
    return ["width0.dcm"]


def write_ct_nrrd_case(out: Path) -> list[str]:
    """A chest CT as NRRD the way 3D Slicer saves it: RAS space, positive steps (so in LPS the
    rows run to the patient's right and the columns to the front), Hounsfield units."""
    import nrrd

    out.mkdir(parents=True, exist_ok=True)
    x, y, z = np.mgrid[0:96, 0:80, 0:6]
    ct = np.full((96, 80, 6), -1000, dtype=np.int16)
    body = ((x - 48) / 44.0) ** 2 + ((y - 40) / 34.0) ** 2 < 1
    ct[body] = 40
    ct[body & (y >= 60)] = 300  # a band at the front (RAS +y: anterior): bone-like
    nrrd.write(str(out / "chest.nrrd"), ct, {"space": "right-anterior-superior",
                                            "space directions": np.diag([0.8, 0.8, 2.5]),
                                            "space origin": np.array([-38.0, -32.0, -7.5])})
    return ["chest.nrrd"]


def check_oblique_zip(zip_path: str) -> dict:
    """The overlay job's zip of the oblique case: per file, whether both planes equal the labels."""
    import zipfile

    _, truth = oblique_mr_series()
    labels = label_map_for(truth)
    report = {}
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            ds = pydicom.dcmread(BytesIO(archive.read(name)))
            k = truth["slice_of"][name]
            report[name] = all(np.array_equal(ds.overlay_array(g), (labels[:, :, k] == v).T.astype(np.uint8))
                               for g, v in ((0x6000, 1), (0x6002, 2)))
    return report


CASES = {"oblique": write_oblique_case, "width0": write_width_zero_case, "ct-nrrd": write_ct_nrrd_case}

if __name__ == "__main__":
    if sys.argv[1] == "check-oblique":
        import json

        print(json.dumps(check_oblique_zip(sys.argv[2])))
    else:
        print("\n".join(CASES[sys.argv[1]](Path(sys.argv[2]))))
