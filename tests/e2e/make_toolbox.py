"""Fixtures and checks of tests/e2e/toolbox.spec.js (the toolbox in the page).

``write DIR``: ``series.zip`` (a 6-slice CT series of a named patient in nested folders,
and a NIfTI volume), ``evil.zip`` (one good DICOM file, a ``../`` entry and a zip bomb),
``photo.png`` (colour) and ``grey.png``; prints the zips' names. The series carries a GE
private block: Table Speed (0019,xx23), safe, and Pulse Sequence Name (0019,xx9C), not.
``check-deid ZIP``: the de-identified download (Retain Safe Private ticked) holds the series
under new UIDs, no original name, ID or UID, the safe private element alone, a report and no
mapping; ``check-images ZIP``: the Secondary Capture files hold the PNGs' pixels, RGB
and MONOCHROME2, in one series of the reference's patient; each prints "ok".
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


TABLE_SPEED = "39.375"  # (0019,xx23) of GEMS_ACQU_01: on PixelMed's list of safe private attributes


def _with_private_block(data: bytes) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    block = ds.private_block(0x0019, "GEMS_ACQU_01", create=True)
    block.add_new(0x23, "DS", TABLE_SPEED)
    block.add_new(0x9C, "LO", "DOE protocol")  # (not on the list: removed)
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _series() -> list[tuple[str, bytes]]:
    volume = NamedInput("head.nii", phantom_nifti((24, 20, 6)))
    options = {"modality": "CT", "patient_name": PATIENT, "patient_id": PATIENT_ID, "series_description": "HEAD CT"}
    return [(e["name"], _with_private_block(e["data"])) for e in jobs.start("series", [volume], options)
            if e["type"] == "file"]


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
    _write_png(folder / "photo.png", 3, lambda x, y: (x * 9 % 256, y * 13 % 256, (x * y) % 256))
    _write_png(folder / "grey.png", 1, lambda x, y: ((x * 7 + y * 3) % 256,))
    (folder / "originals.json").write_text(json.dumps([str(pydicom.dcmread(io.BytesIO(d)).SeriesInstanceUID)
                                                       for _, d in files[:1]]))
    print("\n".join(["series.zip", "evil.zip"]))


_PNG_SIZE = (23, 17)  # (odd: rows are not word-aligned)


def _pixels(channels: int, colour) -> bytes:
    width, height = _PNG_SIZE
    return bytes(v for y in range(height) for x in range(width) for v in colour(x, y))


def _write_png(path: Path, channels: int, colour) -> None:
    """An 8-bit PNG (grey or RGB) written with the standard library (no filter)."""
    import struct
    import zlib

    width, height = _PNG_SIZE
    raw = _pixels(channels, colour)
    rows = b"".join(b"\0" + raw[y * width * channels:(y + 1) * width * channels] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
                     + chunk(b"IEND", b""))


def check_images(path: Path) -> None:
    expected = {"photo.dcm": ("RGB", _pixels(3, lambda x, y: (x * 9 % 256, y * 13 % 256, (x * y) % 256))),
                "grey.dcm": ("MONOCHROME2", _pixels(1, lambda x, y: ((x * 7 + y * 3) % 256,)))}
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == sorted(expected), z.namelist()
        series = set()
        for name, (photometric, pixels) in expected.items():
            ds = pydicom.dcmread(io.BytesIO(z.read(name)))
            assert ds.PhotometricInterpretation == photometric and (ds.Columns, ds.Rows) == _PNG_SIZE
            assert ds.PixelData[:len(pixels)] == pixels, name
            assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7" and ds.PatientName == PATIENT
            series.add(ds.SeriesInstanceUID)
        assert len(series) == 1
    print("ok")


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
            assert str(ds[0x00191023].value) == TABLE_SPEED and 0x0019109C not in ds
            assert ds[0x00190010].value == "GEMS_ACQU_01"
            series.add(ds.SeriesInstanceUID)
        assert len(series) == 1 and original_series not in series
        report = z.read("deidentification_report.json").decode()
        assert "DOE" not in report and PATIENT_ID not in report
    print("ok")


if __name__ == "__main__":
    {"write": write, "check-deid": check_deid, "check-images": check_images}[sys.argv[1]](Path(sys.argv[2]))
