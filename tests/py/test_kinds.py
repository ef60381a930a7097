"""The one table of input kinds: formats and roles by name, stems, what the page is told."""

from __future__ import annotations

import pytest

from dicomforge import kinds


class TestByName:
    @pytest.mark.parametrize("name, fmt, role", [
        ("a.nii.gz", "nifti", "volume"), ("A.HDR.GZ", "nifti", "header"), ("a.img", "nifti", "data"),
        ("a.nhdr", "nrrd", "header"), ("a.mhd", "metaimage", "header"), ("a.raw", None, "data"),
        ("x/IM0001.IMA", "dicom", "dicom"), ("notes.txt", None, None),
    ])
    def test_format_and_role(self, name, fmt, role):
        """Longest endings first, any case."""
        assert (kinds.format_by_name(name), kinds.role_by_name(name)) == (fmt, role)

    def test_two_file_headers(self):
        """Exactly the headers of two-file volumes."""
        assert [n for n in ("a.mhd", "a.nhdr", "a.hdr", "a.hdr.gz", "a.nrrd", "a.raw") if kinds.is_two_file_header(n)] \
            == ["a.mhd", "a.nhdr", "a.hdr", "a.hdr.gz"]


class TestStem:
    @pytest.mark.parametrize("name, stem", [
        ("a/b.nii.gz", "b"), ("c\\d.raw", "d"), ("brain_01.dcm", "brain_01"), ("scan.1", "scan.1"),
        ("x.txt.gz", "x.txt"), (".nii", ".nii"), ("", "series"),
    ])
    def test_stem(self, name, stem):
        """Folders and the kind's ending go; unknown endings stay, so scan.1 and scan.2 differ."""
        assert kinds.stem(name) == stem


def test_host_table():
    """The page gets the endings of volume files, .hdr.gz included, and no DICOM or raw endings."""
    endings = kinds.host_table()["volumeEndings"]
    assert ".hdr.gz" in endings and ".nii.gz" in endings and ".vtk" in endings
    assert not {".dcm", ".raw", ".zraw"} & set(endings)
