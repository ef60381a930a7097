"""python -m dicomforge series on the files of one DICOM series: one series out, not one per file."""

from __future__ import annotations

import random

import pydicom

from dicom_cases import make_volume
from dicomforge import cli
from dicomforge.series import SeriesOptions, write_series


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
