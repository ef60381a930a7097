"""The seg job and the Segmentation reader on their own (natively and in Pyodide): what is
written reads back to the label map it came from, on the source grid, bit for bit; frames and
segments as the standard asks; bad input stops the job with one error naming it, nothing written."""

from __future__ import annotations

import io

import pydicom
import pytest

from dicomforge import jobs
from dicomforge.formats import detect_format, read_volume
from dicomforge.inputs import NamedInput
from seg_cases import OBLIQUE, OBLIQUE_STEP, boxes, ct_series, label_input, us_image

BOXES = [(1, 1, 4, 10, 20, 5, 30), (2, 2, 3, 30, 40, 40, 60), (3, 0, 5, 0, 2, 0, 64)]


def _seg(inputs, **options):
    events = list(jobs.start("seg", inputs, options))
    files = [e for e in events if e["type"] == "file"]
    failed = [e for e in events if e["type"] in ("failed", "error")]
    return (files[0]["data"] if files else None), events, failed


def _series(**kwargs):
    return ct_series(n=5, rows=48, columns=64, spacing=(0.7, 0.8), step=(0, 0, 2.5), **kwargs)


@pytest.mark.parametrize("kind", ["binary", "labelmap"])
@pytest.mark.parametrize("geometry", ["axial", "oblique", "sagittal"])
def test_the_segmentation_reads_back_to_its_label_map(kind, geometry):
    series = {"axial": lambda: _series(),
              "oblique": lambda: ct_series(n=5, rows=48, columns=64, iop=OBLIQUE, origin=(5.0, -20.0, -30.0), step=OBLIQUE_STEP),
              "sagittal": lambda: ct_series(n=5, rows=48, columns=64, iop=(0, 1, 0, 0, 0, -1), origin=(20.0, -60.0, 80.0),
                                            step=(-2.0, 0, 0))}[geometry]()
    labels = label_input(series, boxes(64, 48, 5, BOXES))
    data, events, failed = _seg([*series, labels], type=kind, names=["Liver", "Spleen", "Rim"])
    assert not failed, failed
    seg = NamedInput("seg.dcm", data)
    assert detect_format(seg) == "seg"
    back = read_volume(seg, {s.name: s for s in series})  # on the series' grid
    original = read_volume(labels)
    assert back.size == original.size and bytes(back.data) == bytes(original.data)
    for a, b in zip((*back.origin, *back.spacing), (*original.origin, *original.spacing)):
        assert abs(a - b) < 1e-4
    alone = read_volume(NamedInput("seg.dcm", data))  # the span of its frames
    assert alone.size == original.size  # (label 3 is on every slice)
    ds = pydicom.dcmread(io.BytesIO(data))
    assert [s.SegmentLabel for s in ds.SegmentSequence if s.SegmentNumber] == ["Liver", "Spleen", "Rim"]
    assert ds.SegmentSequence[-1].SegmentedPropertyTypeCodeSequence[0].CodeMeaning == "Tissue"
    result = [e["value"] for e in events if e["type"] == "result"][0]
    if kind == "binary":
        assert [s["frames"] for s in result["segments"]] == [3, 1, 5]
        assert ds.NumberOfFrames == 9 and ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4"
        values = [tuple(f.FrameContentSequence[0].DimensionIndexValues) for f in ds.PerFrameFunctionalGroupsSequence]
        assert values[:3] == [(1, 2), (1, 3), (1, 4)] and values[3] == (2, 3)  # segment, then position
    else:
        assert ds.NumberOfFrames == 5 and ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.7"


def test_bit_packing_across_frames_that_end_mid_byte():
    """7 x 9 pixels: frame 2 starts at bit 63; every frame still reads back."""
    series = ct_series(n=4, rows=7, columns=9)
    labels = label_input(series, boxes(9, 7, 4, [(1, 0, 4, 1, 6, 2, 7), (2, 1, 3, 0, 2, 0, 9)]))
    data, _, failed = _seg([*series, labels])
    assert not failed
    ds = pydicom.dcmread(io.BytesIO(data))
    assert len(ds.PixelData) == (ds.NumberOfFrames * 63 + 7) // 8 + ((ds.NumberOfFrames * 63 + 7) // 8) % 2
    back = read_volume(NamedInput("s.dcm", data), {s.name: s for s in series})
    assert bytes(back.data) == bytes(read_volume(labels).data)


