"""python -m dicomforge overlay: files written, error lines, exit codes."""

from __future__ import annotations

from pydicom import dcmread

from dicom_cases import (
    EXPLICIT_LE,
    WITH_OVERLAY,
    assert_same_outside,
    nrrd_bytes,
    pydicom_file,
    read,
    shuffled_series_and_labels,
)
from dicomforge import cli
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.planes import read_overlays
from dicomforge.overlays.write import add_overlays


class TestCli:
    def _run(self, argv):
        return cli.main(argv)

    def _write(self, tmp_path, files, labels):
        paths = []
        for item in files:
            path = tmp_path / item.name
            path.write_bytes(item.data)
            paths.append(str(path))
        mask = tmp_path / "seg.nrrd"
        mask.write_bytes(nrrd_bytes(labels))
        return paths, str(mask)

    def test_writes_files(self, tmp_path, capsys):
        """overlay DICOM... --mask FILE -o DIR writes one file per input, exit 0."""
        _, files, labels = shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        out = tmp_path / "out"
        assert self._run(["overlay", *paths, "--mask", mask, "-o", str(out), "--labels", "2", "--type", "r"]) == 0
        for item in files:
            (plane,) = read_overlays(dcmread(out / item.name))
            assert (plane.label, plane.type) == ("label 2", "R")
        assert "without any of the labels" in capsys.readouterr().err

    def test_bad_input_exit_2(self, tmp_path, capsys):
        """A bad DICOM input prints one error line and exits 2; the others are written."""
        _, files, labels = shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        bad = tmp_path / "bad.dcm"
        bad.write_bytes(b"nope")
        code = self._run(["overlay", str(bad), *paths, "--mask", mask, "-o", str(tmp_path / "o"), "-q"])
        assert code == 2
        err = capsys.readouterr().err
        assert f"error: {bad}: not a DICOM Part 10 file" in err
        assert len(list((tmp_path / "o").iterdir())) == len(files)

    def test_label_not_present(self, tmp_path, capsys):
        """--labels with an absent value stops before writing anything, exit 2."""
        _, files, labels = shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        code = self._run(["overlay", *paths, "--mask", mask, "-o", str(tmp_path / "o"), "--labels", "5"])
        assert code == 2 and "not present" in capsys.readouterr().err
        assert not (tmp_path / "o").exists()

    def test_keep_uids(self, tmp_path):
        """--keep-uids keeps the source's SOP Instance UID."""
        _, files, labels = shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        assert cli.main(["overlay", *paths, "--mask", mask, "-o", str(tmp_path / "o"), "-q", "--keep-uids"]) == 0
        ds = dcmread(tmp_path / "o" / files[0].name)
        assert ds.SOPInstanceUID == read(files[0].data).SOPInstanceUID


class TestCliRemove:
    def test_remove_group_without_mask(self, tmp_path, capsys):
        """overlay FILE... --remove-group 6000 -o DIR: no mask needed; a file without the group fails alone, exit 2."""
        example = tmp_path / "example.dcm"
        example.write_bytes(pydicom_file(WITH_OVERLAY).data)
        plain = tmp_path / "plain.dcm"
        plain.write_bytes(pydicom_file(EXPLICIT_LE).data)
        out = tmp_path / "out"
        code = cli.main(["overlay", str(example), str(plain), "--remove-group", "6000", "--keep-uids", "-o", str(out), "-q"])
        assert code == 2
        assert f"error: {plain}: has no overlay group 6000 to remove" in capsys.readouterr().err
        assert [p.name for p in out.iterdir()] == ["example.dcm"]
        src, new = read(example.read_bytes()), read((out / "example.dcm").read_bytes())
        assert read_overlays(new) == []
        assert_same_outside(src, new, {0x6000})

    def test_replace_with_mask(self, tmp_path):
        """--replace --mask: the files' old planes are gone, one per label instead."""
        _, files, labels = shuffled_series_and_labels()
        paths = []
        for item in files:
            path = tmp_path / item.name
            path.write_bytes(add_overlays(item, [MaskPlane(bytes([1]) * 30, "old")], OverlayOptions(keep_uids=True)))
            paths.append(str(path))
        (tmp_path / "seg.nrrd").write_bytes(nrrd_bytes(labels))
        out = tmp_path / "out"
        assert cli.main(["overlay", *paths, "--mask", str(tmp_path / "seg.nrrd"), "--replace", "-o", str(out), "-q"]) == 0
        planes = read_overlays(read((out / files[0].name).read_bytes()))
        assert [p.label for p in planes] == ["label 1", "label 2"]

    def test_neither_mask_nor_removal(self, tmp_path, capsys):
        """Without --mask and without --replace/--remove-group: exit 2 with what to give."""
        path = tmp_path / "a.dcm"
        path.write_bytes(pydicom_file(EXPLICIT_LE).data)
        assert cli.main(["overlay", str(path), "-o", str(tmp_path / "o")]) == 2
        assert "give --mask LABELS to add overlays, or --replace / --remove-group 60xx" in capsys.readouterr().err


def test_cli_info_lists_overlays(tmp_path, capsys):
    """`info` names each overlay plane of a file after its summary."""
    path = tmp_path / WITH_OVERLAY
    path.write_bytes(pydicom_file(WITH_OVERLAY).data)
    assert cli.main(["info", str(path)]) == 0
    assert "overlay 6000 484x300 G 'Siemens MedCom Object Graphics'" in capsys.readouterr().out


class TestMaskApart:
    def _case(self, tmp_path):
        _, files, labels = shuffled_series_and_labels()
        paths = []
        for item in files:
            path = tmp_path / item.name
            path.write_bytes(item.data)
            paths.append(str(path))
        mask = tmp_path / "seg.nrrd"
        mask.write_bytes(nrrd_bytes(labels))
        return paths, str(mask)

    def test_other_volume_among_the_files_fails_alone(self, tmp_path, capsys):
        """A NIfTI given among the DICOM files (not as --mask): an error for it, the files written."""
        from dicomforge.phantom import phantom_nifti

        paths, mask = self._case(tmp_path)
        stray = tmp_path / "ph.nii"
        stray.write_bytes(phantom_nifti((8, 6, 2)))
        out = tmp_path / "out"
        code = cli.main(["overlay", *paths, str(stray), "--mask", mask, "-o", str(out)])
        captured = capsys.readouterr()
        assert code == 2 and f"error: {stray}: is a nifti volume, not a DICOM file" in captured.err
        assert len(list(out.iterdir())) == len(paths)
        assert captured.out.count(" -> ") == len(paths)  # one line per file written

    def test_unrecognised_file_fails_alone(self, tmp_path, capsys):
        """An unrecognised file among the DICOM files is an error, also beside a two-file label map."""
        paths, mask = self._case(tmp_path)
        notes = tmp_path / "notes.txt"
        notes.write_bytes(b"hello")
        assert cli.main(["overlay", *paths, str(notes), "--mask", mask, "-o", str(tmp_path / "out"), "-q"]) == 2
        assert f"error: {notes}: unrecognised format" in capsys.readouterr().err

    def test_mask_that_is_not_a_label_map(self, tmp_path, capsys):
        """--mask naming a DICOM file stops the command, naming the file."""
        paths, _ = self._case(tmp_path)
        assert cli.main(["overlay", *paths[1:], "--mask", paths[0], "-o", str(tmp_path / "out")]) == 2
        assert f"error: {paths[0]}: is not a label map: a DICOM file" in capsys.readouterr().err
