"""DICOM Segmentation (SEG): out from label maps and editor masks, and back in.

:mod:`.sources` reads the images a segmentation was drawn on (single-frame series, multi-frame
images, 2D images without patient geometry); :mod:`.masks` says which of their pixels belong to
each segment (a label map matched by geometry as the overlay job matches it, or masks per SOP
Instance UID); :mod:`.write` makes the BINARY or LABELMAP object (:mod:`.frames` encodes its
frames, :mod:`.codes` gives segments their SNOMED codes and colours); :mod:`.read` reads any
Segmentation back: segments, per-frame masks, a label map on the images' grid. Hand-written
(highdicom needs numpy, which the browser does not have); dciodvfy, highdicom and dcmqi are the
oracles of ``tests/py/seg``.
"""
