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
