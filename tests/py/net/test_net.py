"""Networking against real peers: Orthanc (C-ECHO, C-STORE, C-FIND, STOW-RS, QIDO-RS, WADO-RS) and
dcmtk (echoscu, storescu, findscu); a fake DICOMweb server for the failures a real one rarely shows
(503 once, a dropped connection, one instance refused, a redirect elsewhere)."""

from __future__ import annotations

import http.server
import json
import shutil
import struct
import subprocess
import threading
import time
from pathlib import Path

import pydicom
import pytest

from net_cases import free_port, orthanc_files
from dicomforge import cli
from dicomforge.net.dicomweb import Service, stow
from zarr_cases import ct_series

pytest.importorskip("pynetdicom")


def _dataset_bytes(data: bytes) -> bytes:
    """A Part 10 file's bytes after its file meta (what travels on the wire)."""
    pos = 132
    while struct.unpack_from("<H", data, pos)[0] == 0x0002:
        vr = data[pos + 4 : pos + 6]
        if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT", b"UC", b"UR"):
            pos += 12 + struct.unpack_from("<I", data, pos + 8)[0]
        else:
            pos += 8 + struct.unpack_from("<H", data, pos + 6)[0]
    return data[pos:]


@pytest.fixture
def series(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    items = ct_series(n=4, rows=16, columns=16)
    for item in items:
        (folder / item.name).write_bytes(item.data)
    return sorted(folder.iterdir())


def _uid(path: Path) -> str:
    return str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)


def _peer(orthanc) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(orthanc["dicom"]), "--called-aet", orthanc["aet"]]