def test_empty_segments_are_kept_and_empty_frames_can_be():
    series = _series()
    labels = label_input(series, boxes(64, 48, 5, [(1, 2, 3, 0, 5, 0, 5), (2, 0, 0, 0, 0, 0, 0)]))
    data, _, _ = _seg([*series, labels], labels=[1])
    assert pydicom.dcmread(io.BytesIO(data)).NumberOfFrames == 1
    data, _, _ = _seg([*series, labels], keep_empty_frames=True)
    assert pydicom.dcmread(io.BytesIO(data)).NumberOfFrames == 5


def test_editor_masks_for_a_us_image_without_geometry():
    image = us_image()
    uid = pydicom.dcmread(io.BytesIO(image.data)).SOPInstanceUID
    mask = bytearray(48 * 64)
    mask[100:200] = b"\x02" * 100
    data, events, failed = _seg([image], masks={uid: bytes(mask)}, names={"2": "Lesion"})
    assert not failed, failed
    ds = pydicom.dcmread(io.BytesIO(data))
    assert "FrameOfReferenceUID" not in ds and ds.PatientOrientation == ""
    assert ds.SegmentSequence[0].SegmentLabel == "Lesion"
    assert ds.SegmentSequence[0].SegmentedPropertyCategoryCodeSequence[0].CodeMeaning == "Morphologically Altered Structure"
    preview = [e for e in jobs.start("preview", [image, NamedInput("s.dcm", data)], {"segmentation": "s.dcm"})
               if e["type"] == "result"][0]["value"]
    planes = [p for p in preview["overlays"] if p["type"] == "SEG"]
    assert [p["label"] for p in planes] == ["Lesion"] and bytes(planes[0]["bits"])[100:200] == b"\x01" * 100


@pytest.mark.parametrize("case, kind, words", [
    ("off-grid", "GeometryError", "outside the label map's 5 slices"),
    ("values-not-chosen", "InputError", "holds label(s) 2, 3 that are not among the labels chosen (1)"),
    ("too-many", "InputError", "65536 labels: a Segmentation holds at most 65535 segments"),
    ("no-frame-of-reference", "InputError", "has Image Position/Orientation (Patient) but no Frame of Reference UID"),
    ("mixed-series", "InputError", "the source images belong to 2 series"),
    ("no-label-map", "InputError", "no label map among the inputs"),
])
def test_bad_input_stops_the_job_and_writes_nothing(case, kind, words):
    series = _series()
    labels = label_input(series, boxes(64, 48, 5, BOXES))
    if case == "off-grid":
        shifted = _series(origin=(-100.0, -50.0, 40.0))
        inputs = [*shifted, labels]
    elif case == "values-not-chosen":
        inputs, options = [*series, labels], {"labels": [1]}
    elif case == "too-many":
        tiny = ct_series(n=1, rows=1, columns=1)
        uid = pydicom.dcmread(io.BytesIO(tiny[0].data)).SOPInstanceUID
        data, events, failed = _seg(tiny, masks={uid: [b"\x01"] * 65536})
        assert data is None and kind in failed[0]["kind"] and words in failed[0]["message"]
        return
    elif case == "no-frame-of-reference":
        ds = pydicom.dcmread(io.BytesIO(series[0].data))
        del ds.FrameOfReferenceUID
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        inputs = [NamedInput(series[0].name, out.getvalue()), *series[1:], labels]
    elif case == "mixed-series":
        inputs = [*series, *_series()[:1], labels]
    else:
        inputs = series
    data, events, failed = _seg(inputs, **(options if case == "values-not-chosen" else {}))
    assert data is None
    assert len(failed) == 1 and failed[0]["kind"] == kind and words in failed[0]["message"], failed
    if case in ("off-grid", "no-frame-of-reference"):
        assert failed[0]["file"].startswith("IM")


