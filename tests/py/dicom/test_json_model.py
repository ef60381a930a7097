"""dicomforge.dicom.json_model: the DICOM JSON model (PS3.18 F.2) both ways.

The acceptance: every file of pydicom's test data folder (sub-folders included) against
dcmtk's ``dcm2json +fo -fc`` (``+fo``: Part 10 files only, as :func:`to_json` takes; without
it dcm2json also reads bare data sets, guessing their transfer syntax). Where dcm2json
converts a file our JSON equals its JSON after :func:`normalise`; where it refuses one we raise
an InputError, but for

- encapsulated (compressed) Pixel Data, which dcm2json 3.6.7 refuses ("JSON InlineBinary
  encoding not supported for compressed pixel data") while PS3.18 F.2.7 allows it: dcm2json
  is run on the file cut before (7FE0,0010), and our Pixel Data (and what follows it) is
  checked against pydicom's value;
- the files of :data:`DIFFERENCES`, each with its reason.

Normalisation (:func:`normalise`, applied to both sides):

- (0008,0005) *Specific Character Set* is left out: dcm2json always writes ``ISO_IR 192`` (its
  output is UTF-8; it adds the element where the file has none); ours is the file's value,
  checked against pydicom's reading instead (:meth:`TestDcm2json.test_character_set`);
- numbers compare as numbers (DS/IS text such as ``239.531250000000`` and floats alike); FL
  after rounding to float32 (dcm2json prints 9 significant digits, pydicom the float64 repr
  of the float32 value: ``0.0540865399`` vs ``0.05408653989434242``); FD and DS to 15
  significant digits (dcm2json prints some doubles one ulp off: ``examples_palette.dcm``'s
  ``0.02622878766196998`` as ``0.026228787661969975``, another double);
- spaces around each text value are ignored where PS3.5 6.2 says they are insignificant
  (dcm2json trims each value of ``DERIVED \\PRIMARY``, pydicom the whole string's end);
  trailing ones only for LT, ST, UT, UC, UR and PN;
- PN groups compare without trailing "^" (dcm2json writes ``OB`` for ``OB^^^^``), and a name
  with every group empty counts as empty;
- an empty value among several is null, and a Value of nulls only is no Value;
- InlineBinary compares as the decoded bytes padded to even length (dcmtk pads an odd-length
  value with a NUL when it reads it: ``nested_priv_SQ.dcm``'s 9-byte UN);
- an element dcm2json leaves UN while pydicom's dictionary knows its VR is decoded the way
  pydicom reads it (``config.replace_un_with_known_vr``, on by default), as ours is.
"""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import time
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataelem import RawDataElement, convert_raw_data_element
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import Tag

from dicomforge.dicom.json_model import ds_text, from_json, is_encapsulated, to_json
from dicomforge.errors import InputError, OptionsError

FOLDER = Path(os.path.dirname(get_testdata_file("CT_small.dcm")))
FILES = sorted(str(p.relative_to(FOLDER)) for p in FOLDER.rglob("*") if p.is_file())
COMPRESSED_REFUSAL = "compressed pixel data"
#: Files where our result differs from dcm2json's, by design, and why.
DIFFERENCES = {
    "badVR.dcm": "(0028,0008) Number of Frames is the IS '1A', not a number: dcm2json writes the "
                 "string '1A' (PS3.18 F.2.3 wants a JSON number); we raise an InputError naming it",
    "J2K_pixelrep_mismatch.dcm": "(0008,0005) is ISO 2022 IR 87 (Japanese), which the iconv this "
                                 "dcmtk uses cannot convert, so dcm2json refuses the file; pydicom "
                                 "decodes it and we convert it (round trips tested below)",
}
SC_STORAGE, SOP_UID = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.8.498.1"
TRIM_BOTH = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "SH", "TM", "UI"}
EXPLICIT_LE, IMPLICIT_LE, BIG_ENDIAN = "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"
DEFLATED = "1.2.840.10008.1.2.1.99"

pytestmark = pytest.mark.filterwarnings("ignore")  # pydicom's about the odd values of its own test files


