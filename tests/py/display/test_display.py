"""Tests for dicomforge.display: the LUT pipeline against PS3.3 and pydicom, render, job."""

import math
import struct
import warnings

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge import kernels
from dicomforge.display.frame import prepare_frame
from dicomforge.display.lut import display_lut
from dicomforge.display.presets import CT_PRESETS
from dicomforge.display.render import render
from dicomforge.errors import DicomForgeError, InputError, OptionsError

CT_SMALL = "CT_small.dcm"
MR_SMALL = "MR_small.dcm"
OVERLAY = "examples_overlay.dcm"


def _ds(values, rows, columns, *, signed=True, stored=16, modality="CT", photometric="MONOCHROME2", **extra):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Modality = modality
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, stored, stored - 1
    ds.PixelRepresentation = int(signed)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    for key, value in extra.items():
        setattr(ds, key, value)
    ds.PixelData = struct.pack(f"<{len(values)}{'h' if signed else 'H'}", *values)
    ds["PixelData"].VR = "OW"
    return ds


def _ramp_ds(lo=-1024, hi=3071, **extra):
    values = list(range(lo, hi + 1))
    return _ds(values, 1, len(values), **extra)


def _testfile(name):
    return pydicom.dcmread(get_testdata_file(name))


def _reference_greys(ds, index=0, voi=True):
    """pydicom's apply_modality_lut + apply_voi_lut, mapped to 0-255 as pydicom's range says."""
    np = pytest.importorskip("numpy")
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = ds.pixel_array
    out = apply_modality_lut(arr, ds)
    if "VOILUTSequence" in ds:
        bits = ds.VOILUTSequence[index].LUTDescriptor[2]
        y = apply_voi_lut(out, ds, index=index).astype(float)
        return np.clip(np.floor(y * 255 / (2**bits - 1) + 0.5), 0, 255)
    y = apply_voi_lut(out, ds, index=index).astype(float)
    if "ModalityLUTSequence" in ds:
        y_min, y_max = 0, 2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
    elif ds.PixelRepresentation == 0:
        y_min, y_max = 0, 2**ds.BitsStored - 1
    else:
        y_min, y_max = -(2 ** (ds.BitsStored - 1)), 2 ** (ds.BitsStored - 1) - 1
    if "RescaleSlope" in ds and "RescaleIntercept" in ds:
        y_min, y_max = y_min * ds.RescaleSlope + ds.RescaleIntercept, y_max * ds.RescaleSlope + ds.RescaleIntercept
    return np.clip(np.floor((y - y_min) * 255 / (y_max - y_min) + 0.5), 0, 255)


def _greys(ds, **kwargs):
    np = pytest.importorskip("numpy")
    shown = render(ds, overlays=False, **kwargs)
    return np.frombuffer(shown.rgba, np.uint8)[0::4].reshape(shown.height, shown.width).astype(float)


