"""Shared fixtures: pydicom's own test files, and the kernel backends available here."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydicom.data import get_testdata_file

from dicomforge import kernels

BACKENDS = kernels.available_backends()


@pytest.fixture(params=BACKENDS, ids=lambda b: b.name)
def backend(request):
    """Each pixel backend that can run here (stdlib always; numpy when importable)."""
    return request.param


@pytest.fixture
def ct_small() -> Path:
    """pydicom's CT_small.dcm: 128x128 int16 CT, explicit VR little endian."""
    return Path(get_testdata_file("CT_small.dcm"))
