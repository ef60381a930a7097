"""python -m dicomforge zarr / export: folders and zip stores, store folders as inputs, the round
trip through the command line, error lines and exit codes; inputs untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path
import json

import pydicom
import pytest

from dicomforge import cli
from zarr_cases import ct_series


@pytest.fixture
def series(tmp_path):
    folder = tmp_path / "ct"
    folder.mkdir()
    for item in ct_series(n=4):
        (folder / item.name).write_bytes(item.data)
    return sorted(folder.iterdir())


def _digests(paths):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_dicom_to_zarr_folder_and_zip_and_back(series, tmp_path, capsys):
    before = _digests(series)
    assert cli.main(["zarr", *map(str, series), "-o", str(tmp_path / "ct.zarr")]) == 0
    assert cli.main(["zarr", *map(str, series), "-o", str(tmp_path / "ct.zarr.zip"), "--compressor", "blosc",
                     "--chunks", "2,3,8"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{series[0]}: 8x6x4 int16 -> {tmp_path / 'ct.zarr'} (6 entries")
    assert "(6 entries" in out[1]  # 2 metadata + 2 z x 2 y x 1 x chunks
    meta = json.loads((tmp_path / "ct.zarr" / "0" / "zarr.json").read_text())
    assert meta["codecs"][1] == {"name": "zstd", "configuration": {"level": 1, "checksum": False}}
    for store in ("ct.zarr", "ct.zarr.zip"):
        assert cli.main(["series", str(tmp_path / store), "-o", str(tmp_path / f"back-{store}")]) == 0
        rebuilt = sorted((tmp_path / f"back-{store}").iterdir())
        originals = {pydicom.dcmread(p).SOPInstanceUID: pydicom.dcmread(p) for p in series}
        for path in rebuilt:
            ds = pydicom.dcmread(path)
            assert ds.PixelData == originals[ds.SOPInstanceUID].PixelData
    assert cli.main(["info", str(tmp_path / "ct.zarr")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("zarr.json: ZARR volume, 8x6x4 int16, spacing 0.8 x 0.7 x 2.5 mm")
    assert before == _digests(series)


def test_export_names_and_errors(series, tmp_path, capsys):
    assert cli.main(["export", *map(str, series), "-o", str(tmp_path / "ct.nii.gz")]) == 0
    assert (tmp_path / "ct.nii.gz").read_bytes()[:2] == b"\x1f\x8b"
    bad = tmp_path / "bad.nrrd"
    bad.write_bytes(b"NRRD0004\ntype: short\ndimension: 3\nsizes: 4 4 4\nencoding: raw\n\n")
    code = cli.main(["export", str(bad), *map(str, series), "-o", str(tmp_path / "out"), "--format", "mha"])
    captured = capsys.readouterr()
    assert code == 2 and f"error: {bad}: " in captured.err and "Traceback" not in captured.err
    assert [p.name for p in (tmp_path / "out").iterdir()] == [series[0].stem + ".mha"]
    assert cli.main(["export", str(series[0]), "-o", str(tmp_path / "x.png")]) == 2
    assert "end it in .nii.gz, .nii, .nrrd or .mha" in capsys.readouterr().err


def test_seg_command(tmp_path, capsys):
    from seg_cases import boxes, label_input

    series = ct_series(n=4, rows=12, columns=16)
    folder = tmp_path / "ct"
    folder.mkdir()
    for item in series:
        (folder / item.name).write_bytes(item.data)
    labels = tmp_path / "labels.nrrd"
    labels.write_bytes(label_input(series, boxes(16, 12, 4, [(1, 1, 3, 2, 6, 2, 9), (2, 0, 1, 0, 3, 0, 3)])).data)
    paths = sorted(map(str, folder.iterdir()))
    before = _digests([*map(Path, paths), labels])
    out = tmp_path / "out.dcm"
    assert cli.main(["seg", *paths, "--mask", str(labels), "--names", "Liver,Spleen", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (f"{labels}: BINARY Segmentation, 3 frames, segments 1 Liver, 2 Spleen "
                                               f"-> {out}")
    assert pydicom.dcmread(out).SegmentSequence[1].SegmentLabel == "Spleen"
    assert cli.main(["seg", *paths, "--mask", str(labels), "--labels", "1", "-o", str(tmp_path / "x.dcm")]) == 2
    err = capsys.readouterr().err
    assert "holds label(s) 2 that are not among the labels chosen (1)" in err and not (tmp_path / "x.dcm").exists()
    assert before == _digests([*map(Path, paths), labels])