class TestDisplayLut:
    def test_linear_formula(self):
        """LINEAR uses C.11.2.1.2.1 with -0.5 and width-1: c=0.5, w=2 puts 0 at mid-grey."""
        fr = prepare_frame(_ramp_ds(-2, 3))
        assert display_lut(fr, 0.5, 2) == bytes([0, 0, 128, 255, 255, 255])

    def test_linear_not_naive(self):
        """c=100, w=11: x <= 94.5 -> 0, x > 104.5 -> 255, 100 -> 0.55 * 255 (naive: 0.5)."""
        fr = prepare_frame(_ramp_ds(90, 110))
        lut = display_lut(fr, 100, 11)
        assert lut[94 - 90] == 0 and lut[105 - 90] == 255
        assert lut[100 - 90] == 140
        assert lut[95 - 90] == math.floor(((95 - 99.5) / 10 + 0.5) * 255 + 0.5)

    def test_linear_exact(self):
        """LINEAR_EXACT (C.11.2.1.3.2): ((x - c) / w + 0.5) * 255, no 0.5 terms."""
        fr = prepare_frame(_ramp_ds(90, 110))
        lut = display_lut(fr, 100, 10, "LINEAR_EXACT")
        assert lut[95 - 90] == 0 and lut[100 - 90] == 128 and lut[105 - 90] == 255
        assert lut[98 - 90] == math.floor((-2 / 10 + 0.5) * 255 + 0.5)

    def test_sigmoid(self):
        """SIGMOID (C.11.2.1.3.1): 255 / (1 + exp(-4 (x - c) / w))."""
        fr = prepare_frame(_ramp_ds(0, 400))
        lut = display_lut(fr, 200, 100, "SIGMOID")
        for x in (0, 150, 200, 230, 400):
            assert lut[x] == math.floor(255 / (1 + math.exp(-4 * (x - 200) / 100)) + 0.5)

    def test_rescale(self):
        """The window is in modality units: slope 2, intercept -1000."""
        fr = prepare_frame(_ramp_ds(0, 1000, RescaleSlope=2, RescaleIntercept=-1000))
        lut = display_lut(fr, 0, 101)
        for v in range(0, 1001):
            y = ((2 * v - 1000 + 0.5) / 100 + 0.5) * 255
            assert abs(lut[v] - min(max(math.floor(y + 0.5), 0), 255)) <= (1 if 0 < y < 255 else 0)

    def test_length_and_offset(self):
        """One entry per stored value from the frame's minimum to its maximum."""
        fr = prepare_frame(_ramp_ds(-1024, 3071))
        assert (fr.minimum, fr.maximum, fr.lut_offset) == (-1024, 3071, -1024)
        assert len(display_lut(fr, 40, 400)) == 4096

    def test_info_dict_equals_frame(self):
        """The JSON-ready info gives the same table as the Frame."""
        fr = prepare_frame(_ramp_ds(-1024, 3071, RescaleIntercept=-24, RescaleSlope=1))
        for window in [(40, 400, "LINEAR"), (40, 4000, "LINEAR"), (0, 700, "SIGMOID"), (10, 5, "LINEAR_EXACT")]:
            assert display_lut(fr.info(), *window) == display_lut(fr, *window)

    def test_monochrome1_inverted(self):
        """MONOCHROME1 maps the same window to 255 - grey."""
        plain = prepare_frame(_ramp_ds(-1024, 3071))
        inverse = prepare_frame(_ramp_ds(-1024, 3071, photometric="MONOCHROME1"))
        for window in [(40, 400), (500, 4000)]:
            assert display_lut(inverse, *window) == bytes(255 - g for g in display_lut(plain, *window))

    def test_presentation_lut_inverse(self):
        """Presentation LUT Shape INVERSE inverts MONOCHROME2 (once, not twice with MONOCHROME1)."""
        plain = display_lut(prepare_frame(_ramp_ds(0, 100)), 50, 50)
        inverse = display_lut(prepare_frame(_ramp_ds(0, 100, PresentationLUTShape="INVERSE")), 50, 50)
        both = display_lut(prepare_frame(_ramp_ds(0, 100, PresentationLUTShape="INVERSE", photometric="MONOCHROME1")), 50, 50)
        assert inverse == both == bytes(255 - g for g in plain)

    def test_modality_lut_sequence(self):
        """Modality LUT Sequence: clamped below the first mapped value and past the end."""
        item = Dataset()
        item.LUTDescriptor = [4, 2, 16]
        item.LUTData = [0, 1000, 2000, 3000]
        ds = _ramp_ds(0, 7, signed=False)
        ds.ModalityLUTSequence = [item]
        fr = prepare_frame(ds)
        lut = display_lut(fr, 1500, 3001, "LINEAR_EXACT")
        assert lut[0] == lut[1] == lut[2]  # values 0, 1, 2 -> entry 0
        assert lut[5] == lut[6] == lut[7]  # 5.. -> last entry
        assert lut[2] < lut[3] < lut[4] < lut[5]

    def test_voi_lut_table(self):
        """VOI LUT Sequence tables are scaled from their bit depth to 8 bits."""
        item = Dataset()
        item.LUTDescriptor = [3, 10, 12]
        item.LUTData = [0, 2048, 4095]
        ds = _ramp_ds(8, 14, signed=False)
        ds.VOILUTSequence = [item]
        fr = prepare_frame(ds)
        assert display_lut(fr, voi=0) == bytes([0, 0, 0, 128, 255, 255, 255])

    def test_zero_width(self):
        """A zero window width is refused in words."""
        fr = prepare_frame(_ramp_ds(0, 10))
        with pytest.raises(InputError, match="Window Width is 0"):
            display_lut(fr, 5, 0)
        with pytest.raises(InputError, match="greater than 0"):
            display_lut(fr, 5, 0, "SIGMOID")


