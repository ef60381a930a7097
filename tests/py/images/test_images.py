"""dicomforge.images: image bytes -> DecodedImage -> Secondary Capture, checked against Pillow's
decoding, pydicom's reading, dciodvfy (dicom3tools) and dcmftest (dcmtk)."""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

import pytest
from dicomforge.errors import (
    DicomForgeError,
    InputError,
    OptionsError,
    UnsupportedError,
)
from dicomforge.images import DecodedImage, decode_image, is_grey, secondary_capture
from pydicom import dcmread
from pydicom.dataset import Dataset

Image = pytest.importorskip("PIL.Image")

SC = "1.2.840.10008.5.1.4.1.1.7"
W, H = 37, 23  # odd sizes: partial Adam7 blocks, odd row lengths, padded bit rows


def tool(name: str) -> str:
    """Path of an external program: on PATH or beside this Python (a virtualenv's bin)."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.skip(f"{name} is not installed here")
    return found


def noise(mode: str, size=(W, H), seed: int = 0):
    """A Pillow image of random pixels in *mode*."""
    rng = random.Random(seed)
    if mode == "I;16":
        image = Image.new("I;16", size)
        image.putdata([rng.randrange(65536) for _ in range(size[0] * size[1])])
        return image
    bands = [Image.frombytes("L", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1])))
             for _ in range(len(mode) if mode in ("LA", "RGB", "RGBA") else 1)]
    if mode == "P":
        return Image.merge("RGB", bands * 3 if len(bands) == 1 else bands).quantize(50)
    return Image.merge(mode, bands) if len(bands) > 1 else bands[0].convert(mode)


def saved(image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def pillow_pixels(data: bytes) -> bytes:
    """What Pillow decodes, alpha dropped and palette expanded as decode_image does."""
    image = Image.open(io.BytesIO(data))
    target = {"1": "L", "LA": "L", "RGBA": "RGB", "P": "RGB", "PA": "RGB"}.get(image.mode)
    return (image.convert(target) if target else image).tobytes()


# -- a PNG writer of every filter, bit depth and interlacing (the test's own, slow and plain) --


def _predict(kind, a, b, c):
    if kind == 0:
        return 0
    if kind == 1:
        return a
    if kind == 2:
        return b
    if kind == 3:
        return (a + b) // 2
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _pack(samples: list, depth: int) -> bytes:
    """One row of samples as PNG stores it: big-endian 16-bit, or packed high bits first."""
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in samples)
    if depth == 8:
        return bytes(samples)
    per, out = 8 // depth, bytearray()
    for i in range(0, len(samples), per):
        group = samples[i : i + per] + [0] * (per - len(samples[i : i + per]))
        out.append(sum(v << (8 - depth * (j + 1)) for j, v in enumerate(group)))
    return bytes(out)


def make_png(rows: list, width: int, colour: int, depth: int, channels: int, filters=(0, 1, 2, 3, 4),
             interlace: bool = False, palette: bytes = b"", trns: bytes = b"") -> bytes:
    """A PNG of *rows* (lists of samples), row y filtered with filters[y % len(filters)]."""
    bpp = max(1, channels * depth // 8)
    passes = ([(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
              if interlace else [(0, 0, 1, 1)])
    raw, count = bytearray(), 0
    for x0, y0, dx, dy in passes:
        prior = None
        for y in range(y0, len(rows), dy):
            pixels = [rows[y][x * channels : (x + 1) * channels] for x in range(x0, width, dx)]
            if not pixels:
                break
            line = _pack([v for p in pixels for v in p], depth)
            prior = prior or bytes(len(line))
            kind = filters[count % len(filters)]
            count += 1
            raw.append(kind)
            raw += bytes((line[i] - _predict(kind, line[i - bpp] if i >= bpp else 0, prior[i],
                                             prior[i - bpp] if i >= bpp else 0)) & 255 for i in range(len(line)))
            prior = line

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, len(rows), depth, colour, 0, 0, int(interlace))
    extra = (chunk(b"PLTE", palette) if palette else b"") + (chunk(b"tRNS", trns) if trns else b"")
    body = zlib.compress(bytes(raw))
    idat = chunk(b"IDAT", body[:10]) + chunk(b"IDAT", body[10:])  # split: IDATs are one stream
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + idat + chunk(b"IEND", b"")


def plain_png(width, height, colour, depth, idat: bytes) -> bytes:
    """A PNG of IHDR, one IDAT of the bytes given and IEND (CRCs zero: they are not checked)."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"".join([b"\x89PNG\r\n\x1a\n", struct.pack(">I", 13), b"IHDR", header, bytes(4),
                     struct.pack(">I", len(idat)), b"IDAT", idat, bytes(4), bytes(4), b"IEND", bytes(4)])


