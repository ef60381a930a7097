"""Image files (PNG, JPEG, Netpbm; pixels the browser decoded) -> Secondary Capture DICOM.

- :mod:`.decode`: :func:`decode_image` bytes -> :class:`DecodedImage` (PNG on the standard
  library, JPEG through Pillow where importable, PAM/PGM/PPM);
- :mod:`.capture`: :func:`secondary_capture` DecodedImage -> Part 10 bytes of Secondary
  Capture Image Storage.
"""

from .capture import PHOTOMETRICS, is_grey, secondary_capture, to_grey, to_rgb
from .decode import DecodedImage, decode_image, image_kind

__all__ = ["PHOTOMETRICS", "DecodedImage", "decode_image", "image_kind", "is_grey", "secondary_capture", "to_grey",
           "to_rgb"]
