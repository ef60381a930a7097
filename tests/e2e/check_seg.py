"""The SEG e2e test's fixtures and oracles (run by tests/e2e/seg.spec.js).

    write DIR           a CT series (6 files, 64x48) and labels.nrrd (1 = liver, 2 = spleen) into DIR
    check DIR SEG.dcm   dciodvfy reports no error; highdicom reads Liver and Spleen with the label map's masks
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom

from zarr_cases import ct_series


def labels() -> np.ndarray:
    """(z, y, x) labels: 1 a box on slices 1-4, 2 a smaller box on slice 3."""
    out = np.zeros((6, 48, 64), np.uint8)
    out[1:5, 10:20, 5:30] = 1
    out[3, 30:40, 40:60] = 2
    return out


def write(folder: str) -> None:
    import nrrd

    for item in ct_series(n=6, rows=48, columns=64, spacing=(0.7, 0.8), step=(0, 0, 2.5)):
        (Path(folder) / item.name).write_bytes(item.data)
        print(item.name)
    header = {"space": "left-posterior-superior", "space directions": np.diag([0.8, 0.7, 2.5]),
              "space origin": np.array([-100.0, -50.0, 10.0])}
    nrrd.write(str(Path(folder) / "labels.nrrd"), labels().transpose(2, 1, 0).copy(), header)
    print("labels.nrrd")


def check(folder: str, path: str) -> None:
    import highdicom as hd

    tool = shutil.which("dciodvfy") or shutil.which("dciodvfy", path=str(Path(sys.executable).parent))
    report = subprocess.run([tool, path], capture_output=True, text=True)
    errors = [line for line in (report.stdout + report.stderr).splitlines() if line.startswith("Error")]
    assert not errors, errors
    sources = sorted((pydicom.dcmread(p) for p in Path(folder).glob("IM*.dcm")), key=lambda d: float(d.ImagePositionPatient[2]))
    seg = hd.seg.segread(path)
    assert [seg.get_segment_description(n).segment_label for n in seg.segment_numbers] == ["Liver", "Spleen"]
    masks = seg.get_pixels_by_source_instance(source_sop_instance_uids=[d.SOPInstanceUID for d in sources],
                                              combine_segments=True, assert_missing_frames_are_empty=True)
    assert np.array_equal(masks, labels()), "masks differ"


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"write": write, "check": check}[command](*args)
    if command != "write":
        print("ok")
