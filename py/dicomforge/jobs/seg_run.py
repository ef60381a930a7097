"""How the seg job runs (:mod:`dicomforge.jobs.seg` defines it): sources and label map read and
checked, then the Segmentation written in one piece."""

from __future__ import annotations

from typing import Iterator

from dicomforge.errors import DicomForgeError, InputError, OptionsError
from dicomforge.formats import read_volume
from dicomforge.inputset import InputSet
from dicomforge.kinds import stem
from dicomforge.overlays.options import label_value
from dicomforge.seg.masks import from_label_map, from_masks
from dicomforge.seg.options import SegOptions
from dicomforge.seg.sources import read_sources
from dicomforge.seg.write import write_segmentation

from . import events
from .registry import JobContext

__all__ = ["run"]


def _label_map(found: InputSet, named: str):
    if named:
        chosen = [i for i in found.items if i.name == named]
        if not chosen:
            raise OptionsError(f"the label map {named!r} is not among the inputs")
        return chosen[0]
    volumes = found.volume_files
    if len(volumes) > 1:
        raise OptionsError(f"give one label map, got {len(volumes)}: {', '.join(v.name for v in volumes)} "
                           "(name one with label_map)")
    return volumes[0] if volumes else None


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """One ``file`` (the Segmentation), its ``result`` and ``progress``; or one ``failed`` event."""
    chosen = SegOptions(**{k: v for k, v in options.items() if k in SegOptions.__dataclass_fields__})
    labels = [label_value(v) for v in options["labels"]] if options["labels"] else None
    found = InputSet(inputs)
    item = _label_map(found, options["label_map"])
    sources = read_sources([i for i in found.dicom if item is None or i.name != item.name])
    if options["masks"] is not None:
        frames = from_masks(options["masks"], sources, labels, options["names"])
        source_name = "masks"
    elif item is None:
        raise InputError("no label map among the inputs (or masks): nothing to segment")
    else:
        try:
            volume = read_volume(item, found.partners_of(item, dicom=False), budget=context.budget)
            frames = from_label_map(volume, sources, labels, options["names"])
        except DicomForgeError as error:
            raise error.with_file(item.name)
        source_name = item.name
        yield from (events.warning(w, item.name) for w in volume.warnings)
    yield events.progress(0, 1, source_name)
    data, summary, warnings = write_segmentation(sources, frames, chosen)
    yield from (events.warning(w, source_name) for w in warnings)
    name = f"{stem(source_name) if item is not None else 'masks'}_seg.dcm"
    yield events.output(name, data)
    yield events.result(source_name, {**summary, "name": name})
    yield events.progress(1, 1, source_name)
