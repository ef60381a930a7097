"""Volume -> DICOM series: one Part 10 file per slice, written lazily.

- :mod:`.options`: what the user chooses (:class:`SeriesOptions`) and its checks;
- :mod:`.pixels`: how voxels become Pixel Data (stored type, rescale, window);
- :mod:`.template`: the dataset every file shares;
- :mod:`.plan`: everything decided before the first file, then one file per slice.

The series job (:mod:`dicomforge.jobs.series`) drives them.
"""

from dicomforge.dicom.encode import format_ds

from .options import SeriesOptions
from .pixels import SOP_CLASSES
from .plan import SeriesPlan, plan_series, write_series

__all__ = ["SeriesOptions", "SeriesPlan", "plan_series", "write_series", "format_ds", "SOP_CLASSES"]
