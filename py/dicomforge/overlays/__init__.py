"""Overlay planes (PS3.3 C.9.2): reading them back, and burning masks into existing files.

- :mod:`.planes`: the planes a file has (:func:`read_overlays`, :func:`describe_overlays`);
- :mod:`.options`: what the user chooses (:class:`OverlayOptions`) and one new plane's mask;
- :mod:`.write`: new planes spliced into the file's bytes, existing ones removed;
- :mod:`.labels`: a label map on the series' grid, matched to each file by geometry.

The overlay job (:mod:`dicomforge.jobs.overlay`) drives them.
"""

from dicomforge.dicom.tags import OVERLAY_GROUPS

from .labels import LabelMatcher, add_label_overlays
from .options import SERIES_SUFFIX, MaskPlane, OverlayOptions
from .planes import OverlayPlane, describe_overlays, read_overlays
from .write import add_overlays, remove_overlays

__all__ = [
    "OVERLAY_GROUPS", "SERIES_SUFFIX", "OverlayPlane", "read_overlays", "describe_overlays", "MaskPlane",
    "OverlayOptions", "add_overlays", "remove_overlays", "LabelMatcher", "add_label_overlays",
]