class TestAgainstPydicom:
    @pytest.mark.parametrize("function", ["LINEAR", "LINEAR_EXACT", "SIGMOID"])
    @pytest.mark.parametrize("window", [(40, 400), (-600, 1500), (300, 5), (1000, 8000)])
    def test_functions(self, function, window):
        """Each VOI LUT function matches pydicom's apply_voi_lut within one grey level."""
        np = pytest.importorskip("numpy")
        ds = _ramp_ds(-2048, 3071, RescaleSlope=1, RescaleIntercept=-1024)
        ds.WindowCenter, ds.WindowWidth = window
        ds.VOILUTFunction = function
        assert np.abs(_greys(ds) - _reference_greys(ds)).max() <= 1

    @pytest.mark.parametrize("name", [CT_SMALL, MR_SMALL, "MR_small_bigendian.dcm", "MR_small_RLE.dcm", OVERLAY])
    def test_files(self, name):
        """pydicom's test files with their own (or an added) window, within one grey level."""
        np = pytest.importorskip("numpy")
        ds = _testfile(name)
        if "WindowCenter" not in ds:
            ds.WindowCenter, ds.WindowWidth = 40, 400
        if ds["WindowCenter"].VM > 1:
            ds.WindowCenter, ds.WindowWidth = ds.WindowCenter[0], ds.WindowWidth[0]
        assert np.abs(_greys(ds) - _reference_greys(ds)).max() <= 1

    def test_voi_lut_sequence(self):
        """A 16-bit VOI LUT table as pydicom applies it."""
        np = pytest.importorskip("numpy")
        item = Dataset()
        item.LUTDescriptor = [256, 1000, 16]
        item.LUTData = [int(65535 * (i / 255) ** 0.5) for i in range(256)]
        ds = _ramp_ds(900, 1400, signed=False)
        ds.VOILUTSequence = [item]
        assert np.abs(_greys(ds) - _reference_greys(ds)).max() <= 1

    def test_modality_lut_sequence(self):
        """A Modality LUT table then a window, as pydicom applies them."""
        np = pytest.importorskip("numpy")
        item = Dataset()
        item.LUTDescriptor = [512, 0, 16]
        item.LUTData = [min(4095, i * 9) for i in range(512)]
        ds = _ramp_ds(0, 600, signed=False, WindowCenter=2000, WindowWidth=3000)
        ds.ModalityLUTSequence = [item]
        assert np.abs(_greys(ds) - _reference_greys(ds)).max() <= 1


