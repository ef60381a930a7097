"""A one-file volume is decoded once per input and kept with it (``NamedInput.memo``):
describing a label map and then drawing it as overlays reads it once. Volumes that
depend on a partner file, inputs given only in part and big volumes are not kept."""

from __future__ import annotations

import gzip
import io
import struct

import pytest

import fuzz_corpus
from dicomforge import formats, jobs
from dicomforge.formats import _common, read_volume
from dicomforge.inputs import NamedInput


@pytest.fixture
def decodes(monkeypatch):
    """How many times compressed voxel data was inflated."""
    calls = []
    real = _common.decompress

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_common, "decompress", counting)
    return calls


def gzip_nrrd() -> NamedInput:
    return NamedInput("labels.nrrd", fuzz_corpus._nrrd("gzip", gzip.compress(fuzz_corpus._ramp(120), mtime=0)))


def test_second_read_is_the_first_volume(decodes):
    item = gzip_nrrd()
    first = read_volume(item)
    assert read_volume(item) is first
    assert len(decodes) == 1


def test_same_bytes_in_another_input_are_read_again(decodes):
    first = read_volume(gzip_nrrd())
    second = read_volume(gzip_nrrd())
    assert second is not first and bytes(second.data) == bytes(first.data)
    assert len(decodes) == 2


def test_volume_with_a_partner_is_not_kept():
    header = NamedInput("k.mhd", fuzz_corpus._metaimage("k.raw"))
    raw = NamedInput("k.raw", fuzz_corpus._ramp(120))
    first = read_volume(header, {"k.raw": raw})
    assert first.size == (6, 5, 4)
    assert "volume" not in header.memo
    # the partner may differ next time: another raw file of the same name gives its voxels
    other = NamedInput("k.raw", bytes(240))
    assert bytes(read_volume(header, {"k.raw": other}).data) == bytes(240)


def test_partial_and_header_only_reads_are_not_kept():
    whole = gzip_nrrd()
    partial = NamedInput(whole.name, whole.data, load=lambda: whole.data)
    assert read_volume(partial).size == (6, 5, 4)
    assert read_volume(whole, header_only=True).data is None
    assert partial.memo == {} and whole.memo == {}
    completed = partial.complete()
    assert completed.memo is not partial.memo


def test_big_volume_is_not_kept(monkeypatch):
    monkeypatch.setattr(formats, "REMEMBER_BYTES", 100)  # the ramp is 240 bytes
    item = gzip_nrrd()
    read_volume(item)
    assert item.memo == {}


def test_describe_then_overlay_inflates_the_label_map_once(decodes):
    """The worker keeps inputs between jobs: the label map is inflated by describe only."""
    series = {n: d for n, d in fuzz_corpus._dicom_files().items() if n.startswith("ours_")}
    # a label map on the grid of fuzz_corpus's 7x5x3 series: origin (1,2,3), spacing 0.8/0.9/2
    labels = bytes((i % 3 == 0) for i in range(7 * 5 * 3))
    nrrd = (
        b"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 7 5 3\nspace: left-posterior-superior\n"
        b"space directions: (0.8,0,0) (0,0.9,0) (0,0,2)\nspace origin: (1,2,3)\nencoding: gzip\n\n"
        + gzip.compress(labels, mtime=0)
    )
    inputs = [NamedInput(n, d) for n, d in series.items()] + [NamedInput("mask.nrrd", nrrd)]
    described = [e for e in jobs.start("describe", inputs) if e["type"] == "result"]
    assert any(e["value"]["kind"] == "labelmap" for e in described)
    events = list(jobs.start("overlay", inputs, {}))
    assert [e for e in events if e["type"] in ("error", "failed")] == []
    assert sum(e["type"] == "file" for e in events) == 3
    assert len(decodes) == 1


def test_describe_then_overlay_scans_each_dicom_file_once(monkeypatch):
    """The whole-file DICOM scan is kept with the input too (dicom.scan.scan)."""
    from dicomforge.dicom import scan as scanner

    calls = []
    real = scanner._scan
    monkeypatch.setattr(scanner, "_scan", lambda item, header_only, budget: calls.append(item.name)
                        or real(item, header_only, budget))
    series = {n: d for n, d in fuzz_corpus._dicom_files().items() if n.startswith("ours_")}
    inputs = [NamedInput(n, d) for n, d in series.items()]
    import pydicom

    masks = {str(pydicom.dcmread(io.BytesIO(d)).SOPInstanceUID): b"\1" * (7 * 5) for d in series.values()}
    assert len(list(jobs.start("describe", inputs))) == 2 * len(inputs)
    events = list(jobs.start("overlay", inputs, {"masks": masks}))
    assert sum(e["type"] == "file" for e in events) == 3, [e for e in events if e["type"] != "progress"]
    assert sorted(calls) == sorted(series)


def test_truncated_pixel_data_still_describes():
    """A file cut inside Pixel Data: the whole scan fails, the header-only one describes it."""
    name, data = next((n, d) for n, d in fuzz_corpus._dicom_files().items() if n.startswith("ours_"))
    item = NamedInput(name, data[:-10])
    described = [e for e in jobs.start("describe", [item]) if e["type"] == "result"]
    assert described and described[0]["value"]["kind"] == "dicom"
    assert "scan" not in item.memo


def test_distinct_values_once_per_volume(monkeypatch):
    """describe and the overlay job both list a kept label map's values: computed once."""
    from dicomforge import kernels

    calls = []
    real = kernels.distinct_values
    monkeypatch.setattr(kernels, "distinct_values", lambda data, dtype: calls.append(dtype) or real(data, dtype))
    volume = read_volume(gzip_nrrd())
    assert volume.distinct_values() == sorted(set(struct.unpack("<120h", fuzz_corpus._ramp(120))))
    first = volume.distinct_values()
    first.append("changed by a caller")
    assert volume.distinct_values() == first[:-1]
    assert calls == ["int16"]


def test_remembered_volume_still_within_the_budget():
    """A volume kept from an earlier job is refused by a later job whose budget it exceeds."""
    from dicomforge.errors import InputError
    from dicomforge.phantom import phantom_nifti

    item = NamedInput("v.nii", phantom_nifti((16, 12, 4)))
    assert read_volume(item).size == (16, 12, 4)  # read once, kept with the input
    with pytest.raises(InputError, match="more than the 100 byte limit"):
        read_volume(item, budget=100)
