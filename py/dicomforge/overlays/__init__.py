"""Overlay planes (PS3.3 C.9.2): reading them back, and burning masks into existing files.

- :mod:`.planes`: the planes a file has (:func:`read_overlays`, :func:`describe_overlays`);
- :mod:`.options`: what the user chooses (:class:`OverlayOptions`) and one new plane's mask;
- :mod:`.write`: new planes spliced into the file's bytes, existing ones removed;
- :mod:`.labels`: a label map on the series' grid, matched to each file by geometry.

The overlay job (:mod:`dicomforge.jobs.overlay`) drives them.

Import from the modules: the package itself imports none of them, so that a job's registry
entry (:mod:`dicomforge.jobs`) can name its options without loading what the job runs.
"""
