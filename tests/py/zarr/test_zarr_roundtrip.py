"""DICOM -> Zarr -> DICOM, the seed's round trip: identical pixels, geometry (SimpleITK reads both
within 1e-4 mm) and attribute values (pydicom); UIDs renewed consistently when asked."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from dicomforge import jobs
from dicomforge.inputs import NamedInput
from dicomforge.zarr.read import read_store
from dicomforge.zarr.reconstruct import RENEWED
from dicomforge.zarr.store import ZipStore
from zarr_cases import ct_series, entries_of, zip_of

TEST_FILES = Path(get_testdata_file("CT_small.dcm")).parent / "dicomdirtests"


def _files(folder: str) -> list[NamedInput]:
    return [NamedInput(p.name, p.read_bytes()) for p in sorted((TEST_FILES / folder).iterdir())]


SERIES = {
    "pydicom-CT5N": lambda: _files("98892001/CT5N"),
    "pydicom-CT2-uneven": lambda: _files("77654033/CT2"),
    "oblique-MR": lambda: _oblique(),
    "CT-slope-unsigned": lambda: ct_series(slope=0.5, intercept=-1000.0, signed=False),
    "sagittal-CT": lambda: ct_series(iop=(0, 1, 0, 0, 0, -1), origin=(20.0, -60.0, 80.0), step=(-2.0, 0, 0)),
}


def _oblique() -> list[NamedInput]:
    pytest.importorskip("numpy")  # (numpy makes it: native only)
    from scanner_cases import oblique_mr_series

    return [NamedInput(n, d) for n, d in oblique_mr_series(n=8)[0]]


def _round_trip(series: list[NamedInput], **options):
    store = entries_of(jobs.start("zarr", series))
    back = list(jobs.start("series", [zip_of(store, "s.zarr.zip")], options))
    assert not [e for e in back if e["type"] in ("error", "failed")], back
    return store, {e["name"]: bytes(e["data"]) for e in back if e["type"] == "file"}


def _datasets(files) -> dict:
    return {ds.SOPInstanceUID: ds for ds in (pydicom.dcmread(io.BytesIO(bytes(f))) for f in files)}


@pytest.mark.parametrize("name", SERIES)
def test_every_attribute_and_pixel_comes_back(name):
    series = SERIES[name]()
    _, back = _round_trip(series)
    before, after = _datasets(i.data for i in series), _datasets(back.values())
    assert set(before) == set(after)
    for uid, original in before.items():
        rebuilt = after[uid]
        assert set(original.keys()) == set(rebuilt.keys())
        for elem in original:
            assert rebuilt[elem.tag].value == elem.value, elem
        assert rebuilt.file_meta.MediaStorageSOPClassUID == original.SOPClassUID
        assert rebuilt.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian


def test_the_fast_encoding_is_pydicom_s():
    """Each rebuilt file is byte for byte what pydicom.dcmwrite writes for the same dataset."""
    _, back = _round_trip(SERIES["oblique-MR"]())
    for data in back.values():
        ds = pydicom.dcmread(io.BytesIO(data))
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        assert out.getvalue() == data


def test_renewed_uids_are_consistent():
    series = ct_series(n=4)
    store = entries_of(jobs.start("zarr", series))
    inputs = [zip_of(store, "a.zarr.zip"), zip_of(store, "b.zarr.zip")]  # the same study twice in one job
    back = [e for e in jobs.start("series", inputs, {"renew_uids": True}) if e["type"] == "file"]
    before = pydicom.dcmread(io.BytesIO(series[0].data))
    rebuilt = [pydicom.dcmread(io.BytesIO(bytes(e["data"]))) for e in back]
    assert len({ds.StudyInstanceUID for ds in rebuilt}) == 1 and rebuilt[0].StudyInstanceUID != before.StudyInstanceUID
    assert len({ds.FrameOfReferenceUID for ds in rebuilt}) == 1
    assert len({ds.SeriesInstanceUID for ds in rebuilt}) == 1  # same old series -> same new one
    assert len({ds.SOPInstanceUID for ds in rebuilt}) == 4
    for ds in rebuilt:
        assert all(ds.get(k) != before.get(k) for k in RENEWED)
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.PatientName == before.PatientName


def test_user_choices_win_and_no_attributes_means_a_new_series():
    series = ct_series(n=3)
    store = entries_of(jobs.start("zarr", series))
    back = [e for e in jobs.start("series", [zip_of(store)], {"series_description": "edited"}) if e["type"] == "file"]
    assert {pydicom.dcmread(io.BytesIO(bytes(e["data"]))).SeriesDescription for e in back} == {"edited"}
    bare = entries_of(jobs.start("zarr", series, {"dicom": False}))
    assert "perSlice" not in bare["0/zarr.json"].decode()
    events = list(jobs.start("series", [zip_of(bare)], {"modality": "CT"}))
    results = [e["value"] for e in events if e["type"] == "result"]
    assert "rebuilt" not in results[0] and results[0]["files"] == 3


def test_simpleitk_reads_the_same_geometry_and_voxels(tmp_path):
    sitk = pytest.importorskip("SimpleITK")
    np = pytest.importorskip("numpy")
    series = SERIES["oblique-MR"]()
    _, back = _round_trip(series)
    images = []
    for folder, files in (("before", {i.name: i.data for i in series}), ("after", back)):
        (tmp_path / folder).mkdir()
        for name, data in files.items():
            (tmp_path / folder / name).write_bytes(data)
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path / folder)))
        images.append(reader.Execute())
    a, b = images
    assert np.allclose(a.GetOrigin(), b.GetOrigin(), atol=1e-4) and np.allclose(a.GetSpacing(), b.GetSpacing(), atol=1e-4)
    assert np.allclose(a.GetDirection(), b.GetDirection(), atol=1e-4)
    assert np.array_equal(sitk.GetArrayFromImage(a), sitk.GetArrayFromImage(b))


def test_a_store_from_a_store_keeps_the_attributes():
    """DICOM -> Zarr -> Zarr (blosc) -> DICOM."""
    series = ct_series(n=3)
    first = entries_of(jobs.start("zarr", series))
    second = entries_of(jobs.start("zarr", [zip_of(first)], {"compressor": "blosc"}))
    volume = read_store(ZipStore(zip_of(second)))
    assert volume.stored_dicom.per_slice[0]["00200013"] == {"vr": "IS", "Value": [1]}
    assert '"blosc"' in second["0/zarr.json"].decode()


def test_an_array_that_no_longer_fits_is_a_new_series():
    series = ct_series(n=3)
    store = entries_of(jobs.start("zarr", series))
    import json

    meta = json.loads(store["0/zarr.json"])
    meta["attributes"]["dicomforge"]["dicom"]["shared"]["00280010"]["Value"] = [99]  # Rows
    store["0/zarr.json"] = json.dumps(meta).encode()
    events = list(jobs.start("series", [zip_of(store)], {"modality": "CT"}))
    assert any("does not match the stored DICOM attributes" in e.get("message", "") for e in events)
    assert len([e for e in events if e["type"] == "file"]) == 3


def test_renewing_keeps_the_study_asked_for_and_renews_references():
    series = ct_series(n=3)
    datasets = [pydicom.dcmread(io.BytesIO(s.data)) for s in series]
    first = min(datasets, key=lambda d: float(d.ImagePositionPatient[2]))
    last = max(datasets, key=lambda d: float(d.ImagePositionPatient[2]))
    reference = pydicom.dataset.Dataset()
    reference.ReferencedSOPClassUID, reference.ReferencedSOPInstanceUID = last.SOPClassUID, last.SOPInstanceUID
    first.ReferencedImageSequence = [reference]  # the first slice refers to the last one
    first.AcquisitionNumber = "1.5"  # not an IS: cannot be kept
    out = io.BytesIO()
    first.save_as(out, enforce_file_format=True)
    inputs = [NamedInput("a.dcm", out.getvalue()) if s.name == series[[d.SOPInstanceUID for d in datasets].index(
        first.SOPInstanceUID)].name else s for s in series]
    events = list(jobs.start("zarr", inputs))
    assert any("not valid for their VR" in e.get("message", "") and "(0020,0012)" in e["message"] for e in events)
    store = {e["name"]: bytes(e["data"]) for e in events if e["type"] == "file"}
    back = [pydicom.dcmread(io.BytesIO(bytes(e["data"]))) for e in jobs.start(
        "series", [zip_of(store)], {"renew_uids": True, "study_instance_uid": "1.2.3.4.5"}) if e["type"] == "file"]
    assert {d.StudyInstanceUID for d in back} == {"1.2.3.4.5"}
    renewed = {d.SOPInstanceUID for d in back}
    referring = next(d for d in back if "ReferencedImageSequence" in d)
    assert referring.ReferencedImageSequence[0].ReferencedSOPInstanceUID in renewed
    assert last.SOPInstanceUID not in renewed


def test_a_store_whose_geometry_was_edited_is_a_new_series():
    import json

    store = entries_of(jobs.start("zarr", ct_series(n=3)))
    meta = json.loads(store["0/zarr.json"])
    meta["attributes"]["dicomforge"]["spacing"][2] = 5.0  # resampled along z... but also the origin moved:
    meta["attributes"]["dicomforge"]["origin"][0] += 3.0
    store["0/zarr.json"] = json.dumps(meta).encode()
    events = list(jobs.start("series", [zip_of(store)], {"modality": "CT"}))
    assert any("geometry differs from its DICOM Image Plane attributes" in e.get("message", "") for e in events)
    assert len([e for e in events if e["type"] == "file"]) == 3
