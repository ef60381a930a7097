"""A real Orthanc (Debian's, with its DICOMweb plugin) started on 127.0.0.1 for the networking tests:
random free HTTP and DICOM ports, a temporary storage folder, stopped afterwards."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from net_cases import free_port

PLUGINS = "/usr/share/orthanc/plugins"


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
    config = {"Name": "dicomforge-test", "StorageDirectory": str(folder / "db"), "IndexDirectory": str(folder / "db"),
              "HttpPort": http, "DicomPort": dicom, "DicomAet": "ORTHANC", "RemoteAccessAllowed": False,
              "AuthenticationEnabled": False, "DicomCheckCalledAet": False, "DicomAlwaysAllowFind": True,
              "Plugins": [f"{PLUGINS}/libOrthancDicomWeb.so"], "DicomWeb": {"Enable": True, "Root": "/dicom-web/"}}
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
