"""Tests for dicomforge.errors."""

import pytest

from dicomforge.errors import DicomForgeError, GeometryError, InputError, malformed_input


class TestDicomForgeError:
    def test_str_names_file(self):
        """The string form is '<file>: <message>' when a file is known."""
        assert str(DicomForgeError("bad header", "a.nii")) == "a.nii: bad header"

    def test_str_without_file(self):
        """Without a file, the string form is the message alone."""
        assert str(DicomForgeError("bad option")) == "bad option"

    def test_with_file_keeps_existing(self):
        """with_file fills the file only when none is set."""
        assert InputError("x").with_file("a").file == "a"
        assert InputError("x", "b").with_file("a").file == "b"

    def test_to_dict_protocol(self):
        """to_dict carries the protocol's name, the subclass, message and file."""
        assert GeometryError("sheared", "v.nrrd").to_dict() == {
            "name": "DicomForgeError",
            "kind": "GeometryError",
            "message": "sheared",
            "file": "v.nrrd",
        }



class TestMalformedInput:
    def test_library_error_named(self):
        """A ValueError from a library inside the block becomes an InputError naming the file."""
        with pytest.raises(InputError, match="DICOM data cannot be read: bad DS") as info:
            with malformed_input("a.dcm"):
                raise ValueError("bad DS")
        assert info.value.file == "a.dcm"

    def test_own_error_gets_the_file(self):
        """A DicomForgeError without a file gets the block's file; one with a file keeps it."""
        with pytest.raises(GeometryError) as info:
            with malformed_input("a.dcm"):
                raise GeometryError("sheared")
        assert info.value.file == "a.dcm"
        with pytest.raises(GeometryError) as info:
            with malformed_input("a.dcm"):
                raise GeometryError("sheared", "b.dcm")
        assert info.value.file == "b.dcm"

    def test_bug_goes_on(self):
        """Anything else (a bug, not bad input) is not dressed up as bad input."""
        with pytest.raises(KeyError):
            with malformed_input("a.dcm"):
                raise KeyError("x")
