"""Volume -> DICOM series: one Part 10 file per slice, written lazily.

- :mod:`.options`: what the user chooses (:class:`SeriesOptions`) and its checks;
- :mod:`.pixels`: how voxels become Pixel Data (stored type, rescale, window);
- :mod:`.template`: the dataset every file shares;
- :mod:`.plan`: everything decided before the first file, then one file per slice.

The series job (:mod:`dicomforge.jobs.series`) drives them.

Import from the modules: the package itself imports none of them, so that a job's registry
entry (:mod:`dicomforge.jobs`) can name its options without loading what the job runs.
"""
