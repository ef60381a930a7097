"""python -m dicomforge series on the files of one DICOM series: one series out, not one per file."""

from __future__ import annotations

import random

import pydicom

from dicom_cases import make_volume
from dicomforge import cli
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series


def _mr_series(folder, count=20):
    """*count* files of one MR series, named brain_NN.dcm in shuffled order (as a scanner exports them)."""
    volume = make_volume(nx=8, ny=6, nz=count, spacing=(0.9, 0.9, 3.0), origin=(-5.0, 10.0, -20.0))
    files = list(write_series(volume, SeriesOptions(modality="MR", series_description="brain")))
    random.Random(3).shuffle(files)
    paths = []
    for k, (_, data) in enumerate(files, start=1):
        path = folder / f"brain_{k:02d}.dcm"
        path.write_bytes(data)
        paths.append(str(path))
    return volume, paths


class TestOneSeries:
    def test_twenty_files_give_one_series(self, tmp_path, capsys):
        """20 files of one MR series -> 20 files in the output folder, one Series Instance UID."""
        volume, paths = _mr_series(tmp_path)
        out = tmp_path / "out"
        assert cli.main(["series", *paths, "-o", str(out), "--modality", "MR"]) == cli.EXIT_OK
        written = sorted(out.iterdir())
        assert len(written) == 20 and all(p.is_file() for p in written)
        datasets = [pydicom.dcmread(p) for p in written]
        assert len({ds.SeriesInstanceUID for ds in datasets}) == 1
        positions = [float(ds.ImagePositionPatient[2]) for ds in sorted(datasets, key=lambda d: d.InstanceNumber)]
        assert positions == [volume.position(k)[2] for k in range(20)]
        assert capsys.readouterr().out.count("20 files") == 1

    def test_two_series_give_two_folders(self, tmp_path):
        """Two series among the inputs: one folder each, named after an input of each."""
        a = tmp_path / "a"
        b = tmp_path / "b"
        a.mkdir(), b.mkdir()
        _, first = _mr_series(a, 3)
        _, second = _mr_series(b, 4)
        out = tmp_path / "out"
        assert cli.main(["series", *first, *second, "-o", str(out)]) == cli.EXIT_OK
        counts = sorted(len(list(folder.iterdir())) for folder in out.iterdir())
        assert counts == [3, 4]


class TestBadInputsFailAlone:
    def test_unreadable_dicom_file_fails_alone(self, tmp_path, capsys):
        """A truncated DICOM file among two series: an error for it; both series are written."""
        (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
        _, first = _mr_series(tmp_path / "a", 3)
        _, second = _mr_series(tmp_path / "b", 2)
        broken = tmp_path / "broken.dcm"
        broken.write_bytes(open(second[0], "rb").read()[:300])
        out = tmp_path / "out"
        code = cli.main(["series", *first, str(broken), *second, "-o", str(out)])
        errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
        assert code == cli.EXIT_BAD_INPUT and len(errors) == 1 and str(broken) in errors[0]
        assert sorted(len(list(folder.iterdir())) for folder in out.iterdir()) == [2, 3]

    def test_empty_file_named_as_empty(self, tmp_path, capsys):
        """An empty input is told it is empty, whatever its name says."""
        _, paths = _mr_series(tmp_path, 2)
        empty = tmp_path / "empty.dcm"
        empty.write_bytes(b"")
        assert cli.main(["series", *paths, str(empty), "-o", str(tmp_path / "out")]) == cli.EXIT_BAD_INPUT
        assert f"error: {empty}: the file is empty (0 bytes)" in capsys.readouterr().err

    def test_same_stem_volumes_get_their_own_folders(self, tmp_path, capsys):
        """Two volumes called ph.* go to ph/ and ph_2/, neither overwrites the other."""
        from dicomforge.phantom import phantom_nifti

        (tmp_path / "ph.nii").write_bytes(phantom_nifti((8, 6, 2)))
        (tmp_path / "x").mkdir()
        (tmp_path / "x" / "ph.nii").write_bytes(phantom_nifti((8, 6, 3)))
        out = tmp_path / "out"
        assert cli.main(["series", str(tmp_path / "ph.nii"), str(tmp_path / "x" / "ph.nii"), "-o", str(out)]) == 0
        assert {p.name: len(list(p.iterdir())) for p in out.iterdir()} == {"ph": 2, "ph_2": 3}


class TestReference:
    def test_reference_among_the_inputs_is_converted_too(self, tmp_path):
        """--reference naming one of the series' own files copies from it and still converts it."""
        _, paths = _mr_series(tmp_path, 3)
        out = tmp_path / "out"
        assert cli.main(["series", *paths, "--reference", paths[0], "-o", str(out)]) == cli.EXIT_OK
        assert len(list(out.iterdir())) == 3

    def test_unreadable_reference(self, tmp_path, capsys):
        """A reference that is not DICOM stops the command, named as the --reference."""
        _, paths = _mr_series(tmp_path, 2)
        bad = tmp_path / "notes.txt"
        bad.write_bytes(b"hello")
        assert cli.main(["series", *paths, "--reference", str(bad), "-o", str(tmp_path / "out")]) == 2
        assert f"error: --reference {bad}: not a DICOM file" in capsys.readouterr().err
        assert not (tmp_path / "out").exists()


class TestMessages:
    def test_option_named_as_its_flag(self, tmp_path, capsys):
        """A bad option value is named by the flag that set it."""
        _, paths = _mr_series(tmp_path, 2)
        assert cli.main(["series", *paths, "--study-uid", "1.x", "-o", str(tmp_path / "out")]) == 2
        assert "--study-instance-uid '1.x' is not a valid UID" in capsys.readouterr().err

    def test_output_that_cannot_be_written(self, tmp_path, capsys):
        """-o naming a file: one error line, no traceback."""
        _, paths = _mr_series(tmp_path, 2)
        blocker = tmp_path / "blocker"
        blocker.write_bytes(b"x")
        assert cli.main(["series", *paths, "-o", str(blocker)]) == 2
        err = capsys.readouterr().err
        assert "error: cannot write" in err and "Traceback" not in err

    def test_memory_budget_checked_for_every_command(self, capsys):
        """--memory-budget is checked even where no volume is read (bench)."""
        assert cli.main(["--memory-budget", "abc", "bench", "--workload", "nope"]) == 2
        assert "memory budget 'abc' is not a size" in capsys.readouterr().err
