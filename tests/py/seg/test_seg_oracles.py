"""Our Segmentations checked by tools nobody here wrote: dciodvfy (no error, for CT, MR, oblique,
multi-frame and US sources, BINARY and LABELMAP), dcmftest, highdicom (segments, codes and the
masks on the source geometry), dcmqi (segimage2itkimage: voxels and geometry); and Segmentations
written by highdicom and by dcmqi read by ours to the same masks. Native only (numpy, tools)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from dicomforge import jobs
from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput
from seg_cases import OBLIQUE, OBLIQUE_STEP, boxes, ct_series, label_input, us_image

np = pytest.importorskip("numpy")
hd = pytest.importorskip("highdicom")

BOXES = [(1, 1, 4, 10, 20, 5, 30), (2, 2, 3, 30, 40, 40, 60)]
NAMES = ["Liver", "Spleen"]


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed (make test installs it)")
    return found


def _errors(path: Path) -> list[str]:
    run = subprocess.run([_tool("dciodvfy"), str(path)], capture_output=True, text=True)
    return [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")]


def _mr_series():
    from scanner_cases import oblique_mr_series

    return [NamedInput(n, d) for n, d in oblique_mr_series(n=6, rows=48, columns=64, cosine=0.0)[0]]


def _enhanced(series: list[NamedInput]) -> NamedInput:
    datasets = [pydicom.dcmread(io.BytesIO(s.data)) for s in series]
    image = hd.legacy.LegacyConvertedEnhancedCTImage(legacy_datasets=datasets, series_instance_uid=hd.UID(),
                                                     series_number=4, sop_instance_uid=hd.UID(), instance_number=1)
    out = io.BytesIO()
    image.save_as(out, enforce_file_format=True)
    return NamedInput("enhanced.dcm", out.getvalue())


SOURCES = {
    "CT": lambda: ct_series(n=5, rows=48, columns=64),
    "MR": _mr_series,
    "oblique": lambda: ct_series(n=5, rows=48, columns=64, iop=OBLIQUE, origin=(5.0, -20.0, -30.0), step=OBLIQUE_STEP),
}


def _write(tmp_path, inputs, **options) -> Path:
    events = list(jobs.start("seg", inputs, options))
    assert not [e for e in events if e["type"] in ("failed", "error")], events
    path = tmp_path / "seg.dcm"
    path.write_bytes(next(e["data"] for e in events if e["type"] == "file"))
    return path


def _sorted_uids(series):
    datasets = [pydicom.dcmread(io.BytesIO(s.data)) for s in series]
    iop = [float(v) for v in datasets[0].ImageOrientationPatient]
    normal = np.cross(iop[:3], iop[3:])
    return [d.SOPInstanceUID for d in sorted(datasets, key=lambda d: float(np.dot(normal, [float(v) for v in d.ImagePositionPatient])))]


@pytest.mark.parametrize("kind", ["binary", "labelmap"])
@pytest.mark.parametrize("source", SOURCES)
def test_dciodvfy_highdicom_and_dcmftest(tmp_path, source, kind):
    series = SOURCES[source]()
    truth = boxes(64, 48, len(series), BOXES)
    path = _write(tmp_path, [*series, label_input(series, truth)], names=NAMES, type=kind)
    assert _errors(path) == []
    assert subprocess.run([_tool("dcmftest"), str(path)], capture_output=True, text=True).stdout.startswith("yes:")
    seg = hd.seg.segread(path)
    assert list(seg.segment_numbers) == [1, 2]
    described = [seg.get_segment_description(n) for n in (1, 2)]
    assert [d.segment_label for d in described] == NAMES
    assert [d.segmented_property_type.value for d in described] == ["10200004", "78961009"]
    masks = seg.get_pixels_by_source_instance(source_sop_instance_uids=_sorted_uids(series), combine_segments=True,
                                              assert_missing_frames_are_empty=True)
    expected = np.frombuffer(truth, np.uint8).reshape(len(series), 48, 64)
    assert np.array_equal(masks, expected)


def test_multi_frame_and_us_sources(tmp_path):
    series = ct_series(n=5, rows=48, columns=64)
    enhanced = _enhanced(series)
    uid = pydicom.dcmread(io.BytesIO(enhanced.data)).SOPInstanceUID
    truth = boxes(64, 48, 5, BOXES)
    path = _write(tmp_path, [enhanced], masks={uid: truth}, names=NAMES)  # frames in the image's order (ascending z)
    assert _errors(path) == []
    seg = hd.seg.segread(path)
    masks = seg.get_pixels_by_source_frame(source_sop_instance_uid=uid, source_frame_numbers=[1, 2, 3, 4, 5],
                                           combine_segments=True, assert_missing_frames_are_empty=True)
    assert np.array_equal(masks, np.frombuffer(truth, np.uint8).reshape(5, 48, 64))
    labels = label_input(series, truth)  # the label map matched to the frames by geometry, too
    assert _errors(_write(tmp_path, [enhanced, labels], names=NAMES)) == []
    image = us_image()
    uid = pydicom.dcmread(io.BytesIO(image.data)).SOPInstanceUID
    mask = bytes(48 * 64 - 500) + b"\x01" * 500
    path = _write(tmp_path, [image], masks={uid: mask})
    assert _errors(path) == []
    got = hd.seg.segread(path).get_pixels_by_source_instance(source_sop_instance_uids=[uid], combine_segments=True)
    assert got.tobytes() == mask


def test_dcmqi_reads_ours_to_the_same_label_images(tmp_path):
    import nrrd

    series = SOURCES["oblique"]()
    truth = boxes(64, 48, 5, BOXES)
    labels = label_input(series, truth)
    path = _write(tmp_path, [*series, labels], names=NAMES)
    out = tmp_path / "dcmqi"
    out.mkdir()
    subprocess.run([_tool("segimage2itkimage"), "--inputDICOM", str(path), "--outputDirectory", str(out), "-t", "nrrd"],
                   check=True, capture_output=True)
    original = read_volume(labels)
    full = np.frombuffer(truth, np.uint8).reshape(5, 48, 64)
    for number in (1, 2):
        data, header = nrrd.read(str(out / f"{number}.nrrd"))  # the extent of the segment's frames
        origin, directions = header["space origin"], header["space directions"]
        axis = np.array(original.direction[2])
        first = int(round(np.dot(origin - np.array(original.origin), axis) / original.spacing[2]))
        expected_origin = np.array(original.position(first))
        assert np.abs(origin - expected_origin).max() < 1e-4
        assert np.abs(directions - np.array(original.direction) * np.array(original.spacing)[:, None]).max() < 1e-4
        got = (data.transpose(2, 1, 0) > 0).astype(np.uint8)
        assert np.array_equal(got, (full[first : first + got.shape[0]] == number).astype(np.uint8))


def test_we_read_highdicom_and_dcmqi_segmentations(tmp_path):
    import nibabel

    series = ct_series(n=5, rows=48, columns=64)
    truth = boxes(64, 48, 5, BOXES)
    expected = read_volume(label_input(series, truth))
    datasets = sorted((pydicom.dcmread(io.BytesIO(s.data)) for s in series), key=lambda d: float(d.ImagePositionPatient[2]))
    descriptions = [hd.seg.SegmentDescription(
        segment_number=n, segment_label=name, segmented_property_category=hd.sr.CodedConcept("91723000", "SCT", "Anatomical Structure"),
        segmented_property_type=hd.sr.CodedConcept(code, "SCT", name), algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL)
        for n, name, code in ((1, "Liver", "10200004"), (2, "Spleen", "78961009"))]
    array = np.frombuffer(truth, np.uint8).reshape(5, 48, 64)
    theirs = hd.seg.Segmentation(
        source_images=datasets, pixel_array=np.stack([array == 1, array == 2], axis=-1).astype(np.uint8),
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY, segment_descriptions=descriptions,
        series_instance_uid=hd.UID(), series_number=2, sop_instance_uid=hd.UID(), instance_number=1,
        manufacturer="highdicom", manufacturer_model_name="test", software_versions="1", device_serial_number="1")
    out = io.BytesIO()
    theirs.save_as(out)
    sources = {s.name: s for s in series}
    back = read_volume(NamedInput("hd.dcm", out.getvalue()), sources)
    assert bytes(back.data) == bytes(expected.data)
    # dcmqi's itkimage2segimage from a NIfTI of the label map and the series' folder
    folder = tmp_path / "series"
    folder.mkdir()
    for s in series:
        (folder / s.name).write_bytes(s.data)
    nifti = tmp_path / "labels.nii.gz"
    affine = np.diag([-expected.spacing[0], -expected.spacing[1], expected.spacing[2], 1.0])
    affine[:3, 3] = [-expected.origin[0], -expected.origin[1], expected.origin[2]]
    nibabel.save(nibabel.Nifti1Image(array.transpose(2, 1, 0).copy(), affine), str(nifti))
    meta = tmp_path / "meta.json"
    meta.write_text('{"ContentCreatorName": "Doe^John", "ClinicalTrialCoordinatingCenterName": "NA", '
                    '"SeriesDescription": "Segmentation", "SeriesNumber": "300", "InstanceNumber": "1", '
                    '"segmentAttributes": [[' + ", ".join(
                        '{"labelID": %d, "SegmentLabel": "%s", "SegmentAlgorithmType": "MANUAL", '
                        '"SegmentedPropertyCategoryCodeSequence": {"CodeValue": "91723000", "CodingSchemeDesignator": "SCT", '
                        '"CodeMeaning": "Anatomical Structure"}, "SegmentedPropertyTypeCodeSequence": {"CodeValue": "%s", '
                        '"CodingSchemeDesignator": "SCT", "CodeMeaning": "%s"}}' % (n, name, code, name)
                        for n, name, code in ((1, "Liver", "10200004"), (2, "Spleen", "78961009"))) + "]]}")
    dcmqi = tmp_path / "dcmqi.dcm"
    subprocess.run([_tool("itkimage2segimage"), "--inputImageList", str(nifti), "--inputDICOMDirectory", str(folder),
                    "--inputMetadata", str(meta), "--outputDICOM", str(dcmqi)], check=True, capture_output=True)
    back = read_volume(NamedInput("dcmqi.dcm", dcmqi.read_bytes()), sources)
    assert bytes(back.data) == bytes(expected.data)
