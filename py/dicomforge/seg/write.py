"""Source images + masks -> one DICOM Segmentation object (Part 10 bytes), BINARY or LABELMAP.

Segmentation Storage (BINARY: one bit per pixel, a frame per segment and position) or Label Map
Segmentation Storage (LABELMAP: one frame per position, pixels are segment numbers), Enhanced
multi-frame: Shared Functional Groups (Plane Orientation, Pixel Measures), Per-frame Functional
Groups (:mod:`.frames`), Dimension Organization and Index on (Referenced Segment Number, Image
Position), Referenced Series Sequence, patient and study copied from the sources, a new series
in their study and Frame of Reference, one Segment Sequence item per label (empty segments
kept). Frames go by segment, then along the slice normal; frames without a pixel of their
segment are left out unless asked (a Segmentation with no frame at all is invalid, so when
every segment is empty the first segment's frames are kept). Sources without patient geometry
(US, XC, CR) give frames without plane positions, dimensioned by segment alone.

What the attributes must be was settled against dciodvfy, highdicom and dcmqi (see
``tests/py/seg``): e.g. Image Type DERIVED\\PRIMARY, Content Label upper case, no Maximum
Fractional Value in a BINARY object, Patient Orientation (empty) without a Frame of Reference.
"""

from __future__ import annotations

from datetime import datetime

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from dicomforge import __version__
from dicomforge.dicom.encode import element, format_ds
from dicomforge.dicom.uids import SEGMENTATION_CLASSES, new_uid
from dicomforge.errors import InputError
from dicomforge.geometry import dot, normal
from dicomforge.kernels import all_zero
from dicomforge.series.template import FileMetaEncoder, encode_elements

from .frames import frame_item, pack_frames
from .masks import FrameLabels
from .options import SegOptions
from .sources import Sources

__all__ = ["write_segmentation"]

_PATIENT_STUDY = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
                  "StudyTime", "AccessionNumber", "ReferringPhysicianName", "StudyID", "StudyDescription",
                  "IssuerOfPatientID", "PatientAge")
_TYPE2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "AccessionNumber",
          "ReferringPhysicianName", "StudyID")


def _code(code: tuple) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code
    return item


def _order(sources: Sources) -> list[int]:
    """Source frame indexes along the slice normal (input order without geometry)."""
    frames = sources.frames
    if not sources.has_geometry:
        return list(range(len(frames)))
    iop = frames[0].orientation
    axis = normal(iop[:3], iop[3:])
    return sorted(range(len(frames)), key=lambda i: (dot(frames[i].position, axis), i))


