"""The Part 10 header scanner: top-level elements in every encoding, errors for what is not DICOM."""

from __future__ import annotations

import pytest

from dicom_cases import EXPLICIT_LE, SOURCES, pydicom_file, read
from dicomforge.dicom.scan import scan
from dicomforge.errors import InputError
from dicomforge.inputs import NamedInput


class TestScan:
    @pytest.mark.parametrize("name", SOURCES)
    def test_top_level_tags_match_pydicom(self, name):
        """The scanner finds exactly pydicom's top-level elements, in order."""
        item = pydicom_file(name)
        found = scan(item)
        ds = read(item.data)
        assert [e[0] for e in found.elements] == [int(e.tag) for e in ds]
        assert found.transfer_syntax == ds.file_meta.TransferSyntaxUID

    def test_not_dicom(self):
        """A file without 'DICM' at byte 128 is an InputError."""
        with pytest.raises(InputError, match="not a DICOM Part 10 file"):
            scan(NamedInput("a.txt", b"hello" * 100))

    def test_truncated(self):
        """A truncated file is an InputError naming it, not a traceback."""
        item = pydicom_file(EXPLICIT_LE)
        with pytest.raises(InputError, match="truncated|ends") as info:
            scan(NamedInput("cut.dcm", item.data[: len(item.data) - 1000]))
        assert info.value.file == "cut.dcm"