def tool(name: str) -> str:
    """Path of an external program: on PATH or beside this Python (a virtualenv's bin)."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.skip(f"{name} is not installed here")
    return found


def run_dcm2json(path: Path) -> tuple[dict | None, str]:
    """dcm2json's JSON of the Part 10 file at *path*, or None and its complaint."""
    done = subprocess.run([tool("dcm2json"), "+fo", "-fc", str(path)], capture_output=True, timeout=60)
    return (json.loads(done.stdout) if done.returncode == 0 else None), done.stderr.decode("utf-8", "replace")


@lru_cache(maxsize=None)
def ours(name: str) -> tuple[dict, dict] | InputError:
    """Our :func:`to_json` of test file *name* (kept: do not change it), or the InputError it raised."""
    try:
        return to_json((FOLDER / name).read_bytes(), name)
    except InputError as error:
        return error


@lru_cache(maxsize=None)
def syntax_of(name: str) -> str:
    return str(pydicom.dcmread(FOLDER / name, stop_before_pixels=True).file_meta.TransferSyntaxUID)


def converted() -> list[str]:
    """The files we convert."""
    return [name for name in FILES if not isinstance(ours(name), InputError)]


def back(obj: dict, name: str, **options) -> bytes:
    """:func:`from_json` of *obj*, with the transfer syntax of the original when it is compressed."""
    syntax = syntax_of(name)
    return from_json(obj, name, syntax if pydicom.uid.UID(syntax).is_encapsulated else None, **options)


def with_sop(obj: dict) -> dict:
    """*obj* with SOP Class/Instance UIDs where it has none (DICOMDIRs, pydicom's synthetic files)."""
    return {"00080016": {"vr": "UI", "Value": [SC_STORAGE]}, "00080018": {"vr": "UI", "Value": [SOP_UID]}} | obj


# ------------------------------------------------------------------ normalisation


def normalise(obj: dict) -> dict:
    """``{tag: (vr, value)}`` of DICOM JSON *obj*, comparable between producers (module docstring)."""
    out = {}
    for tag, attr in obj.items():
        if tag == "00080005":
            continue
        vr = attr["vr"]
        if vr == "UN" and not int(tag[:4], 16) & 1 and pydicom.datadict.dictionary_has_tag(int(tag, 16)):
            data = base64.b64decode(attr.get("InlineBinary", ""))  # read as pydicom reads a UN it knows
            elem = convert_raw_data_element(RawDataElement(Tag(tag), "UN", len(data), data, 0, True, True))
            vr, attr = str(elem.VR), elem.to_json_dict(None, 0)
        if vr == "SQ":
            value = [normalise(item or {}) for item in attr.get("Value", [])]
        elif "InlineBinary" in attr:
            data = base64.b64decode(attr["InlineBinary"])
            value = data + b"\0" * (len(data) % 2)
        else:
            value = [normal_value(vr, v) for v in attr.get("Value", [])]
            value = [] if all(v is None for v in value) else value
        out[tag] = (vr, value)
    return out


def normal_value(vr: str, v):
    if v is None or v == "":
        return None
    if vr == "PN":
        groups = tuple((v.get(g) or "").rstrip("^") for g in ("Alphabetic", "Ideographic", "Phonetic"))
        return groups if any(groups) else None
    if vr == "FL":
        return struct.unpack("<f", struct.pack("<f", float(v)))[0]
    if vr in ("FD", "DS"):
        return float(f"{float(v):.15g}")  # (dcmtk prints some doubles 1 ulp off)
    if vr in ("IS", "SL", "SS", "SV", "UL", "US", "UV"):
        return int(v)
    text = v.strip(" ") if vr in TRIM_BOTH else v.rstrip(" ")
    return text or None


def pixel_offset(data: bytes) -> int:
    """Where (7FE0,0010)'s header starts (explicit VR: tag, VR, 2 reserved bytes, length)."""
    return pydicom.dcmread(BytesIO(data)).get_item(0x7FE00010).value_tell - 12


# ------------------------------------------------------------------ the acceptance