def random_rows(width, height, channels, depth, seed=1, top=None):
    rng = random.Random(seed)
    top = top if top is not None else (1 << depth) - 1
    return [[rng.randint(0, top) for _ in range(width * channels)] for _ in range(height)]


def expected(rows, channels, depth, palette=b""):
    """decode_image's pixels for *rows*: alpha dropped, palette expanded, grey scaled, 16-bit LE."""
    keep = channels - 1 if channels in (2, 4) else channels
    out = bytearray()
    for row in rows:
        for x in range(len(row) // channels):
            for v in row[x * channels : x * channels + keep]:
                if palette:
                    out += palette[3 * v : 3 * v + 3]
                elif depth == 16:
                    out += struct.pack("<H", v)
                else:
                    out.append(v * 255 // ((1 << depth) - 1))
    return bytes(out)


@pytest.fixture
def no_pillow(monkeypatch):
    """``import PIL`` fails, as in the browser's Pyodide."""
    for module in ("PIL", "PIL.Image", "PIL.ImageOps"):
        monkeypatch.setitem(sys.modules, module, None)


class TestPngAgainstPillow:
    @pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "P", "1", "I;16"])
    @pytest.mark.parametrize("hidden", [False, True], ids=["pillow-present", "pillow-hidden"])
    def test_pillow_written(self, request, mode, hidden):
        """Files Pillow writes decode to Pillow's own pixels, with or without Pillow importable."""
        data = saved(noise(mode))
        want = pillow_pixels(data)
        if hidden:
            request.getfixturevalue("no_pillow")
        image = decode_image(data, "x.png")
        assert (image.width, image.height, image.source) == (W, H, "png")
        assert image.samples == (3 if mode in ("RGB", "RGBA", "P") else 1)
        assert image.bits == (16 if mode == "I;16" else 8)
        assert image.had_alpha == (mode in ("LA", "RGBA"))
        assert image.pixels == want

    def test_palette_with_transparency(self):
        """A palette with tRNS: alpha dropped, had_alpha set, colours kept."""
        data = saved(noise("P"), transparency=3)
        image = decode_image(data, "x.png")
        assert image.had_alpha and image.pixels == pillow_pixels(data)

    def test_opaque_alpha_is_no_alpha(self):
        """An alpha channel that is 255 everywhere is not reported."""
        image = noise("RGB").convert("RGBA")
        assert decode_image(saved(image), "x.png").had_alpha is False

    @pytest.mark.parametrize("colour,depth,channels", [(0, 8, 1), (2, 8, 3), (6, 8, 4), (0, 1, 1), (3, 4, 1),
                                                       (0, 16, 1), (4, 8, 2)])
    def test_interlaced(self, colour, depth, channels):
        """Adam7-interlaced files (Pillow cannot write them, it reads them) match Pillow."""
        palette = bytes(random.Random(5).randrange(256) for _ in range(48)) if colour == 3 else b""
        rows = random_rows(W, H, channels, depth, top=15 if colour == 3 else None)
        data = make_png(rows, W, colour, depth, channels, interlace=True, palette=palette)
        image = decode_image(data, "i.png")
        assert image.pixels == expected(rows, channels, depth, palette)
        if depth != 16:
            assert image.pixels == pillow_pixels(data)
        else:
            assert image.pixels == Image.open(io.BytesIO(data)).tobytes()


