"""Write 20 hostile files and one good volume for the e2e "garbage batch" test.

Usage: python tests/e2e/make_hostile.py OUTDIR -> prints the file names, one per line
(the good one, ``good.nii.gz``, first). The hostile files come from the fuzz corpus
(tests/py/fuzz_corpus.py): truncations, lies, random bytes, bombs, a missing partner.
"""

import gzip
import sys
from pathlib import Path

import nibabel
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))
import fuzz_corpus  # noqa: E402

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
data = np.random.default_rng(5).integers(-500, 1500, size=(40, 32, 9), dtype=np.int16)
nibabel.save(nibabel.Nifti1Image(data, np.diag([0.9, 0.9, 2.0, 1.0])), out / "good.nii.gz")
names = ["good.nii.gz"]

bombs = {case.name: case for case in fuzz_corpus.bomb_cases()}
hostile = {
    "empty.nii": b"",
    "random.nii": bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8)),
    "random.nrrd": b"NRRD0004\n" + bytes(range(256)) * 4,
    "random.dcm": bytes(128) + b"DICM" + bytes(np.random.default_rng(2).integers(0, 256, 900, dtype=np.uint8)),
    "text.mha": b"ObjectType = Image\nNDims = three\n",
    "truncated.nii": gzip.decompress(gzip.compress(bytes(fuzz_corpus.seeds()[0].files["a.nii"])))[:200],
    "notgzip.nii.gz": b"\x1f\x8b\x08\x00garbage that does not inflate",
    "zero.vtk": b"# vtk DataFile Version 3.0\nx\nBINARY\nDATASET STRUCTURED_POINTS\nDIMENSIONS 0 4 4\n",
    "lonely.mhd": bombs["missing_partner_mhd"].files["k.mhd"],
    "lonely.nhdr": bombs["missing_partner_nhdr"].files["h.nhdr"],
    "lonely.hdr": bombs["missing_partner_hdr"].files["p.hdr"],
    "huge.nii": bombs["bomb_nii_declares_huge"].files["huge.nii"],
    "huge.nrrd": bombs["bomb_nrrd_declares_huge"].files["bomb.nrrd"],
    "huge.mha": bombs["bomb_mha_declares_huge"].files["bomb.mha"],
    "huge.vtk": bombs["bomb_vtk_declares_huge"].files["huge.vtk"],
    "badencoding.nrrd": b"NRRD0004\ntype: short\ndimension: 3\nsizes: 4 4 4\nencoding: zstd\n\n" + bytes(128),
    "nan.nrrd": bombs["nan_geometry"].files["nan.nrrd"],
    "sheared.nrrd": bombs["sheared"].files["shear.nrrd"],
    "noslices.nrrd": bombs["zero_slices"].files["zero.nrrd"],
    "word.docx": b"PK\x03\x04 not a volume at all",
}
assert len(hostile) == 20
for name, content in hostile.items():
    (out / name).write_bytes(content)
    names.append(name)
print("\n".join(names))
