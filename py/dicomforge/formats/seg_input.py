"""DICOM Segmentations as volume inputs: a SEG is a label map (voxel = segment number) on the grid
of its source images when they are among the inputs, else on the grid its frames span
(:func:`dicomforge.seg.read.label_volume`)."""

from __future__ import annotations

from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

__all__ = ["read"]


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False,
         budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """The label map of Segmentation *item*."""
    from dicomforge.seg.read import label_volume

    return label_volume(item.complete(), partners, header_only=header_only, budget=budget)