class TestDcm2json:
    @pytest.mark.parametrize("name", FILES)
    def test_same_json(self, name, tmp_path):
        """Our JSON is dcm2json's (normalised), or both refuse the file."""
        if name in DIFFERENCES:
            pytest.skip(DIFFERENCES[name])  # (checked by test_differences)
        path = FOLDER / name
        theirs, complaint = run_dcm2json(path)
        got = ours(name)
        if theirs is None and COMPRESSED_REFUSAL in complaint:
            data = path.read_bytes()
            cut = tmp_path / "cut.dcm"
            cut.write_bytes(data[: pixel_offset(data)])
            theirs, complaint = run_dcm2json(cut)
            assert theirs is not None, complaint
            ds, obj = pydicom.dcmread(path), dict(got[0])
            for tag in [t for t in obj if int(t, 16) >= 0x7FE00010]:  # Pixel Data, and padding after it
                assert base64.b64decode(obj.pop(tag)["InlineBinary"]) == ds[int(tag, 16)].value
            got = (obj, {})
        if theirs is None:
            assert isinstance(got, InputError), f"dcm2json refuses {name} ({complaint.strip()}); we do not"
            return
        assert not isinstance(got, InputError), f"dcm2json converts {name}; we say {got}"
        assert normalise(got[0]) == normalise(theirs)

    def test_differences(self, tmp_path):
        """The files of DIFFERENCES differ as their reasons say."""
        theirs, _ = run_dcm2json(FOLDER / "badVR.dcm")
        assert theirs["00280008"] == {"vr": "IS", "Value": ["1A"]}
        with pytest.raises(InputError, match=r"element 00280008 \(NumberOfFrames\) .*'1A'"):
            to_json((FOLDER / "badVR.dcm").read_bytes(), "badVR.dcm")
        theirs, complaint = run_dcm2json(FOLDER / "J2K_pixelrep_mismatch.dcm")
        assert theirs is None and "ISO 2022 IR 87" in complaint
        assert ours("J2K_pixelrep_mismatch.dcm")[0]["00080005"]["Value"] == ["ISO 2022 IR 13", "ISO 2022 IR 87"]

    def test_counts(self):
        """How many files each path takes (the report's numbers)."""
        refused = [n for n in FILES if isinstance(ours(n), InputError)]
        assert len(FILES) == len(refused) + len(converted())
        assert len(converted()) >= 150 and "CT_small.dcm" in converted() and "README.txt" in refused

    @pytest.mark.parametrize("name", ["CT_small.dcm", "J2K_pixelrep_mismatch.dcm", "empty_charset_LEI.dcm",
                                      "MR_small_implicit.dcm"])
    def test_character_set(self, name):
        """(0008,0005) is the file's own value (dcm2json's is always ISO_IR 192)."""
        ds = pydicom.dcmread(FOLDER / name, stop_before_pixels=True)
        attr = ours(name)[0].get("00080005")
        if "SpecificCharacterSet" not in ds:
            assert attr is None
        else:
            value = ds["SpecificCharacterSet"].value
            assert attr.get("Value", []) == ([] if not value else [value] if isinstance(value, str) else list(value))


class TestPydicomReads:
    def test_every_file(self):
        """pydicom's Dataset.from_json reads our JSON of every file, with the same tags and VRs."""
        for name in converted():
            obj = ours(name)[0]
            ds = Dataset.from_json(json.dumps(obj))
            assert [f"{t:08X}" for t in ds.keys()] == list(obj), name
            assert [str(e.VR) for e in ds] == [a["vr"] for a in obj.values()], name


