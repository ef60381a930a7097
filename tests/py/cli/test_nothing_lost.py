"""Nothing lost: every CLI job over a batch that mixes good and hostile files writes every
good output, one error line per bad input, and leaves every input file byte-identical."""

import hashlib
import zipfile
from pathlib import Path

import pytest

import fuzz_corpus
from dicomforge import cli


def _hashes(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def batch(tmp_path) -> Path:
    """Two good volumes (one a two-file MetaImage), a good DICOM series, and hostile files."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    seeds = {s.name: s for s in fuzz_corpus.seeds()}
    for seed in ("nrrd_gzip", "mhd", "dicom_series"):
        for name, data in seeds[seed].files.items():
            (inputs / name).write_bytes(data)
    bombs = {c.name: c for c in fuzz_corpus.bomb_cases()}
    hostile = {
        "empty.nii": b"",
        "huge.nii": bombs["bomb_nii_declares_huge"].files["huge.nii"],
        "nan.nrrd": bombs["nan_geometry"].files["nan.nrrd"],
        "truncated.vtk": seeds["vtk_binary"].files["l.vtk"][:300],
    }
    for name, data in hostile.items():
        (inputs / name).write_bytes(data)
    return inputs


def _errors(capsys) -> list:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]


def test_series_batch(batch, tmp_path, capsys):
    """series: each good volume becomes its series, each bad one an error line, inputs unchanged."""
    before = _hashes(batch)
    volumes = [batch / n for n in ("d.nrrd", "k.mhd", "empty.nii", "huge.nii", "nan.nrrd", "truncated.vtk")]
    out, archive = tmp_path / "out", tmp_path / "all.zip"
    code = cli.main(["series", *map(str, volumes), "-o", str(out), "--zip", str(archive)])
    errors = _errors(capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert sorted(e.split(": ")[1].rsplit("/", 1)[-1] for e in errors) == [
        "empty.nii", "huge.nii", "nan.nrrd", "truncated.vtk"]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.dcm"))
    assert len(written) == 8 and {w.split("/")[0] for w in written} == {"d", "k"}
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == written and z.testzip() is None
    assert _hashes(batch) == before


def test_overlay_batch(batch, tmp_path, capsys):
    """overlay: the good DICOM files get their planes, the hostile one an error, inputs unchanged."""
    before = _hashes(batch)
    dicoms = sorted(batch.glob("ours_*.dcm"))
    junk = batch / "junk.dcm"
    junk.write_bytes(bytes(128) + b"DICM" + b"\xff" * 40)
    before["junk.dcm"] = hashlib.sha256(junk.read_bytes()).hexdigest()
    label_map = tmp_path / "labels.nrrd"  # all ones, on the grid of the series of ours
    label_map.write_bytes(
        b"NRRD0004\ntype: uchar\ndimension: 3\nsizes: 7 5 3\nspace: left-posterior-superior\n"
        b"space directions: (0.8,0,0) (0,0.9,0) (0,0,2)\nspace origin: (1,2,3)\nencoding: raw\n\n" + b"\1" * 105)
    out = tmp_path / "ovl"
    code = cli.main(["overlay", *map(str, dicoms), str(junk), "--mask", str(label_map), "-o", str(out)])
    errors = _errors(capsys)
    assert code == cli.EXIT_BAD_INPUT and len(errors) == 1 and "junk.dcm" in errors[0]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in dicoms)
    assert _hashes(batch) == before
