"""How the overlay job runs: the label map (or masks) against each DICOM file, one output each.

The job's definition (options, checks) is :mod:`dicomforge.jobs.overlay`; this module is
imported when the job first runs.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.dicom import tags
from dicomforge.dicom.scan import DicomScan, scan
from dicomforge.errors import DicomForgeError, InputError, OptionsError, UnsupportedError
from dicomforge.formats import UNRECOGNISED, read_volume
from dicomforge.inputs import EMPTY
from dicomforge.inputset import InputSet
from dicomforge.overlays.labels import LabelMatcher, add_label_overlays, any_set
from dicomforge.overlays.options import MaskPlane, OverlayOptions, label_value
from dicomforge.overlays.write import add_overlays, check_masks, remove_overlays

from . import events
from .output import output_names
from .registry import JobContext

__all__ = ["run"]

_FIELDS = ("type", "keep_uids", "replace", "remove_groups", "series_uid", "series_suffix", "uid_prefix")
_BYTES = (bytes, bytearray, memoryview)


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """One ``file`` event per output (the input's base name), ``progress``, an ``error`` per
    bad input, ``warning`` events, and a final ``result`` summary."""
    chosen = OverlayOptions(**{k: options[k] for k in _FIELDS})
    masks = options["masks"]
    found = InputSet(inputs)
    label_maps = _label_maps(found, options["label_map"])
    apart = {i.name for i in label_maps} | {i.name for i in found.items if found.is_partner(i)}  # (and its data)
    dicoms = [i for i in inputs if i.name not in apart
              and (found.formats[i.name] in ("dicom", None) or options["label_map"])]
    removing = bool(chosen.replace or chosen.remove_groups)
    if removing and not options["label_map"] and not options["labels"] and masks is None and label_maps:
        # only removing: volumes among the inputs are no label map unless one reads as one
        label_maps, unused = _readable_one(label_maps, found, context)
        yield from unused
    if masks is not None and label_maps:
        raise OptionsError("give either a label map or per-file masks, not both")
    if len(label_maps) > 1:
        raise OptionsError(f"give at most one label map, got {len(label_maps)}: {', '.join(v.name for v in label_maps)}")
    if options["labels"] and not label_maps:
        raise OptionsError("labels (the label values to draw) need a label map among the inputs")
    if not label_maps and masks is None and not (chosen.replace or chosen.remove_groups):
        raise OptionsError(
            "give a label map (NRRD, NIfTI, MetaImage, VTK) or per-file masks with the DICOM files, "
            "or choose existing overlays to remove"
        )
    if not dicoms:
        raise OptionsError("no DICOM files among the inputs")
    matcher = None
    if label_maps:
        matcher = _matcher(label_maps[0], found, options, context)
        yield from (events.warning(w, matcher.volume.name) for w in matcher.volume.warnings)
        for warning in matcher.place(list(_scans(dicoms, found, context))):
            yield events.warning(warning, matcher.volume.name)
    yield from _write(dicoms, found, chosen, matcher, masks, context)


def _label_maps(found: InputSet, named: str) -> list:
    """The label map: the input *named* (the ``label_map`` option), else every volume among the
    inputs (the data file of a NIfTI pair is its header's)."""
    if not named:
        return found.volume_files
    chosen = [i for i in found.items if i.name == named][:1]
    if not chosen:
        raise OptionsError(f"the label map {named!r} is not among the inputs")
    kind = found.formats[named]
    if kind in (None, "dicom"):
        raise InputError("is not a label map: " + ("a DICOM file" if kind else UNRECOGNISED), named)
    return chosen


def _readable_one(candidates: list, found: InputSet, context: JobContext) -> tuple[list, list]:
    """``([the label map], [warning events])`` when removing overlays and no label map was
    named: the one candidate that reads as a volume is used; the others (unreadable, or one of
    several) are not used, and the warnings say why: the job fails only for inputs it uses."""
    readable, unused = [], []
    for item in candidates:
        try:
            read_volume(item, found.partners_of(item, dicom=False), header_only=True, budget=context.budget)
            readable.append(item)
        except DicomForgeError as error:
            unused.append(events.warning(f"not used as a label map: {error.message}", item.name))
    if len(readable) > 1:
        names = ", ".join(i.name for i in readable)
        unused += [events.warning(f"not used: {len(readable)} volumes ({names}) could be the label map; "
                                  "name one to draw it", i.name) for i in readable]
        readable = []
    return readable, unused


def _matcher(label_map, found: InputSet, options: dict, context: JobContext) -> LabelMatcher:
    """The label map read and checked: a problem with it stops the job, naming it."""
    try:
        volume = read_volume(label_map, found.partners_of(label_map, dicom=False), budget=context.budget)
        labels = [label_value(v) for v in options["labels"]] if options["labels"] else None
        return LabelMatcher(volume, labels, options["label_names"])
    except DicomForgeError as error:
        raise error.with_file(label_map.name)


def _scans(dicoms: list, found: InputSet, context: JobContext) -> Iterator[DicomScan]:
    """The header scans of the DICOM files that can be scanned (the others fail later, in order)."""
    for item in dicoms:
        if found.formats[item.name] == "dicom":
            try:
                yield scan(item, budget=context.budget)
            except DicomForgeError:
                continue


def _write(dicoms: list, found: InputSet, chosen: OverlayOptions, matcher, masks, context: JobContext):
    names = output_names([i.name for i in dicoms])
    used_uids, empty, written = set(), [], 0
    total = len(dicoms)
    for done, (item, out_name) in enumerate(zip(dicoms, names), start=1):
        try:
            kind = found.formats[item.name]
            if item.empty:
                raise InputError(EMPTY, item.name)
            if kind is None:
                raise UnsupportedError("unrecognised format: not DICOM (no 'DICM' at byte 128)", item.name)
            if kind != "dicom":
                raise UnsupportedError(f"is a {kind} volume, not a DICOM file (the label map is another input)",
                                       item.name)
            scan_ = scan(item, budget=context.budget)
            if matcher is not None:
                data, drawn = add_label_overlays(scan_, matcher, chosen)
                if not drawn:
                    empty.append(item.name)
            elif masks is None:  # only removing existing overlays
                data = remove_overlays(scan_, chosen)
            else:
                uid = scan_.text(tags.SOP_INSTANCE_UID)
                given = masks.get(uid) if uid else None
                if given is None:
                    raise InputError(f"no mask given for its SOP Instance UID {uid}", item.name)
                used_uids.add(uid)
                data = add_overlays(scan_, _mask_planes(given, scan_), chosen)
            yield events.output(out_name, data)
            written += 1
        except DicomForgeError as problem:
            yield events.error(problem.with_file(item.name))
        yield events.progress(done, total, item.name)
    if empty:
        yield events.warning(f"{len(empty)} of {total} files show slices without any of the labels: "
                             "their overlay planes are empty", matcher.volume.name)
    if masks is not None and len(set(masks) - used_uids):
        yield events.warning(f"{len(set(masks) - used_uids)} mask(s) match no SOP Instance UID among the DICOM files")
    yield events.result(matcher.volume.name if matcher else "", {
        "files": written, "failed": total - written,
        "labels": [matcher.names[v] for v in matcher.labels] if matcher else [],
        "seriesInstanceUid": chosen.series_uid or None,
    })


def _mask_planes(given, scan_: DicomScan) -> list[MaskPlane]:
    """Per-file masks (bytes, or a list of bytes) -> planes; an all-zero mask is an error."""
    masks = [given] if isinstance(given, _BYTES) else list(given) if isinstance(given, (list, tuple)) else [None]
    if not all(isinstance(m, _BYTES) for m in masks):
        raise InputError(f"the mask given for it is not bytes (one byte per pixel) or a list of them: {given!r:.60}",
                         scan_.name)
    planes = [MaskPlane(m, "mask" if len(masks) == 1 else f"mask {i}", "") for i, m in enumerate(masks, start=1)]
    check_masks(scan_, planes)
    for plane in planes:
        if not any_set(plane.mask):
            raise InputError(f"{plane.label} is empty (no nonzero pixel): nothing to draw", scan_.name)
    return planes