class TestRoundTrip:
    def test_json_round_trip(self):
        """to_json(from_json(to_json(f))) == to_json(f) for every file converted (SOP UIDs added where
        the data set has none: from_json names them first)."""
        for name in converted():
            obj = ours(name)[0]
            if "00080016" not in obj or "00080018" not in obj:
                with pytest.raises(InputError, match=r"no \(0008,001[68]\) SOP"):
                    back(obj, name)
                obj = with_sop(obj)
            assert to_json(back(json.dumps(obj), name), name)[0] == obj, name

    def test_same_elements(self):
        """A file in Explicit or Implicit VR Little Endian comes back with the same elements: tags, VRs,
        values (group lengths, left out of the JSON, aside)."""
        checked = 0
        for name in converted():
            if syntax_of(name) not in (EXPLICIT_LE, IMPLICIT_LE):
                continue
            obj = ours(name)[0]
            added = {} if "00080016" in obj and "00080018" in obj else with_sop({})
            original = pydicom.dcmread(FOLDER / name)
            again = pydicom.dcmread(BytesIO(from_json(added | obj, name)))
            assert again.file_meta.TransferSyntaxUID == EXPLICIT_LE
            assert differences(original, again, added) == [], name
            checked += 1
        assert checked >= 100

    @pytest.mark.parametrize("name", ["MR_small_bigendian.dcm", "ExplVR_BigEnd.dcm", "image_dfl.dcm"])
    def test_other_native_syntaxes(self, name):
        """Big endian and deflated files: same JSON, same elements with words swapped back."""
        obj = ours(name)[0]
        data = from_json(obj, name, syntax_of(name))
        assert to_json(data, name)[0] == obj
        original, again = pydicom.dcmread(FOLDER / name), pydicom.dcmread(BytesIO(data))
        assert again.file_meta.TransferSyntaxUID == syntax_of(name)
        assert differences(original, again, {}) == []

    @pytest.mark.parametrize("syntax", [IMPLICIT_LE, BIG_ENDIAN, DEFLATED])
    def test_written_in(self, syntax):
        """from_json writes the transfer syntax asked for; the JSON survives it."""
        obj = ours("MR_small.dcm")[0]
        data = from_json(obj, "MR_small.json", syntax)
        assert pydicom.dcmread(BytesIO(data)).file_meta.TransferSyntaxUID == syntax
        assert to_json(data, "again.dcm")[0] == obj

    def test_compressed(self):
        """Encapsulated Pixel Data needs its transfer syntax back, and comes back byte for byte."""
        name = "JPEG2000.dcm"
        obj = ours(name)[0]
        with pytest.raises(InputError, match=r"encapsulated \(compressed\): give the transfer syntax"):
            from_json(obj, name)
        with pytest.raises(InputError, match="is a native transfer syntax"):
            from_json(obj, name, EXPLICIT_LE)
        with pytest.raises(InputError, match="needs encapsulated Pixel Data"):
            from_json(ours("MR_small.dcm")[0], "MR_small.json", syntax_of(name))
        again = pydicom.dcmread(BytesIO(from_json(obj, name, syntax_of(name))))
        assert again.PixelData == pydicom.dcmread(FOLDER / name).PixelData
        assert is_encapsulated(base64.b64decode(obj["7FE00010"]["InlineBinary"]))

    def test_trailing_delimiter_accepted(self):
        """An InlineBinary of encapsulated Pixel Data may end with the Sequence Delimitation Item."""
        obj = json.loads(json.dumps(ours("JPEG2000.dcm")[0]))
        data = base64.b64decode(obj["7FE00010"]["InlineBinary"]) + b"\xfe\xff\xdd\xe0\0\0\0\0"
        obj["7FE00010"]["InlineBinary"] = base64.b64encode(data).decode()
        assert to_json(from_json(obj, "j", syntax_of("JPEG2000.dcm")), "j")[0] == ours("JPEG2000.dcm")[0]

    def test_reads_dcm2json(self):
        """from_json reads dcm2json's JSON: the file it makes is the original, normalised."""
        for name in ["CT_small.dcm", "rtplan.dcm", "waveform_ecg.dcm", "MR_small_bigendian.dcm", "test-SR.dcm"]:
            theirs, _ = run_dcm2json(FOLDER / name)
            again = to_json(from_json(theirs, name), name)[0]
            assert again.get("00080005") == theirs.get("00080005")  # ISO_IR 192 where the file says one
            assert normalise(again) == normalise(ours(name)[0]), name


