"""Named windows and overlay colours: the CT presets offered for CT images, and one colour per overlay group."""

from __future__ import annotations

__all__ = ["FUNCTIONS", "CT_PRESETS", "CT_DEFAULT", "PRESET_ALIASES", "OVERLAY_COLOURS", "colour"]

#: (0028,1056) VOI LUT Function values this module implements (PS3.3 C.11.2.1.3).
FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")

#: Standard CT windows (name, center, width) in Hounsfield units, offered for CT only.
#: Values as in Radiopaedia, "Windowing (CT)" (radiopaedia.org/articles/windowing-ct):
#: brain W:80 L:40, subdural W:215 L:75, stroke W:40 L:40, lungs W:1500 L:-600,
#: mediastinum W:350 L:50, soft tissue (abdomen) W:400 L:40, liver W:160 L:60
#: (Radiopaedia gives W:150 L:30; 160/60 is the common liver setting), bone W:1800 L:400.
CT_PRESETS = (
    ("brain", 40, 80),
    ("subdural", 75, 215),
    ("stroke", 40, 40),
    ("lung", -600, 1500),
    ("mediastinum", 50, 350),
    ("soft tissue", 40, 400),
    ("liver", 60, 160),
    ("bone", 400, 1800),
)

#: The window a CT image opens with when the file gives none: what a radiologist looks at first.
CT_DEFAULT = "soft tissue"
#: Other names a preset answers to (the earlier name of the soft-tissue window).
PRESET_ALIASES = {"abdomen": "soft tissue"}

#: Overlay colours (r, g, b) for groups 6000, 6002, ... 601E, in that order.
OVERLAY_COLOURS = (
    (255, 255, 0), (0, 255, 255), (255, 0, 255), (0, 255, 0),
    (255, 128, 0), (255, 0, 0), (0, 128, 255), (255, 255, 255),
    (128, 255, 0), (255, 0, 128), (0, 255, 128), (128, 0, 255),
    (255, 192, 128), (128, 192, 255), (192, 255, 128), (255, 128, 192),
)


def colour(group: int) -> tuple:
    """The (r, g, b) an overlay group is drawn in."""
    return OVERLAY_COLOURS[((group - 0x6000) // 2) % len(OVERLAY_COLOURS)]
