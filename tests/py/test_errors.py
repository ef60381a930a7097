"""Tests for dicomforge.errors."""

import pytest

from dicomforge.errors import DicomForgeError, GeometryError, InputError


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

    def test_subclasses_are_caught_as_base(self):
        """Every subclass is a DicomForgeError."""
        with pytest.raises(DicomForgeError, match="sheared"):
            raise GeometryError("sheared")