def differences(a: Dataset, b: Dataset, added: dict, path: str = "") -> list[str]:
    """Where data sets *a* and *b* differ in tags, VRs or values (group lengths and *added* aside)."""
    added_tags = {int(t, 16) for t in added}
    tags_a = [t for t in a.keys() if t & 0xFFFF]
    tags_b = [t for t in b.keys() if t not in added_tags]
    out = [f"{path}tags {sorted(set(tags_a) ^ set(tags_b))}"] if tags_a != tags_b else []
    for tag in tags_a:
        if tag not in b:
            continue
        x, y = a[tag], b[tag]
        if x.VR != y.VR:
            out.append(f"{path}{tag:08X}: VR {x.VR} != {y.VR}")
        elif x.VR == "SQ":
            if len(x.value) != len(y.value):
                out.append(f"{path}{tag:08X}: {len(x.value)} != {len(y.value)} items")
            for i, (p, q) in enumerate(zip(x.value, y.value)):
                out += differences(p, q, {}, f"{path}{tag:08X}/{i}/")
        elif x.value != y.value:
            out.append(f"{path}{tag:08X}: {x.value!r:.60} != {y.value!r:.60}")
    return out


# ------------------------------------------------------------------ bulk data


class TestBulk:
    @pytest.mark.parametrize("name", ["waveform_ecg.dcm", "MR_small.dcm", "rtdose.dcm", "JPEG2000.dcm"])
    def test_uris_resolved_back(self, name):
        """With bulk="uri" big values leave the JSON under unique tag-path URIs and come back."""
        obj, bulk = to_json((FOLDER / name).read_bytes(), name, bulk="uri", bulk_threshold=64, bulk_uri="bulk/")
        uris = [a["BulkDataURI"] for a in walk(obj) if "BulkDataURI" in a]
        assert sorted(uris) == sorted(bulk) and all(len(v) >= 64 for v in bulk.values())
        assert all(len(base64.b64decode(a["InlineBinary"])) < 64 for a in walk(obj) if "InlineBinary" in a)
        assert to_json(back(obj, name, bulk=bulk), name)[0] == ours(name)[0]

    def test_nested_uris(self):
        """Values in sequence items get the item's path: 54000100/<item>/54001010."""
        _, bulk = to_json((FOLDER / "waveform_ecg.dcm").read_bytes(), "w", bulk="uri", bulk_uri="x/")
        assert {"x/54000100/0/54001010", "x/54000100/1/54001010"} <= set(bulk)

    def test_inline_default(self):
        """bulk="inline" leaves nothing out."""
        obj, bulk = ours("MR_small.dcm")
        assert bulk == {} and "InlineBinary" in obj["7FE00010"]

    def test_missing_uri(self):
        """A BulkDataURI the bulk data lacks is an InputError naming it."""
        obj, bulk = to_json((FOLDER / "MR_small.dcm").read_bytes(), "m", bulk="uri", bulk_uri="b/")
        with pytest.raises(InputError, match="element 7FE00010: BulkDataURI 'b/7FE00010' is not among"):
            from_json(obj, "m.json", bulk={})
        with pytest.raises(InputError, match="'b/7FE00010'"):
            from_json(obj, "m.json")

    @pytest.mark.parametrize("options, field", [({"bulk": "url"}, "bulk"), ({"bulk_threshold": 0}, "bulk_threshold")])
    def test_bad_options(self, options, field):
        """An unknown bulk mode or a threshold below 1 is an OptionsError naming the option."""
        with pytest.raises(OptionsError) as caught:
            to_json((FOLDER / "CT_small.dcm").read_bytes(), "c", **options)
        assert set(caught.value.fields) == {field} and field in caught.value.message


def walk(obj: dict):
    """Every attribute of JSON data set *obj*, nested ones included."""
    for attr in obj.values():
        yield attr
        if attr["vr"] == "SQ":
            for item in attr.get("Value", []):
                yield from walk(item)


# ------------------------------------------------------------------ values and errors


def minimal(**elements) -> dict:
    return {"00080016": {"vr": "UI", "Value": [SC_STORAGE]}, "00080018": {"vr": "UI", "Value": [SOP_UID]}} | elements


def part10(ds: Dataset) -> bytes:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = EXPLICIT_LE
    ds.SOPClassUID, ds.SOPInstanceUID = SC_STORAGE, SOP_UID
    out = BytesIO()
    pydicom.dcmwrite(out, ds, enforce_file_format=True)
    return out.getvalue()