def _binary_frames(labels: FrameLabels, order: list[int], keep_empty: bool, warnings: list) -> list:
    """``[(segment number, source index, pixels)]`` in segment, then position order; pixels are
    packed bits when a frame is a whole number of bytes, else a byte per pixel (see pack_frames)."""
    aligned = labels.pixels % 8 == 0
    chosen, blank = [], bytes(labels.pixels // 8 if aligned else labels.pixels)
    for segment in labels.segments:
        for i in order:
            mask = labels.packed(i, segment) if aligned else labels.mask(i, segment)
            if mask is not None or keep_empty:
                chosen.append((segment.number, i, mask if mask is not None else blank))
    if not chosen:
        warnings.append("every segment is empty: the first segment's frames are written, all blank")
        chosen = [(labels.segments[0].number, i, blank) for i in order]
    return chosen


def _labelmap_frames(labels: FrameLabels, order: list[int], keep_empty: bool, warnings: list) -> list:
    """``[(None, source index, segment numbers)]`` in position order."""
    if labels.segments[-1].number > 255:
        raise InputError(f"{labels.segments[-1].number} segments: a label map Segmentation holds at most 255 here "
                         "(make a binary one)")
    chosen, blank = [], bytes(labels.pixels)
    table = labels.value_table()
    for i in order:
        found = labels.values(i) if table is not None else None
        if found is not None:  # one-byte label values: one translate to segment numbers
            values = bytes(found[0]).translate(table)
            if keep_empty or not all_zero(values):
                chosen.append((None, i, values))
            continue
        frame = 0
        for segment in labels.segments:
            mask = labels.mask(i, segment)
            if mask is not None:
                table = bytes([0] + [segment.number] * 255)
                frame |= int.from_bytes(bytes(mask).translate(table), "little")
        if frame or keep_empty:
            chosen.append((None, i, frame.to_bytes(labels.pixels, "little") if frame else blank))
    if not chosen:
        warnings.append("every segment is empty: all frames are written, blank")
        chosen = [(None, i, blank) for i in order]
    return chosen


def _segment_sequence(labels: FrameLabels, options: SegOptions, labelmap: bool) -> Sequence:
    items = []
    if labelmap:  # (highdicom and dcmqi both describe the background as segment 0)
        background = Dataset()
        background.SegmentNumber, background.SegmentLabel, background.SegmentAlgorithmType = 0, "Background", "MANUAL"
        background.SegmentedPropertyCategoryCodeSequence = [_code(("125040", "DCM", "Background"))]
        background.SegmentedPropertyTypeCodeSequence = [_code(("125040", "DCM", "Background"))]
        items.append(background)
    for segment in labels.segments:
        item = Dataset()
        item.SegmentNumber, item.SegmentLabel = segment.number, segment.label
        item.SegmentAlgorithmType = options.algorithm_type
        if options.algorithm_type != "MANUAL":
            item.SegmentAlgorithmName = options.algorithm_name
        item.SegmentedPropertyCategoryCodeSequence = [_code(segment.category)]
        item.SegmentedPropertyTypeCodeSequence = [_code(segment.type)]
        item.RecommendedDisplayCIELabValue = segment.cielab
        items.append(item)
    return Sequence(items)


def _dataset(sources: Sources, labels: FrameLabels, options: SegOptions, labelmap: bool, frames: int, uids) -> Dataset:
    src, first = sources.header, sources.frames[0]
    ds = Dataset()
    now = datetime.now()
    for keyword in _PATIENT_STUDY:
        if keyword in src:
            setattr(ds, keyword, src[keyword].value)
    for keyword in _TYPE2:
        if keyword not in ds:
            setattr(ds, keyword, "")
    ds.SOPClassUID, ds.SOPInstanceUID = SEGMENTATION_CLASSES[1 if labelmap else 0], uids["sop"]
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.Modality, ds.SeriesInstanceUID, ds.SeriesNumber, ds.InstanceNumber = "SEG", uids["series"], options.series_number, 1
    ds.SeriesDescription = options.series_description
    ds.ContentDate, ds.ContentTime = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.InstanceCreationDate, ds.InstanceCreationTime = ds.ContentDate, ds.ContentTime
    ds.Manufacturer, ds.ManufacturerModelName, ds.DeviceSerialNumber = "dicomforge", "dicomforge", "1"
    ds.SoftwareVersions = __version__
    ds.ContentLabel, ds.ContentDescription, ds.ContentCreatorName = options.content_label, "", options.content_creator
    if sources.frame_of_reference:
        ds.FrameOfReferenceUID = sources.frame_of_reference
        ds.PositionReferenceIndicator = src.get("PositionReferenceIndicator", "") or ""
    else:
        ds.PatientOrientation = ""  # (Type 2C without Plane Orientation)
    referenced = Dataset()
    referenced.SeriesInstanceUID = sources.series_uid
    seen, instances = set(), []
    for f in sources.frames:
        if f.sop_uid not in seen:
            seen.add(f.sop_uid)
            instance = Dataset()
            instance.ReferencedSOPClassUID, instance.ReferencedSOPInstanceUID = f.sop_class, f.sop_uid
            instances.append(instance)
    referenced.ReferencedInstanceSequence = instances
    ds.ReferencedSeriesSequence = [referenced]
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.Rows, ds.Columns = 1, "MONOCHROME2", first.rows, first.columns
    ds.NumberOfFrames, ds.PixelRepresentation, ds.LossyImageCompression = frames, 0, "00"
    ds.BitsAllocated = ds.BitsStored = 8 if labelmap else 1
    ds.HighBit = ds.BitsAllocated - 1
    ds.SegmentationType = "LABELMAP" if labelmap else "BINARY"
    if labelmap:
        ds.add_new(0x00280120, "US", 0)  # Pixel Padding Value (US: pixels are unsigned)
    else:
        ds.SegmentsOverlap = "NO" if not getattr(labels, "binary", False) else "UNDEFINED"
    ds.SegmentSequence = _segment_sequence(labels, options, labelmap)
    _dimensions(ds, sources, labelmap, uids["dimensions"])
    ds.SharedFunctionalGroupsSequence = [_shared(sources)]
    if any(ord(c) > 127 for keyword in ("PatientName", "StudyDescription", "SeriesDescription", "ContentCreatorName")
           for c in str(ds.get(keyword, ""))):
        ds.SpecificCharacterSet = "ISO_IR 192"
    return ds


def _dimensions(ds: Dataset, sources: Sources, labelmap: bool, uid: str) -> None:
    organisation = Dataset()
    organisation.DimensionOrganizationUID = uid
    ds.DimensionOrganizationSequence = [organisation]
    dims = []
    for pointer, group, label, wanted in ((0x0062000B, 0x0062000A, "Referenced Segment Number", not labelmap),
                                          (0x00200032, 0x00209113, "Image Position Patient", sources.has_geometry)):
        if wanted:
            item = Dataset()
            item.DimensionOrganizationUID, item.DimensionIndexPointer, item.FunctionalGroupPointer = uid, pointer, group
            item.DimensionDescriptionLabel = label
            dims.append(item)
    if labelmap and sources.has_geometry:
        ds.DimensionOrganizationType = "3D"
    ds.DimensionIndexSequence = dims


def _shared(sources: Sources) -> Dataset:
    shared = Dataset()
    first = sources.frames[0]
    if not sources.has_geometry:
        return shared
    orientation = Dataset()
    orientation.ImageOrientationPatient = [format_ds(v) for v in first.orientation]
    shared.PlaneOrientationSequence = [orientation]
    measures = Dataset()
    measures.PixelSpacing = [format_ds(v) for v in first.spacing]
    axis = normal(first.orientation[:3], first.orientation[3:])
    depths = sorted({round(dot(f.position, axis), 4) for f in sources.frames})
    gaps = sorted({round(b - a, 3) for a, b in zip(depths, depths[1:])})
    thickness = first.thickness or (gaps[0] if gaps and gaps[0] > 0 else 1.0)
    measures.SliceThickness = format_ds(thickness)
    if len(gaps) == 1 and gaps[0] > 0:
        measures.SpacingBetweenSlices = format_ds(gaps[0])
    shared.PixelMeasuresSequence = [measures]
    return shared


def write_segmentation(sources: Sources, labels: FrameLabels, options: SegOptions) -> tuple[bytes, dict, list]:
    """``(Part 10 bytes, summary, warnings)`` of the Segmentation of *labels* on *sources*."""
    labelmap = options.type == "labelmap"
    if labelmap and not sources.has_geometry:
        raise InputError("a label map Segmentation is indexed by image position: these images have no patient "
                         "geometry (Image Position/Orientation); make a binary Segmentation", sources.frames[0].name)
    warnings = list(labels.warnings)
    order = _order(sources)
    if labelmap:
        chosen = _labelmap_frames(labels, order, options.keep_empty_frames, warnings)
    else:
        chosen = _binary_frames(labels, order, options.keep_empty_frames, warnings)
    place = {i: p for p, i in enumerate(order)}  # source index -> place along the normal
    positions = sorted({place[i] for _, i, _ in chosen}) if sources.has_geometry else []
    rank = {p: n for n, p in enumerate(positions, 1)}  # (1-based, among the positions written)
    per_frame = b"".join(frame_item(segment, rank[place[i]] if positions else None, sources.frames[i])
                         for segment, i, _ in chosen)
    if labelmap:
        pixels = b"".join(m for _, _, m in chosen)
        pixels += b"\x00" * (len(pixels) % 2)
    elif labels.pixels % 8 == 0:  # (frames packed already)
        pixels = b"".join(m for _, _, m in chosen)
        pixels += b"\x00" * (len(pixels) % 2)
    else:
        pixels = pack_frames([m for _, _, m in chosen], labels.pixels)
    prefix = options.uid_prefix
    uids = {"sop": new_uid(prefix), "series": new_uid(prefix), "dimensions": new_uid(prefix)}
    ds = _dataset(sources, labels, options, labelmap, len(chosen), uids)
    body = encode_elements(ds, None if "SpecificCharacterSet" not in ds else ["utf_8"])
    data = b"".join([FileMetaEncoder(ds.SOPClassUID)(ds.SOPInstanceUID), body,
                     element(0x52009230, b"SQ", per_frame), element(0x7FE00010, b"OB", pixels)])
    counts = {}
    for segment, i, _ in chosen:
        counts[segment] = counts.get(segment, 0) + 1
    summary = {"sopInstanceUid": ds.SOPInstanceUID, "seriesInstanceUid": ds.SeriesInstanceUID,
               "type": ds.SegmentationType, "frames": len(chosen), "bytes": len(data),
               "segments": [{"number": s.number, "label": s.label, "category": list(s.category), "type": list(s.type),
                             "frames": counts.get(s.number, 0) if not labelmap else None} for s in labels.segments]}
    return data, summary, warnings

