"""A small DICOM series (written by dicomforge's own series writer) and a label map on its grid.

Usage: python tests/e2e/make_overlay_case.py OUTDIR -> prints the file names to drop.
The label map is labels.nrrd (LPS, x fastest): label 1 a box, label 2 a disc; check_overlays()
compares what the page wrote against it.
"""

import io
import json
import sys
from pathlib import Path

import nrrd
import numpy as np

from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
from dicomforge.volume import Volume

NX, NY, NZ = 40, 30, 6
SPACING = (0.8, 0.9, 2.0)
ORIGIN = (-10.0, 5.0, 20.0)


def labels() -> np.ndarray:
    lab = np.zeros((NX, NY, NZ), dtype=np.uint8)  # index order x, y, z
    lab[5:20, 4:12, 1:4] = 1
    x, y = np.mgrid[0:NX, 0:NY]
    lab[((x - 28) ** 2 + (y - 20) ** 2 < 36), 3] = 2
    return lab


def make(out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    image = np.arange(NX * NY * NZ, dtype=np.int16).reshape((NZ, NY, NX))  # z, y, x: x fastest
    volume = Volume(image.tobytes(), "int16", (NX, NY, NZ), SPACING, ORIGIN)
    names = []
    for name, data in write_series(volume, SeriesOptions(modality="CT", series_description="src")):
        (out / name).write_bytes(data)
        names.append(name)
    header = {"space": "left-posterior-superior", "space directions": np.diag(SPACING), "space origin": np.array(ORIGIN)}
    nrrd.write(str(out / "labels.nrrd"), labels(), header)
    return [*names, "labels.nrrd"]


def check_overlays(zip_path: str) -> dict:
    """For every file of the zip: its slice index and whether each overlay equals the labels."""
    import zipfile

    import pydicom

    lab = labels()
    report = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            ds = pydicom.dcmread(io.BytesIO(z.read(name)))
            k = round((float(ds.ImagePositionPatient[2]) - ORIGIN[2]) / SPACING[2])
            planes = {}
            for group in range(0x6000, 0x6020, 2):
                if (group, 0x3000) in ds:
                    label = str(ds[group, 0x0022].value) if (group, 0x0022) in ds else ""
                    value = 1 if "1" in label else 2
                    expected = (lab[:, :, k] == value).T.astype(np.uint8)  # rows = y, columns = x
                    planes[label] = bool((ds.overlay_array(group) == expected).all())
            report[name] = {"slice": k, "planes": planes, "series": ds.SeriesDescription}
    return report


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        print(json.dumps(check_overlays(sys.argv[2])))
    else:
        print("\n".join(make(Path(sys.argv[1]))))