class TestValues:
    def test_empty_among_several(self):
        """An empty value among several is null, for text and for numbers (pydicom fails on "1\\\\2")."""
        ds = Dataset()
        ds.add_new(0x00080008, "CS", ["ORIGINAL", "", "AXIAL"])
        ds.add_new(0x00181310, "US", [1, 2])
        ds.add_new(0x00280030, "DS", "0.5\\\\0.25")
        obj = to_json(part10(ds), "e.dcm")[0]
        assert obj["00080008"]["Value"] == ["ORIGINAL", None, "AXIAL"]
        assert obj["00280030"]["Value"] == [0.5, None, 0.25]
        again = pydicom.dcmread(BytesIO(from_json(obj, "e.json")))
        assert list(again.ImageType) == ["ORIGINAL", "", "AXIAL"] and again["PixelSpacing"].VM == 3

    def test_nan(self):
        """NaN has no JSON number: an InputError naming the element."""
        ds = Dataset()
        ds.add_new(0x00189087, "FD", math.nan)
        with pytest.raises(InputError, match="element 00189087 .*NaN"):
            to_json(part10(ds), "nan.dcm")

    @pytest.mark.parametrize("number, text", [(0.30000000000000004, "0.30000000000000"), (239.0, "239"),
                                              (1.23456789012e-5, "1.23456789012e-5"), (0.1, "0.1")])
    def test_ds_text(self, number, text):
        """A DS from a JSON number is written in at most 16 characters, exactly when it fits."""
        assert ds_text(number) == text
        data = from_json(minimal(**{"00180050": {"vr": "DS", "Value": [number]}}), "d.json")
        assert pydicom.dcmread(BytesIO(data))["SliceThickness"].value.original_string == text

    def test_meta(self):
        """The file meta: SOP Class/Instance from the data set, dicomforge's implementation UID."""
        from dicomforge.series.template import IMPLEMENTATION_CLASS_UID

        meta = pydicom.dcmread(BytesIO(from_json(minimal(), "m.json"))).file_meta
        assert (meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID) == (SC_STORAGE, SOP_UID)
        assert meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID and meta.TransferSyntaxUID == EXPLICIT_LE

    def test_unicode(self):
        """Text in the character set (0008,0005) names; one it cannot hold is refused, not written as '?'."""
        name = {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Jürgen", "Ideographic": "山田"}]}}
        data = from_json(minimal(**{"00080005": {"vr": "CS", "Value": ["ISO_IR 192"]}}, **name), "u.json")
        assert str(pydicom.dcmread(BytesIO(data)).PatientName) == "Müller^Jürgen=山田"
        with pytest.raises(InputError, match=r"element 00100010: .* cannot be written in the character set of "
                                             r"\(0008,0005\) \(ISO_IR 100\): set it to ISO_IR 192"):
            from_json(minimal(**{"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]}}, **name), "u.json")


    def test_un_of_known_tag(self):
        """A UN whose tag pydicom knows (as dcm2json writes them) goes back as its bytes, read as IS."""
        obj = minimal(**{"00200011": {"vr": "UN", "InlineBinary": base64.b64encode(b"7 ").decode()}})
        again = pydicom.dcmread(BytesIO(from_json(obj, "un.json", bulk={})))
        assert again["SeriesNumber"].value == 7 and to_json(from_json(obj, "un.json"), "u")[0]["00200011"] == {
            "vr": "IS", "Value": [7]}


class TestErrors:
    @pytest.mark.parametrize("obj, message", [
        ("{", r"not JSON: Expecting property name .*line 1 column 2"),
        ({"00020010": {"vr": "UI", "Value": [EXPLICIT_LE]}}, r"element 00020010: the file meta \(group 0002\) is not"),
        ("[]", r"the JSON must be an object of elements keyed by tag, not a list"),
        ({"0010001": {"vr": "PN"}}, r"key '0010001' is not a tag"),
        ({"00100010": "Smith"}, r"element 00100010: must be an object with 'vr', not a string"),
        ({"00100010": {"Value": []}}, r"element 00100010: has no 'vr'"),
        ({"00100010": {"vr": "XX"}}, r"element 00100010: unknown VR 'XX'"),
        ({"7FE00010": {"vr": "OB or OW"}}, r"element 7FE00010: unknown VR 'OB or OW'"),
        ({"00100010": {"vr": "PN", "Value": {"Alphabetic": "A"}}}, r"element 00100010: 'Value' must be a list, not an object"),
        ({"00100010": {"vr": "PN", "Valeu": []}}, r"element 00100010: unknown key 'Valeu'"),
        ({"00100010": {"vr": "PN", "Value": ["Smith"]}}, r"element 00100010: value 1 must be an object with 'Alphabetic'"),
        ({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "A", "Kanji": "B"}]}}, r"unknown name group 'Kanji'"),
        ({"00100010": {"vr": "PN", "Value": [{"Alphabetic": None}]}}, r"value 1 'Alphabetic' must be a string, not null"),
        ({"00280010": {"vr": "US", "Value": [70000]}}, r"element 00280010: value 1 must be a whole number from 0 to 65535"),
        ({"00280010": {"vr": "US", "Value": ["512"]}}, r"element 00280010: value 1 must be a number, not a string"),
        ({"00280010": {"vr": "US", "Value": [True]}}, r"value 1 must be a number, not true/false"),
        ({"00280030": {"vr": "DS", "Value": [1, "abc"]}}, r"element 00280030: value 2 must be a number, not 'abc'"),
        ({"00209165": {"vr": "AT", "Value": ["0020"]}}, r"element 00209165: value 1 must be a tag of 8 hex digits"),
        ({"00100020": {"vr": "LO", "Value": [12]}}, r"element 00100020: value 1 must be a string, not a number"),
        ({"00100020": {"vr": "LO", "InlineBinary": "AAAA"}}, r"'InlineBinary' is for binary VRs .* not LO"),
        ({"7FE00010": {"vr": "OW", "InlineBinary": "AA*A"}}, r"element 7FE00010: 'InlineBinary' is not base64"),
        ({"7FE00010": {"vr": "OW", "Value": [1, 2]}}, r"a OW value must be 'InlineBinary' or 'BulkDataURI'"),
        ({"7FE00010": {"vr": "OW", "InlineBinary": "AAAA", "BulkDataURI": "x"}}, r"has both 'InlineBinary' and"),
        ({"00081140": {"vr": "SQ", "Value": ["item"]}}, r"element 00081140: value 1 must be an item"),
        ({"00081140": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": 5}}]}},
         r"element 00081140/0/00081155: 'Value' must be a list, not a number"),
    ])
    def test_malformed(self, obj, message):
        """Malformed JSON, wrong shapes, unknown VRs: an InputError naming the element and the problem."""
        with pytest.raises(InputError, match=message) as caught:
            from_json(obj if isinstance(obj, str) else minimal(**obj), "bad.json")
        assert caught.value.file == "bad.json"

    def test_no_sop(self):
        """A data set without SOP Class and Instance UID: one error naming both."""
        with pytest.raises(InputError, match=r"no \(0008,0016\) SOP Class UID and no \(0008,0018\) SOP Instance UID"):
            from_json({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "A"}]}}, "n.json")

    def test_bad_syntax(self):
        """A transfer syntax pydicom cannot write is an OptionsError naming the option."""
        with pytest.raises(OptionsError, match="transfer_syntax '1.2.3' is not a transfer syntax") as caught:
            from_json(minimal(), "s.json", "1.2.3")
        assert "transfer_syntax" in caught.value.fields

    @pytest.mark.parametrize("name", ["README.txt", "no_meta.dcm", "MR_truncated.dcm", "rtplan_truncated.dcm",
                                      "meta_missing_tsyntax.dcm"])
    def test_not_part10(self, name):
        """What is not a whole Part 10 file is an InputError naming the file."""
        with pytest.raises(InputError) as caught:
            to_json((FOLDER / name).read_bytes(), name)
        assert caught.value.file == name


def test_fast_enough():
    """One file both ways takes milliseconds (the whole module stays well under 40 s)."""
    data = (FOLDER / "CT_small.dcm").read_bytes()
    start = time.perf_counter()
    for _ in range(10):
        from_json(to_json(data, "c")[0], "c")
    assert time.perf_counter() - start < 5
