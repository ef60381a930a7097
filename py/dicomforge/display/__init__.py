"""The DICOM grey-scale display pipeline: Modality LUT -> VOI LUT -> Presentation LUT.

Stored values go through (PS3.3 C.11, figure C.11-1):

1. the Modality LUT (C.11.1): (0028,1053) *Rescale Slope* / (0028,1052) *Rescale
   Intercept*, or the (0028,3000) *Modality LUT Sequence* table;
2. the VOI LUT (C.11.2): a window (0028,1050) *Window Center* / (0028,1051) *Window
   Width* with the (0028,1056) *VOI LUT Function* LINEAR, LINEAR_EXACT or SIGMOID, or a
   (0028,3010) *VOI LUT Sequence* table; a min/max window when the file has neither;
3. the presentation: MONOCHROME1 and (2050,0020) *Presentation LUT Shape* INVERSE
   invert the grey scale.

Everything is folded into one 8-bit table over the frame's range of stored values
(:func:`~.lut.display_lut`): ``lut[v - min]`` is the grey level of stored value *v*. The page
applies that table itself, so dragging the window only rebuilds the table (a few
thousand entries), never touches the pixels. :func:`~.render.render` applies it here, through
:mod:`dicomforge.kernels`, for PNG export and tests; overlays (60xx, via
:func:`dicomforge.overlays.read_overlays`) are drawn on top in colour.

Linear windows on 16-bit data are computed in fixed point (1/64 grey level, the
grey level of ``y`` is ``floor(y + 1/2)``) as ``high[H] + low[L]`` of the raw high
and low byte: the table and the rendered pixels agree exactly, the result is within
one grey level of the real-valued formula, and the standard-library backend can
apply it to all pixels at once (:func:`kernels.apply_split_lut`).

Modules: :mod:`.presets` (the named windows and overlay colours), :mod:`.frame` (a decoded
frame and its display parameters), :mod:`.lut` (the table for one window), :mod:`.render`
(RGBA with overlays). The preview and render jobs (:mod:`dicomforge.jobs.preview`) drive them.

Import from the modules: the package itself imports none of them, so that a job's registry
entry (:mod:`dicomforge.jobs`) can name its options without loading what the job runs.
"""
