"""Zarr v3 stores: a volume (and a DICOM series' attributes) in and out, as OME-Zarr 0.5 images.

:mod:`.write` turns a :class:`~dicomforge.volume.Volume` into store entries, :mod:`.read`
a store (:mod:`.store`: a zip or a dropped folder) back into one, :mod:`.reconstruct`
rebuilds the DICOM series a store's attributes describe. The metadata (:mod:`.metadata`,
:mod:`.attributes`), codecs (:mod:`.codecs`, :mod:`.blosc`) and chunk copies
(:mod:`.chunks`) are written here, in pure Python: zarr-python and numcodecs need numpy,
which the browser does not have. zarr-python is the oracle the tests check against.
"""
