"""inputs.oversized: a file the host cannot hold is described from its start and refused whole."""

import pytest

from dicomforge.errors import DicomForgeError, InputError
from dicomforge.formats import read_volume
from dicomforge.inputs import oversized
from dicomforge.jobs import start
from dicomforge.phantom import phantom_nifti

HEAD = bytes(phantom_nifti()[:4096])


class TestOversized:
    def test_header_still_read(self):
        """The header in its start is read without the rest."""
        volume = read_volume(oversized("big.nii", HEAD, 3 << 30, 1 << 30), header_only=True)
        assert volume.data is None and volume.dtype

    def test_complete_names_size_and_limit(self):
        """Asking for the whole file raises an InputError with both numbers and the file."""
        with pytest.raises(InputError, match=r"file is 3221225472 bytes, more than the 1073741824 bytes") as info:
            oversized("big.nii", HEAD, 3 << 30, 1 << 30).complete()
        assert info.value.file == "big.nii"

    def test_series_job_reports_it_per_input(self):
        """The series job gives that input an error event and no file."""
        events = list(start("series", [oversized("big.nii", HEAD, 3 << 30, 1 << 30)], {}))
        assert [e["type"] for e in events] == ["error"]
        assert events[0]["file"] == "big.nii" and "1073741824" in events[0]["message"]
        assert issubclass(InputError, DicomForgeError)