class TestPngStdlib:
    @pytest.mark.parametrize("colour,depth,channels", [
        (0, 1, 1), (0, 2, 1), (0, 4, 1), (0, 8, 1), (0, 16, 1), (2, 8, 3), (2, 16, 3),
        (3, 1, 1), (3, 2, 1), (3, 8, 1), (4, 8, 2), (4, 16, 2), (6, 8, 4), (6, 16, 4)])
    @pytest.mark.parametrize("interlace", [False, True])
    def test_every_filter_and_depth(self, no_pillow, colour, depth, channels, interlace):
        """Every colour type and bit depth, rows filtered with each of the 5 filters, decode exactly."""
        top = min((1 << depth) - 1, 40) if colour == 3 else None
        palette = bytes(random.Random(2).randrange(256) for _ in range(3 * 41)) if colour == 3 else b""
        rows = random_rows(W, H, channels, depth, seed=colour * 100 + depth, top=top)
        data = make_png(rows, W, colour, depth, channels, interlace=interlace, palette=palette)
        image = decode_image(data, "f.png")
        assert image.samples == (3 if colour in (2, 3, 6) else 1)
        assert image.bits == (16 if depth == 16 else 8)
        assert image.pixels == expected(rows, channels, depth, palette)

    def test_tiny_interlaced(self, no_pillow):
        """A 1x1 and a 3x2 interlaced image: most Adam7 passes are empty."""
        for width, height in ((1, 1), (3, 2)):
            rows = random_rows(width, height, 3, 8)
            image = decode_image(make_png(rows, width, 2, 8, 3, interlace=True), "t.png")
            assert image.pixels == expected(rows, 3, 8)


class TestOtherFormats:
    def test_pam_rgba(self, no_pillow):
        """A PAM RGB_ALPHA (what the page hands over from a canvas) decodes, alpha dropped."""
        rng = random.Random(3)
        rgba = bytes(rng.randrange(256) for _ in range(W * H * 4))
        head = f"P7\nWIDTH {W}\nHEIGHT {H}\nDEPTH 4\nMAXVAL 255\n# a comment\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
        image = decode_image(head.encode() + rgba, "canvas.pam")
        want = b"".join(rgba[i : i + 3] for i in range(0, len(rgba), 4))
        assert (image.width, image.height, image.samples, image.bits, image.source) == (W, H, 3, 8, "pam")
        assert image.pixels == want and image.had_alpha

    def test_pam_grey16(self):
        """PAM GRAYSCALE with MAXVAL 65535: big-endian in, little-endian out."""
        data = b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 1\nMAXVAL 65535\nTUPLTYPE GRAYSCALE\nENDHDR\n\x01\x02\xff\x00"
        image = decode_image(data, "g.pam")
        assert (image.bits, image.pixels) == (16, b"\x02\x01\x00\xff")

    @pytest.mark.parametrize("mode,fmt", [("L", "PPM"), ("RGB", "PPM")])
    def test_pgm_ppm(self, mode, fmt):
        """Pillow's P5 and P6 files decode to its pixels."""
        data = saved(noise(mode), fmt)
        assert decode_image(data, "n.pnm").pixels == noise(mode).tobytes()

    def test_pgm_with_comment_16bit(self):
        """A P5 header with a comment, MAXVAL 65535."""
        image = decode_image(b"P5\n# made by hand\n2 1\n65535\n\x00\x10\x12\x34", "c.pgm")
        assert (image.samples, image.bits, image.pixels) == (1, 16, b"\x10\x00\x34\x12")

    @pytest.mark.parametrize("mode", ["L", "RGB"])
    def test_jpeg(self, mode):
        """JPEG grey and colour decode to Pillow's pixels (both decode with libjpeg here)."""
        data = saved(noise(mode), "JPEG", quality=80)
        image = decode_image(data, "photo.jpg")
        assert (image.samples, image.bits, image.source) == (len(mode), 8, "jpeg")
        assert image.pixels == Image.open(io.BytesIO(data)).tobytes()

    def test_jpeg_exif_orientation(self):
        """A JPEG tagged 'rotate 90 CW' (EXIF Orientation 6) comes out upright, as browsers show it."""
        exif = Image.Exif()
        exif[0x0112] = 6
        image = decode_image(saved(noise("RGB"), "JPEG", exif=exif), "phone.jpg")
        assert (image.width, image.height) == (H, W)

    def test_gif_through_pillow(self):
        """Other formats Pillow reads (here GIF) come out as Pillow decodes them."""
        data = saved(noise("P"), "GIF")
        image = decode_image(data, "anim.gif")
        assert (image.source, image.samples) == ("gif", 3) and image.pixels == pillow_pixels(data)

    def test_jpeg_without_pillow(self, request):
        """Without Pillow a JPEG is refused in words that say what to do."""
        data = saved(noise("RGB"), "JPEG")
        request.getfixturevalue("no_pillow")
        with pytest.raises(UnsupportedError, match="JPEG images need Pillow") as info:
            decode_image(data, "photo.jpg")
        assert info.value.file == "photo.jpg"

    def test_kind_by_magic_not_name(self):
        """A PNG named .jpg is read as PNG."""
        assert decode_image(saved(noise("L")), "wrong.jpg").source == "png"


