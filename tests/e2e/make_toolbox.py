"""Fixtures and checks of tests/e2e/toolbox.spec.js (the toolbox in the page).

``write DIR``: ``series.zip`` (a 6-slice CT series of a named patient in nested folders,
and a NIfTI volume), ``evil.zip`` (one good DICOM file, a ``../`` entry and a zip bomb) and
``photo.png``; prints their names. ``check-deid ZIP``: the de-identified download holds the
series under new UIDs, no original name, ID or UID, a report and no mapping; prints "ok".
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pydicom

from dicomforge import jobs
from dicomforge.inputs import NamedInput
from dicomforge.phantom import phantom_nifti

PATIENT = "DOE^JANE"
PATIENT_ID = "PID-4711"


def _series() -> list[tuple[str, bytes]]:
    volume = NamedInput("head.nii", phantom_nifti((24, 20, 6)))
    options = {"modality": "CT", "patient_name": PATIENT, "patient_id": PATIENT_ID, "series_description": "HEAD CT"}
    return [(e["name"], e["data"]) for e in jobs.start("series", [volume], options) if e["type"] == "file"]


def write(folder: Path) -> None:
    files = _series()
    with zipfile.ZipFile(folder / "series.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(f"study/ct/{name}", data)
        z.writestr("volumes/phantom.nii", phantom_nifti((16, 16, 4)), zipfile.ZIP_STORED)
        z.writestr("__MACOSX/._phantom.nii", b"junk")
    with zipfile.ZipFile(folder / "evil.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("ok.dcm", files[0][1])
        z.writestr("../escape.dcm", files[1][1])
        z.writestr("bomb.bin", b"\0" * (64 << 20))
    (folder / "originals.json").write_text(json.dumps([str(pydicom.dcmread(io.BytesIO(d)).SeriesInstanceUID)
                                                       for _, d in files[:1]]))
    print("\n".join(["series.zip", "evil.zip"]))


def check_deid(path: Path) -> None:
    original_series = json.loads((path.parent / "originals.json").read_text())[0]
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "deidentification_report.json" in names and "deidentification_mapping.json" not in names, names
        dicom = [n for n in names if n.endswith(".dcm")]
        assert len(dicom) == 6, names
        series = set()
        for name in dicom:
            data = z.read(name)
            for secret in (b"DOE", PATIENT_ID.encode(), original_series.encode()):
                assert secret not in data, (name, secret)
            ds = pydicom.dcmread(io.BytesIO(data))
            assert ds.PatientIdentityRemoved == "YES" and name == f"{ds.SOPInstanceUID}.dcm"
            series.add(ds.SeriesInstanceUID)
        assert len(series) == 1 and original_series not in series
        report = z.read("deidentification_report.json").decode()
        assert "DOE" not in report and PATIENT_ID not in report
    print("ok")


if __name__ == "__main__":
    {"write": write, "check-deid": check_deid}[sys.argv[1]](Path(sys.argv[2]))