class TestReviewedCases:
    def test_uneven_source_gaps_and_unrelated_files_beside(self):
        series = ct_series(n=5, rows=12, columns=16, step=(0, 0, 2.5))
        shifted = []
        for k, item in enumerate(series):  # slice positions 0, 2.5, 5, 9, 12 mm: uneven gaps
            ds = pydicom.dcmread(io.BytesIO(item.data))
            z = float(ds.ImagePositionPatient[2]) - 10.0
            ds.ImagePositionPatient = [-100.0, -50.0, 10.0 + {0: 0, 2.5: 2.5, 5: 5, 7.5: 9, 10: 12}[z]]
            out = io.BytesIO()
            ds.save_as(out, enforce_file_format=True)
            shifted.append(NamedInput(item.name, out.getvalue()))
        image = pydicom.dcmread(io.BytesIO(shifted[0].data))
        uid = {pydicom.dcmread(io.BytesIO(s.data)).SOPInstanceUID: s.name for s in shifted}
        masks = {u: bytes(12 * 16) for u in uid}
        top = max(uid, key=lambda u: float(pydicom.dcmread(io.BytesIO(shifted[list(uid).index(u)].data)).ImagePositionPatient[2]))
        masks[top] = b"\x01" * (12 * 16)
        data, _, failed = _seg(shifted, masks=masks)
        assert not failed and image is not None
        other = NamedInput("other.dcm", ct_series(n=1, rows=12, columns=16)[0].data)  # another series beside
        back = read_volume(NamedInput("s.dcm", data), {s.name: s for s in [*shifted, other]})
        assert back.size == (16, 12, 5) and bytes(back.data)[-12 * 16:] == b"\x01" * (12 * 16)

    def test_names_follow_the_label_values(self):
        series = _series()
        labels = label_input(series, boxes(64, 48, 5, [(2, 1, 2, 0, 4, 0, 4), (5, 2, 3, 0, 4, 0, 4)]))
        data, _, _ = _seg([*series, labels], names=["Liver", "Spleen"])
        ds = pydicom.dcmread(io.BytesIO(data))
        assert [s.SegmentLabel for s in ds.SegmentSequence] == ["Liver", "Spleen"]
        assert ds.SegmentSequence[1].SegmentedPropertyTypeCodeSequence[0].CodeValue == "78961009"

    def test_a_hostile_spacing_between_slices_is_not_believed(self):
        series = _series()
        data, _, _ = _seg([*series, label_input(series, boxes(64, 48, 5, [(1, 0, 1, 0, 4, 0, 4), (1, 4, 5, 0, 4, 0, 4)]))])
        for bad in ("-2.5", "NaN", "1e-7"):
            ds = pydicom.dcmread(io.BytesIO(data))
            ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].SpacingBetweenSlices = bad
            out = io.BytesIO()
            ds.save_as(out, enforce_file_format=True)
            volume = read_volume(NamedInput("s.dcm", out.getvalue()), budget=1 << 20)
            assert volume.size == (64, 48, 2), bad  # frames 10 mm apart: the smallest gap, not the lie

    def test_label_map_seg_of_a_us_image_is_refused_and_bad_masks_named(self):
        image = us_image()
        uid = pydicom.dcmread(io.BytesIO(image.data)).SOPInstanceUID
        _, _, failed = _seg([image], masks={uid: b"\x01" * (48 * 64)}, type="labelmap")
        assert "no patient geometry" in failed[0]["message"]
        for masks, words in (({uid: [b"\x01" * 3072, 5]}, "must be bytes"), ({uid: []}, "must be bytes"),
                             ({uid: None}, "must be bytes"), ({}, "masks must map")):
            _, _, failed = _seg([image], masks=masks)
            assert failed and words in failed[0]["message"], (masks, failed)

    def test_per_frame_geometry_and_compressed_segmentations(self):
        series = _series()
        data, _, _ = _seg([*series, label_input(series, boxes(64, 48, 5, BOXES))])
        ds = pydicom.dcmread(io.BytesIO(data))
        shared = ds.SharedFunctionalGroupsSequence[0]
        for item in ds.PerFrameFunctionalGroupsSequence:  # orientation and measures per frame instead
            item.PlaneOrientationSequence, item.PixelMeasuresSequence = shared.PlaneOrientationSequence, shared.PixelMeasuresSequence
        del shared.PlaneOrientationSequence, shared.PixelMeasuresSequence
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        back = read_volume(NamedInput("p.dcm", out.getvalue()), {s.name: s for s in series})
        assert bytes(back.data) == bytes(read_volume(label_input(series, boxes(64, 48, 5, BOXES))).data)
        from pydicom.encaps import encapsulate

        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.5"  # (RLE: not read)
        ds.PixelData = encapsulate([bytes(ds.PixelData)])
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        with pytest.raises(Exception, match="RLE Lossless is not read here"):
            read_volume(NamedInput("r.dcm", out.getvalue()))