class TestErrors:
    def test_truncated_png(self, request):
        """A PNG cut in half names the chunk and the file."""
        data = saved(noise("RGB"))
        request.getfixturevalue("no_pillow")
        with pytest.raises(InputError, match="truncated") as info:
            decode_image(data[: len(data) // 2], "cut.png")
        assert info.value.file == "cut.png"

    def test_truncated_zlib_stream(self):
        """IDAT that ends early (chunks intact): the zlib stream is cut off."""
        body = zlib.compress(bytes(random.Random(4).randrange(256) for _ in range(H * (W + 1))))
        with pytest.raises(InputError, match=r"image data is cut off after \d+ of the \d+ bytes") as info:
            decode_image(plain_png(W, H, 0, 8, body[: len(body) // 2]), "short.png")
        assert info.value.file == "short.png"

    def test_damaged_zlib(self):
        """Garbage in IDAT is reported as damaged data."""
        with pytest.raises(InputError, match="damaged"):
            decode_image(plain_png(4, 4, 0, 8, b"\x78\x9c\xff\xff\xff\xff"), "bad.png")

    def test_wrong_ihdr(self):
        """Colour type 2 at bit depth 4 does not exist."""
        with pytest.raises(InputError, match="colour type 2 with bit depth 4"):
            decode_image(plain_png(4, 4, 2, 4, zlib.compress(bytes(4 * 7))), "ihdr.png")

    def test_bad_filter_type(self):
        """A row filter type of 7 is named."""
        with pytest.raises(InputError, match="row 1 has filter type 7"):
            decode_image(plain_png(4, 2, 0, 8, zlib.compress(bytes(5) + b"\x07" + bytes(4))), "filter.png")

    @pytest.mark.parametrize("data,words", [(b"", "empty"), (b"hello, world", "not an image"),
                                            (b"P5\n0 4\n255\n", "0x4"),
                                            (bytes(128) + b"DICM" + bytes(8), "DICOM file already")])
    def test_not_an_image(self, data, words):
        """Empty, foreign and zero-size inputs: an InputError naming the file."""
        with pytest.raises(InputError, match=words) as info:
            decode_image(data, "thing.bin")
        assert info.value.file == "thing.bin"

    def test_zero_width_png(self):
        """IHDR with a width of 0."""
        data = bytearray(saved(noise("L")))
        data[16:20] = b"\0\0\0\0"
        with pytest.raises(InputError, match="0x23"):
            decode_image(bytes(data), "zero.png")

    @pytest.mark.parametrize("fmt", ["PNG", "PPM", "JPEG"])
    def test_over_budget(self, fmt):
        """An image larger than the budget is refused before its pixels are decoded."""
        with pytest.raises(InputError, match=r"needs 2553 bytes, over the memory budget of 1000") as info:
            decode_image(saved(noise("RGB"), fmt), "big.img", budget=1000)
        assert info.value.file == "big.img"

    def test_pam_truncated(self):
        """PAM raster shorter than its header says."""
        with pytest.raises(InputError, match="has 3 bytes.*needs 8"):
            decode_image(b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\nabc", "p.pam")

    def test_unsupported_maxval(self):
        """MAXVAL 4095 is refused, not rescaled."""
        with pytest.raises(UnsupportedError, match="MAXVAL is 4095"):
            decode_image(b"P5 1 1 4095\n\0\1", "m.pgm")


# -- Secondary Capture -----------------------------------------------------------------------


def grey16(width=W, height=H) -> DecodedImage:
    return decode_image(saved(noise("I;16", (width, height))), "grey16.png")


def read(data: bytes):
    return dcmread(io.BytesIO(data))


def pixel_data(ds) -> bytes:
    raw = ds.PixelData
    need = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated // 8
    assert len(raw) in (need, need + 1)
    return raw[:need]


class TestSecondaryCapture:
    @pytest.mark.parametrize("mode", ["L", "I;16", "RGB"])
    def test_pixels_round_trip(self, mode):
        """pydicom reads back the image's pixels and the SC Image Storage attributes."""
        image = decode_image(saved(noise(mode)), "in/scan.v2.png")
        ds = read(secondary_capture(image, "in/scan.v2.png", patient_name="Doe^Jane", patient_id="P1"))
        assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
        assert ds.SOPClassUID == SC == ds.file_meta.MediaStorageSOPClassUID
        assert ds.SOPInstanceUID == ds.file_meta.MediaStorageSOPInstanceUID
        assert (ds.Rows, ds.Columns, ds.BitsAllocated, ds.ConversionType, ds.Modality) == (H, W, image.bits, "WSD", "OT")
        assert ds.PhotometricInterpretation == ("RGB" if mode == "RGB" else "MONOCHROME2")
        assert str(ds.PatientName) == "Doe^Jane" and ds.SeriesDescription == "scan.v2"
        assert pixel_data(ds) == image.pixels

    def test_grey_rgb_becomes_monochrome(self):
        """auto: an RGB image with R = G = B everywhere is stored as one sample, exactly."""
        grey = noise("L")
        image = decode_image(saved(grey.convert("RGB")), "g.png")
        assert image.samples == 3 and is_grey(image)
        ds = read(secondary_capture(image, "g.png"))
        assert (ds.SamplesPerPixel, ds.PhotometricInterpretation) == (1, "MONOCHROME2")
        assert pixel_data(ds) == grey.tobytes()

    def test_forced_monochrome_luma(self):
        """MONOCHROME2 of colour: Rec. 601 luma rounded half up, and a warning."""
        image = DecodedImage(3, 1, 3, 8, bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]), source="png")
        warnings = []
        ds = read(secondary_capture(image, "c.png", photometric="MONOCHROME2", warnings=warnings))
        assert pixel_data(ds) == bytes([76, 150, 29])  # 76.245, 149.685, 29.07
        assert "Rec. 601" in ds.DerivationDescription and any("Rec. 601" in w for w in warnings)

    def test_forced_rgb_of_grey16(self):
        """RGB of a 16-bit grey image repeats each sample."""
        image = DecodedImage(2, 1, 1, 16, b"\x01\x02\x03\x04", source="png")
        ds = read(secondary_capture(image, "g.png", photometric="RGB"))
        assert (ds.SamplesPerPixel, ds.BitsAllocated, ds.PlanarConfiguration) == (3, 16, 0)
        assert pixel_data(ds) == b"\x01\x02" * 3 + b"\x03\x04" * 3

    def test_reference_copies_patient_and_study(self):
        """Patient and study come from the reference; arguments win over it."""
        ref = Dataset()
        ref.PatientName, ref.PatientID, ref.PatientBirthDate, ref.PatientSex = "Roe^Rick", "R9", "19700101", "M"
        ref.StudyInstanceUID, ref.StudyDate, ref.StudyTime = "1.2.3.4", "20200202", "101010"
        ref.StudyID, ref.AccessionNumber, ref.ReferringPhysicianName = "S1", "A7", "Who^Doctor"
        ds = read(secondary_capture(grey16(4, 4), "r.png", reference=ref, patient_id="NEW"))
        assert (str(ds.PatientName), ds.PatientID, ds.PatientBirthDate, ds.PatientSex) == ("Roe^Rick", "NEW",
                                                                                          "19700101", "M")
        assert (ds.StudyInstanceUID, ds.StudyDate, ds.StudyTime, ds.StudyID) == ("1.2.3.4", "20200202", "101010", "S1")
        assert (ds.AccessionNumber, str(ds.ReferringPhysicianName)) == ("A7", "Who^Doctor")

    def test_shared_series(self):
        """Images given one series and study UID share them; each has its own instance."""
        files = [read(secondary_capture(grey16(3, 2), f"{i}.png", series_uid="1.2.3", study_uid="1.2.4",
                                        instance_number=i + 1)) for i in range(2)]
        assert {ds.SeriesInstanceUID for ds in files} == {"1.2.3"}
        assert {ds.StudyInstanceUID for ds in files} == {"1.2.4"}
        assert files[0].SOPInstanceUID != files[1].SOPInstanceUID
        assert [ds.InstanceNumber for ds in files] == [1, 2] and "SeriesDescription" not in files[0]

    def test_jpeg_is_lossy_and_non_ascii_is_utf8(self):
        """A JPEG source says Lossy Image Compression 01; non-ASCII text gets ISO_IR 192."""
        image = decode_image(saved(noise("RGB"), "JPEG"), "p.jpg")
        ds = read(secondary_capture(image, "p.jpg", patient_name="Müller^Jürgen", uid_prefix="1.2.826.0.1."))
        assert (ds.LossyImageCompression, ds.LossyImageCompressionMethod) == ("01", "ISO_10918_1")
        assert ds.SpecificCharacterSet == "ISO_IR 192" and str(ds.PatientName) == "Müller^Jürgen"
        assert ds.SOPInstanceUID.startswith("1.2.826.0.1.")

    def test_bad_options(self):
        """Every bad argument is named, by field, in one OptionsError."""
        with pytest.raises(OptionsError) as info:
            secondary_capture(grey16(2, 2), "o.png", photometric="YBR", series_uid="1.02", modality="ot",
                              instance_number=-2**40, uid_prefix="9")
        assert set(info.value.fields) == {"photometric", "series_uid", "modality", "instance_number", "uid_prefix"}
        assert isinstance(info.value, DicomForgeError) and info.value.file == "o.png"


class TestValidators:
    @pytest.mark.parametrize("mode", ["L", "I;16", "RGB"])
    def test_dciodvfy_no_errors(self, tmp_path, mode):
        """dciodvfy reports no errors for grey 8-bit, grey 16-bit and RGB Secondary Capture."""
        exe = tool("dciodvfy")
        ref = Dataset()
        ref.PatientName, ref.PatientID, ref.StudyInstanceUID = "Doe^Jane", "P1", "1.2.3.4"
        path = tmp_path / "sc.dcm"
        path.write_bytes(secondary_capture(decode_image(saved(noise(mode)), "x.png"), "x.png", reference=ref))
        run = subprocess.run([exe, str(path)], capture_output=True, text=True, check=False)
        errors = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")]
        assert not errors, errors

    def test_dcmftest(self, tmp_path):
        """dcmftest accepts the files as DICOM Part 10."""
        exe = tool("dcmftest")
        paths = []
        for mode in ("L", "I;16", "RGB"):
            paths.append(tmp_path / f"{mode.replace(';', '')}.dcm")
            paths[-1].write_bytes(secondary_capture(decode_image(saved(noise(mode)), "x.png"), "x.png"))
        run = subprocess.run([exe, *map(str, paths)], capture_output=True, text=True, check=False)
        assert run.returncode == 0 and run.stdout.count("yes:") == len(paths), run.stdout
