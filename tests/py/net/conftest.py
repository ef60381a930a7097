"""A real Orthanc (Debian's, with its DICOMweb plugin) started on 127.0.0.1 for the networking tests:
random free HTTP and DICOM ports, a temporary storage folder, stopped afterwards."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from net_cases import free_port

TEMPLATE = Path(__file__).resolve().parents[2] / "orthanc" / "orthanc.json"


@pytest.fixture(scope="session")
def orthanc(tmp_path_factory):
    """``{"http": base URL, "dicom": port, "aet": "ORTHANC"}`` of a fresh Orthanc."""
    if sys.platform == "emscripten":
        pytest.skip("no servers in Pyodide")
    binary = shutil.which("Orthanc")
    if binary is None:
        pytest.fail("Orthanc is not installed (make test installs orthanc and orthanc-dicomweb)")
    folder = tmp_path_factory.mktemp("orthanc")
    http, dicom = free_port(), free_port()
    config = json.loads(TEMPLATE.read_text())  # (the repository's configuration, with this run's ports and folder)
    config.update(StorageDirectory=str(folder / "db"), IndexDirectory=str(folder / "db"), HttpPort=http, DicomPort=dicom)
    config["ServeFolders"]["Folders"] = {"/dicomforge": str(TEMPLATE.parents[2] / "dist-orthanc")}
    (folder / "orthanc.json").write_text(json.dumps(config))
    process = subprocess.Popen([binary, str(folder / "orthanc.json")], stdout=subprocess.DEVNULL,
                               stderr=open(folder / "log.txt", "wb"))
    base = f"http://127.0.0.1:{http}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/system", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"Orthanc did not start: {(folder / 'log.txt').read_text()[-500:]}")
    yield {"http": base, "dicomweb": base + "/dicom-web", "dicom": dicom, "aet": "ORTHANC"}
    process.terminate()
    process.wait(10)