class TestPresets:
    def test_ct_only(self):
        """CT presets are offered for CT, not for MR."""
        ct = [p["name"] for p in prepare_frame(_testfile(CT_SMALL)).presets]
        mr = [p["name"] for p in prepare_frame(_testfile(MR_SMALL)).presets]
        assert [name for name, _, _ in CT_PRESETS] == [n for n in ct if n in dict((c[0], 1) for c in CT_PRESETS)]
        assert not set(mr) & {name for name, _, _ in CT_PRESETS}

    def test_file_windows_named(self):
        """Every file window is a preset, named from the explanation when there is one."""
        ds = _ramp_ds(0, 100, modality="MR")
        ds.WindowCenter, ds.WindowWidth = [50, 20], [100, 10]
        ds.WindowCenterWidthExplanation = ["SOFT", ""]
        presets = prepare_frame(ds).presets
        assert [(p["name"], p["center"], p["width"]) for p in presets] == [("SOFT", 50, 100), ("file window 2", 20, 10)]

    def test_min_max_default(self):
        """Without a window the frame's min/max is used: min -> 0, max -> 255."""
        fr = prepare_frame(_ramp_ds(-100, 300, modality="MR"))
        lut = display_lut(fr, fr.window["center"], fr.window["width"])
        assert fr.window["name"] == "min/max" and lut[0] == 0 and lut[-1] == 255

    def test_preset_by_name(self):
        """render(preset=...) uses the named window; an unknown name lists the known ones."""
        shown = render(_testfile(CT_SMALL), preset="Lung")
        assert (shown.window["center"], shown.window["width"]) == (-600, 1500)
        with pytest.raises(OptionsError, match="no preset named 'nope'.*brain"):
            render(_testfile(CT_SMALL), preset="nope")