def test_dimse_against_orthanc_and_findscu(orthanc, series, capsys):
    assert cli.main(["echo", *_peer(orthanc)]) == 0
    assert cli.main(["send", *map(str, series), *_peer(orthanc), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()[1:]]
    assert [r["ok"] for r in rows] == [True] * 4 and {r["sopInstanceUid"] for r in rows} == {_uid(p) for p in series}
    stored = orthanc_files(orthanc["http"])
    for path in series:  # Orthanc keeps the data set as sent (its own file meta in front)
        assert _dataset_bytes(stored[_uid(path)]) == _dataset_bytes(path.read_bytes())
    study = str(pydicom.dcmread(series[0]).StudyInstanceUID)
    assert cli.main(["find", *_peer(orthanc), "--json", "-k", f"StudyInstanceUID={study}"]) == 0
    ours = {json.loads(line)["0020000D"]["Value"][0] for line in capsys.readouterr().out.splitlines()}
    found = subprocess.run([shutil.which("findscu"), "-S", "-k", "QueryRetrieveLevel=STUDY", "-k",
                            f"StudyInstanceUID={study}", "-aec", orthanc["aet"], "127.0.0.1", str(orthanc["dicom"])],
                           capture_output=True, text=True)
    assert ours == {study} and found.stderr.count(study) == 1
    assert cli.main(["echo", "--host", "127.0.0.1", "--port", str(free_port()), "--timeout", "2"]) == 2
    assert "could not be opened" in capsys.readouterr().out


def test_dicomweb_against_orthanc(orthanc, series, tmp_path, capsys):
    url = ["--url", orthanc["dicomweb"]]
    assert cli.main(["stow", *map(str, series), *url, "--batch", "3", "--authorization", "Bearer s3cr3t"]) == 0
    out = capsys.readouterr()
    assert out.out.count(": stored") == 4 and "s3cr3t" not in out.out + out.err
    stored = orthanc_files(orthanc["http"])
    assert all(stored[_uid(p)] == p.read_bytes() for p in series)  # STOW: the very files
    ds = pydicom.dcmread(series[0])
    assert cli.main(["qido", *url, "-k", "PatientID=SYN001", "--json"]) == 0
    studies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert str(ds.StudyInstanceUID) in {s["0020000D"]["Value"][0] for s in studies}
    assert cli.main(["qido", *url, "--study", str(ds.StudyInstanceUID), "--json"]) == 0
    assert str(ds.SeriesInstanceUID) in capsys.readouterr().out
    out_dir = tmp_path / "wado"
    assert cli.main(["wado", *url, "--study", str(ds.StudyInstanceUID), "--series", str(ds.SeriesInstanceUID),
                     "-o", str(out_dir)]) == 0
    assert sorted(p.read_bytes() for p in out_dir.iterdir()) == sorted(p.read_bytes() for p in series)


def test_listen_answers_echoscu_and_keeps_what_storescu_sends(series, tmp_path):
    from dicomforge.net.dimse import listen

    port, received, done = free_port(), [], threading.Event()
    thread = threading.Thread(target=listen, args=(port, str(tmp_path / "in")),
                              kwargs={"allowed": ["STORESCU", "ECHOSCU"], "on_file": received.append, "stop": done.is_set})
    thread.start()
    try:
        time.sleep(0.5)
        assert subprocess.run([shutil.which("echoscu"), "127.0.0.1", str(port)], capture_output=True).returncode == 0
        sent = subprocess.run([shutil.which("storescu"), "127.0.0.1", str(port), *map(str, series)], capture_output=True)
        assert sent.returncode == 0, sent.stderr
        refused = subprocess.run([shutil.which("echoscu"), "-aet", "STRANGER", "127.0.0.1", str(port)], capture_output=True)
        assert refused.returncode != 0  # not on the allowed list
    finally:
        done.set()
        thread.join(10)
    assert len(received) == 4
    for path in series:
        kept = (tmp_path / "in" / f"{_uid(path)}.dcm").read_bytes()
        assert _dataset_bytes(kept) == _dataset_bytes(path.read_bytes())


class _Fake(http.server.BaseHTTPRequestHandler):
    """A STOW-RS server scripted by the test: a list of what to do with each request."""

    script: list = []
    seen: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append({"authorization": self.headers.get("Authorization"), "count": body.count(b"application/dicom\r\n")})
        action = self.script.pop(0) if self.script else "ok"
        if action == "503":
            self.send_response(503)
            self.end_headers()
        elif action == "drop":
            self.connection.close()
        elif action == "hostile":
            payload = json.dumps({"00081199": {"Value": ["x", {"00081155": 3}]}, "00081198": {"Value": {"a": 1}}}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        elif action == "cut":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"{\"00")
            self.wfile.flush()
            self.connection.close()
        elif action == "redirect":
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.2:9/elsewhere")
            self.end_headers()
        else:
            uids = [part.split(b"\x00")[0] for part in body.split(b"UID-")[1:]]
            refused = set(action[1]) if isinstance(action, tuple) else set()
            answer = {"00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": [u.decode()]}}
                                                         for u in uids if u.decode() not in refused]},
                      "00081198": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": [u]},
                                                          "00081197": {"vr": "US", "Value": [49442]}} for u in refused]}}
            payload = json.dumps(answer).encode()
            self.send_response(202 if refused else 200)
            self.send_header("Content-Type", "application/dicom+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)


@pytest.fixture
def fake():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Fake.seen.clear()
    yield server
    server.shutdown()


def _files(n: int) -> list[tuple[str, str, bytes]]:
    return [(f"f{i}.dcm", f"1.2.3.{i}", b"UID-1.2.3." + str(i).encode() + b"\x00" + bytes(50)) for i in range(n)]


def test_stow_retries_reports_and_never_claims_what_was_not_confirmed(fake):
    service = Service(f"http://127.0.0.1:{fake.server_port}/dicom-web", "Bearer s3cr3t", timeout=5, retries=2)
    _Fake.script[:] = ["503", "ok", "drop", ("refused", ["1.2.3.3"])]
    rows = list(stow(_files(4), service, batch=2, sleep=lambda s: None))
    assert [r["ok"] for r in rows] == [True, True, True, False]
    assert "refused by the server (failure reason 0xC122)" in rows[3]["message"]
    assert [s["count"] for s in _Fake.seen] == [2, 2, 2, 2] and {s["authorization"] for s in _Fake.seen} == {"Bearer s3cr3t"}
    retry = list(stow([_files(4)[3]], service, sleep=lambda s: None))  # a retry sends only what did not arrive
    assert retry[0]["ok"] and _Fake.seen[-1]["count"] == 1
    _Fake.script[:] = ["503", "503", "503"]
    rows = list(stow(_files(1), service, sleep=lambda s: None))
    assert not rows[0]["ok"] and rows[0]["message"] == "not stored: the server answered 503 Service Unavailable (3 attempts)"
    _Fake.script[:] = ["redirect"]
    rows = list(stow(_files(1), service, sleep=lambda s: None))
    assert not rows[0]["ok"] and "redirected to another origin" in rows[0]["message"]
    assert all("s3cr3t" not in json.dumps(r) for r in rows)


def test_hostile_or_cut_answers_and_bad_options_are_results_in_words(fake):
    from dicomforge.errors import DicomForgeError, OptionsError
    from dicomforge.net.dicomweb import qido

    service = Service(f"http://127.0.0.1:{fake.server_port}/dicom-web", timeout=5, retries=1)
    _Fake.script[:] = ["hostile"]
    rows = list(stow(_files(2), service, sleep=lambda s: None))
    assert [r["ok"] for r in rows] == [False, False] and "not confirmed" in rows[0]["message"]
    _Fake.script[:] = ["cut", "cut"]
    rows = list(stow(_files(1), service, sleep=lambda s: None))
    assert rows[0]["message"] == "not stored: the answer was cut short or garbled (2 attempts)"
    with pytest.raises(DicomForgeError, match="the search failed: HTTP 401"):
        qido(service, {})
    for bad in (Service(service.url, retries=-1), Service(service.url, timeout=0)):
        with pytest.raises(OptionsError):
            list(stow(_files(1), bad))
    with pytest.raises(OptionsError, match="batch must be 1 or more"):
        list(stow(_files(1), service, batch=0))
