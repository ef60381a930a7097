"""Write the volumes the e2e tests drop: a NIfTI (nibabel) and an .mhd + .raw pair (SimpleITK).

Usage: python tests/e2e/make_volumes.py OUTDIR  -> prints the file names, one per line.
"""

import sys
from pathlib import Path

import nibabel
import numpy as np
import SimpleITK as sitk

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)

data = rng.integers(-1000, 2000, size=(64, 48, 12), dtype=np.int16)
affine = np.array([[-0.8, 0, 0, 10], [0, 0.9, 0, -20], [0, 0, 2.5, 30], [0, 0, 0, 1]])
nibabel.save(nibabel.Nifti1Image(data, affine), out / "head.nii.gz")

image = sitk.GetImageFromArray(rng.integers(0, 4000, size=(10, 40, 50), dtype=np.uint16))
image.SetSpacing((0.7, 0.6, 3.0))
image.SetOrigin((-5.0, 12.5, 40.0))
sitk.WriteImage(image, str(out / "phantom.mhd"))
for name in ("head.nii.gz", "phantom.mhd", "phantom.raw"):
    print(name)