class TestRender:
    def test_backends_identical(self):
        """Each backend renders the same RGBA bytes for many windows."""
        ds = _testfile(CT_SMALL)
        fr = prepare_frame(ds)
        saved = kernels.__dict__.copy()
        outputs = []
        try:
            for backend in kernels.available_backends():
                for name in ("apply_lut", "apply_split_lut", "grey_to_rgba", "rgb_to_rgba"):
                    setattr(kernels, name, getattr(backend, name))
                outputs.append([render(fr, center=c, width=w, function=f).rgba
                                for c, w, f in [(40, 400, "LINEAR"), (40, 4000, "LINEAR"), (0, 2000, "SIGMOID"),
                                                (500, 3, "LINEAR_EXACT"), (1000, 10000, "LINEAR_EXACT")]])
        finally:
            for name in ("apply_lut", "apply_split_lut", "grey_to_rgba", "rgb_to_rgba"):
                setattr(kernels, name, saved[name])
        assert all(o == outputs[0] for o in outputs)

    def test_render_equals_lut(self):
        """Rendered grey = lut[v - offset] for every pixel (the page does the same)."""
        fr = prepare_frame(_testfile(CT_SMALL))
        for window in [(40, 400), (40, 4000), (-600, 1500)]:
            lut = display_lut(fr, *window)
            rgba = render(fr, center=window[0], width=window[1]).rgba
            values = struct.unpack(f"<{fr.rows * fr.columns}h", fr.data)
            assert rgba[0::4] == bytes(lut[v - fr.lut_offset] for v in values)

    def test_overlay_drawn(self):
        """examples_overlay.dcm: overlay pixels take the group's colour, toggled per group."""
        ds = _testfile(OVERLAY)
        with_overlay = render(ds, overlays=True).rgba
        without = render(ds, overlays=False).rgba
        only_other = render(ds, overlays={0x6002}).rgba
        assert with_overlay != without and only_other == without
        yellow = sum(1 for i in range(0, len(with_overlay), 4) if with_overlay[i : i + 4] == b"\xff\xff\x00\xff")
        assert yellow > 100

    def test_multiframe_overlay(self):
        """A two-frame overlay shows its second frame on image frame 1, nothing past it."""
        ds = _ds([0] * 12, 2, 2, NumberOfFrames=3)
        ds.add_new(0x60000010, "US", 2)
        ds.add_new(0x60000011, "US", 2)
        ds.add_new(0x60000015, "IS", 2)
        ds.add_new(0x60000040, "CS", "G")
        ds.add_new(0x60000050, "SS", [1, 1])
        ds.add_new(0x60000051, "US", 1)
        ds.add_new(0x60000100, "US", 1)
        ds.add_new(0x60000102, "US", 0)
        ds.add_new(0x60003000, "OW", bytes([0b1000_0001, 0]))  # bits: frame 0 pixel 0, frame 1 pixel 3
        f1 = render(ds, frame=1, center=0, width=10).rgba
        f2 = render(ds, frame=2, center=0, width=10).rgba
        assert f1[12:16] == b"\xff\xff\x00\xff" and f1[0:4] != b"\xff\xff\x00\xff"
        assert b"\xff\xff\x00\xff" not in f2

    def test_colour(self):
        """RGB files are shown as they are, no window."""
        shown = render(_testfile("SC_rgb_small_odd.dcm"))
        assert shown.window is None and len(shown.rgba) == 3 * 3 * 4 and shown.rgba[3::4] == b"\xff" * 9

    def test_zero_width_in_the_file_is_ignored(self):
        """A stored window of width 0 is skipped with a warning: the next window is the default,
        or min/max when there is none (real files carry "0" as "no window")."""
        ds = _ramp_ds(0, 10, modality="MR", WindowCenter=[5, 4], WindowWidth=[0, 6])
        shown = render(ds)
        assert (shown.window["center"], shown.window["width"]) == (4, 6)
        assert shown.warnings == ["(0028,1051) Window Width of 'file window 1' is 0 (LINEAR needs at least 1): ignored"]
        alone = render(_ramp_ds(0, 10, modality="MR", WindowCenter=5, WindowWidth=0))
        assert alone.window["name"] == "min/max" and len(alone.warnings) == 1
        sigmoid = prepare_frame(_ramp_ds(0, 10, WindowCenter=5, WindowWidth=0.5, VOILUTFunction="SIGMOID"))
        assert sigmoid.window["width"] == 0.5 and sigmoid.warnings == []

    def test_zero_width_asked_for_names_file(self):
        """A window of width 0 that the user asks for fails with the file's name."""
        ds = _ramp_ds(0, 10)
        ds.filename = "zero.dcm"
        with pytest.raises(DicomForgeError, match="Window Width is 0") as info:
            render(ds, center=5, width=0)
        assert info.value.file == "zero.dcm"

    def test_ct_without_window_opens_soft_tissue(self):
        """A CT image without a stored window opens in the soft-tissue window (C 40 / W 400),
        still reachable by its former name "abdomen"; with one it opens in the file's."""
        fr = prepare_frame(_ramp_ds(-1000, 1000, modality="CT"))
        assert (fr.window["name"], fr.window["center"], fr.window["width"]) == ("soft tissue", 40, 400)
        assert render(_ramp_ds(-1000, 1000, modality="CT"), preset="abdomen").window["center"] == 40
        assert prepare_frame(_ramp_ds(-1000, 1000, modality="CT", WindowCenter=300, WindowWidth=1500)).window["center"] == 300

    def test_wide_range_32bit(self):
        """32-bit data wider than 65536 values is indexed through a reduced table."""
        ds = _testfile("rtdose.dcm")
        fr = prepare_frame(ds)
        assert fr.lut_size <= 65536
        shown = render(ds)
        assert len(shown.rgba) == 4 * fr.rows * fr.columns


def test_display_table_split_range_outside_the_type():
    """Frame information from a host with a range its type cannot hold still gets a table,
    the same as the entry-by-entry definition (the kernel path covers ranges that fit)."""
    from dicomforge.display import lut as lut_module

    high, low = lut_module.split_tables(True, 0.05, 10.0)
    fits = lut_module._split_greys(high, low, "int16", -300, 700)
    outside = lut_module._split_greys(high, low, "int16", 32000, 1000)
    expected = lambda offset, size: bytes(  # noqa: E731
        0 if z < 0 else 255 if z >= lut_module._TOP else z >> lut_module._SHIFT
        for z in [high[(d >> 8) & 0xFF] + low[d & 0xFF] for d in range(offset, offset + size)])
    assert fits == expected(-300, 700)
    assert outside == expected(32000, 1000)
