"""python -m dicomforge convert: files written under their names, error lines, exit codes; inputs untouched."""

from __future__ import annotations

import hashlib

import pydicom

from codec_cases import compressed_files
from dicomforge import cli


def test_bad_first_input_then_the_rest(tmp_path, capsys):
    """A failing first input is one error line; the others are still converted (exit 2)."""
    bad = tmp_path / "notes.dcm"
    bad.write_bytes(b"not a dicom file at all")
    good = [compressed_files()[n] for n in ("MR_small_jp2klossless.dcm", "htj2k_mr_small.dcm")]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (bad, *good)}
    out = tmp_path / "out"
    code = cli.main(["convert", str(bad), *map(str, good), "-o", str(out), "--to", "rle"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("error: ") == 1 and f"error: {bad}: not a DICOM file" in captured.err
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["MR_small_jp2klossless.dcm", "htj2k_mr_small.dcm"]
    lines = captured.out.strip().splitlines()
    assert lines == [f"{good[0]}: JPEG 2000 Image Compression (Lossless Only) -> RLE Lossless, "
                     f"{(out / good[0].name).stat().st_size} bytes -> {out}",
                     f"{good[1]}: High-Throughput JPEG 2000 Image Compression (Lossless Only) -> RLE Lossless, "
                     f"{(out / good[1].name).stat().st_size} bytes -> {out}"]
    for path in good:
        assert pydicom.dcmread(out / path.name).file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.5"
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (bad, *good)}


def test_unknown_target_is_refused(tmp_path, capsys):
    code = cli.main(["convert", str(compressed_files()["htj2k_rgb.dcm"]), "-o", str(tmp_path), "--to", "jpeg"])
    assert code == 2
    assert "to must be one of explicit, implicit, deflated, rle, got 'jpeg'" in capsys.readouterr().err
