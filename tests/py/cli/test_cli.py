"""Tests for the CLI conventions: --version, exit codes, one error line per bad input."""

import re

import pydicom
import pytest

from dicomforge import __version__, cli, kernels


class TestVersion:
    def test_version(self, capsys):
        """--version names dicomforge, pydicom and the active backend, exits 0."""
        with pytest.raises(SystemExit) as exc:
            cli.main(["--version"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert f"dicomforge {__version__}" in out
        assert f"pydicom {pydicom.__version__}" in out
        assert f"backend {kernels.BACKEND}" in out


class TestInfo:
    def test_good_file(self, capsys, ct_small):
        """A valid file: exit 0 and a summary line."""
        assert cli.main(["info", str(ct_small)]) == cli.EXIT_OK
        assert "CT Image Storage, 128x128x1, Explicit VR Little Endian" in capsys.readouterr().out

    def test_batch_with_bad_inputs(self, capsys, ct_small, tmp_path):
        """Bad inputs: exit 2, one error line each, the good input still processed."""
        junk = tmp_path / "junk.dcm"
        junk.write_bytes(b"not dicom at all")
        missing = tmp_path / "missing.dcm"
        code = cli.main(["info", "--json", str(junk), str(ct_small), str(missing)])
        captured = capsys.readouterr()
        assert code == cli.EXIT_BAD_INPUT
        errors = captured.err.strip().splitlines()
        assert errors == [
            f"error: {junk}: not a DICOM file: no 'DICM' marker at byte 128 (is it a DICOM Part 10 file?)",
            f"error: {missing}: no such file",
        ]
        assert '"modality": "CT"' in captured.out
        assert "Traceback" not in captured.err

    def test_input_not_modified(self, ct_small, tmp_path):
        """The input file's bytes are unchanged by processing."""
        before = ct_small.read_bytes()
        cli.main(["info", str(ct_small)])
        assert ct_small.read_bytes() == before


class TestUsage:
    def test_no_command(self, capsys):
        """No subcommand prints usage and exits 2."""
        assert cli.main([]) == cli.EXIT_BAD_INPUT
        assert re.search(r"usage: dicomforge", capsys.readouterr().err)


class TestInfoVolumes:
    def test_volumes_and_dicom_in_input_order(self, tmp_path, capsys, ct_small):
        """info describes volumes too, one JSON object per input with its file, in input order."""
        import json

        from dicomforge.phantom import phantom_nifti

        header = b"ObjectType = Image\nNDims = 3\nDimSize = 2 2 1\nElementType = MET_UCHAR\nElementDataFile = a.raw\n"
        (tmp_path / "a.mhd").write_bytes(header)
        (tmp_path / "a.raw").write_bytes(b"\x00\x01\x02\x03")
        (tmp_path / "v.nii").write_bytes(phantom_nifti((8, 6, 2)))
        paths = [str(tmp_path / "a.mhd"), str(ct_small), str(tmp_path / "v.nii")]
        assert cli.main(["info", "--json", *paths]) == cli.EXIT_OK
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [line["file"] for line in lines] == paths  # a.raw, read beside its header, is not listed
        assert [line.get("format") for line in lines] == ["metaimage", None, "nifti"]
