"""Zarr stores against zarr-python 3 (the oracle): it reads ours, we read its, OME-Zarr readers
accept our NGFF metadata; stores as inputs (zip, dropped folder); bad stores named with the key."""

from __future__ import annotations

import json
import re
import math
import struct

import pytest

from dicomforge import jobs
from dicomforge.errors import DicomForgeError, InputError, UnsupportedError
from dicomforge.formats import detect_format, read_volume
from dicomforge.inputs import NamedInput
from dicomforge.inputset import InputSet
from dicomforge.volume import Volume
from dicomforge.zarr.read import read_store
from dicomforge.zarr.store import FolderStore, ZipStore
from dicomforge.zarr.write import ZarrOptions, store_entries
from zarr_cases import folder_inputs, zip_of


def _volume(nx=7, ny=5, nz=4, dtype="int16", components=1, rescale=(1.0, 0.0)):
    code = {"int16": "h", "uint8": "B", "float32": "f", "uint16": "H", "int32": "i"}[dtype]
    count = nx * ny * nz * components
    values = [(i * 37) % 251 - (60 if dtype in ("int16", "int32", "float32") else 0) for i in range(count)]
    if dtype == "float32":
        values[:4] = [math.nan, -0.0, math.inf, 1.5]
    direction = ((0.0, 1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, -1.0))
    return Volume(struct.pack(f"<{count}{code}", *values), dtype, (nx, ny, nz), (0.7, 0.9, 2.5), (-10.0, 20.5, 5.0),
                  direction, components, rescale, name="vol.nrrd")


def _store(volume, **options) -> dict:
    return dict((k, bytes(v)) for k, v in store_entries(volume, ZarrOptions(**options), "vol"))


def _same(a: Volume, b: Volume) -> None:
    assert (b.size, b.dtype, b.components, b.rescale) == (a.size, a.dtype, a.components, a.rescale)
    assert bytes(b.data) == bytes(a.data)
    for x, y in zip((*a.spacing, *a.origin, *sum(a.direction, ())), (*b.spacing, *b.origin, *sum(b.direction, ()))):
        assert abs(x - y) < 1e-9


OPTION_SETS = [{}, {"compressor": "blosc"}, {"compressor": "blosc", "shuffle": "shuffle", "level": 5},
               {"compressor": "gzip", "level": 6}, {"compressor": "none"}, {"chunks": [3, 2, 4]}]


class TestOwnRoundTrip:
    @pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: json.dumps(o))
    @pytest.mark.parametrize("dtype", ["int16", "uint8", "float32", "int32"])
    def test_zip_and_folder(self, options, dtype):
        volume = _volume(dtype=dtype, rescale=(0.5, -3.0))
        entries = _store(volume, **options)
        _same(volume, read_volume(zip_of(entries)))
        inputs = folder_inputs(entries)
        found = dict(InputSet(inputs).volumes())
        assert list(found) == ["scan.zarr/zarr.json"]
        _same(volume, found["scan.zarr/zarr.json"])

    def test_rgb(self):
        volume = _volume(dtype="uint8", components=3)
        _same(volume, read_volume(zip_of(_store(volume))))

    def test_store_inputs_are_recognised(self):
        entries = _store(_volume())
        assert detect_format(zip_of(entries, "x.zip")) == "zarr"
        assert detect_format(NamedInput("scan.zarr/zarr.json", entries["zarr.json"])) == "zarr"
        assert detect_format(NamedInput("other.json", entries["zarr.json"])) is None
        described = {e["file"]: e["value"] for e in jobs.start("describe", folder_inputs(entries)) if e["type"] == "result"}
        assert described.pop("scan.zarr/zarr.json")["size"] == [7, 5, 4]
        assert all(v == {"kind": "partner", "store": True} for v in described.values()) and len(described) == 5


@pytest.fixture
def oracle():
    """zarr-python and numpy (native only: Pyodide has neither)."""
    return pytest.importorskip("zarr"), pytest.importorskip("numpy")


class TestZarrPython:

    @pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: json.dumps(o))
    def test_it_reads_ours(self, options, tmp_path, oracle):
        self.zarr, self.np = oracle
        volume = _volume(dtype="int16")
        entries = _store(volume, **options)
        expected = self.np.frombuffer(volume.data, "<i2").reshape(4, 5, 7)
        for key, data in entries.items():
            path = tmp_path / "dir.zarr" / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (tmp_path / "s.zarr.zip").write_bytes(zip_of(entries).data)
        for store in (str(tmp_path / "dir.zarr"), self.zarr.storage.ZipStore(tmp_path / "s.zarr.zip", mode="r")):
            array = self.zarr.open_array(store, path="0", mode="r")
            assert self.np.array_equal(array[:], expected)
            assert array.attrs["dicomforge"]["spacing"] == [0.7, 0.9, 2.5]

    def test_ome_zarr_models_accepts_our_ngff(self, tmp_path, oracle):
        self.zarr, self.np = oracle
        models = pytest.importorskip("ome_zarr_models.v05")
        for key, data in _store(_volume()).items():
            path = tmp_path / "v.zarr" / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        image = models.Image.from_zarr(self.zarr.open_group(tmp_path / "v.zarr", mode="r"))
        transforms = image.attributes.ome.multiscales[0].datasets[0].coordinateTransformations
        assert list(transforms[0].scale) == [2.5, 0.9, 0.7]

    @pytest.mark.parametrize("codec", ["default", "seed-blosc", "gzip", "big-endian", "v2-keys", "dot-keys"])
    def test_we_read_its(self, codec, tmp_path, oracle):
        zarr, np = oracle
        data = (np.arange(6 * 10 * 9, dtype="<i2").reshape(6, 10, 9) * 7 - 300)
        data[2] = 0  # a chunk of fill values: zarr-python leaves it out
        kwargs = {"chunks": (4, 3, 5)}
        if codec == "seed-blosc":
            kwargs["compressors"] = zarr.codecs.BloscCodec(cname="zstd", clevel=1, shuffle="bitshuffle")
        elif codec == "gzip":
            kwargs["compressors"] = zarr.codecs.GzipCodec(level=5)
        elif codec == "big-endian":
            kwargs.update(serializer=zarr.codecs.BytesCodec(endian="big"), compressors=None)
        elif codec in ("v2-keys", "dot-keys"):
            kwargs["chunk_key_encoding"] = {"name": "v2", "separator": "/" if codec == "v2-keys" else "."}
        for where in ("dir", "zip"):
            store = zarr.storage.ZipStore(tmp_path / f"{codec}.zip", mode="w") if where == "zip" else tmp_path / codec
            array = zarr.create_array(store, shape=data.shape, dtype="int16", **kwargs)
            array[:] = data
            if where == "zip":
                store.close()
                volume = read_volume(NamedInput(f"{codec}.zip", (tmp_path / f"{codec}.zip").read_bytes()))
            else:
                files = {str(p.relative_to(tmp_path)): NamedInput(str(p.relative_to(tmp_path)), p.read_bytes())
                         for p in (tmp_path / codec).rglob("*") if p.is_file()}
                volume = read_store(FolderStore(f"{codec}/", files))
            assert volume.size == (9, 10, 6)
            assert bytes(volume.data) == data.astype("<i2").tobytes()
            assert "no geometry" in volume.warnings[0]
            assert len(volume.warnings) == 1

    def test_nan_fill_and_float(self, tmp_path, oracle):
        zarr, np = oracle
        array = zarr.create_array(tmp_path / "f", shape=(2, 3, 4), chunks=(1, 3, 4), dtype="float32", fill_value=np.nan)
        array[1] = 2.5
        files = {str(p.relative_to(tmp_path)): NamedInput(str(p.relative_to(tmp_path)), p.read_bytes())
                 for p in (tmp_path / "f").rglob("*") if p.is_file()}
        volume = read_store(FolderStore("f/", files))
        values = np.frombuffer(volume.data, "<f4").reshape(2, 3, 4)
        assert np.isnan(values[0]).all() and (values[1] == 2.5).all()
        assert volume.warnings[1] == ("1 of 2 chunks are not in the store: their voxels are the fill value (nan), "
                                      "as Zarr has it for chunks never written")


def _bad(entries: dict, key: str, data) -> NamedInput:
    changed = dict(entries)
    if data is None:
        del changed[key]
    else:
        changed[key] = data if isinstance(data, bytes) else json.dumps(data).encode()
    return zip_of(changed, "bad.zarr.zip")


class TestBadStores:
    @pytest.fixture
    def entries(self):
        return _store(_volume())

    def _meta(self, entries, **changes):
        meta = json.loads(entries["0/zarr.json"])
        meta.update(changes)
        return meta

    @pytest.mark.parametrize("change, kind, words", [
        ("no-array", InputError, "bad.zarr.zip: 0/zarr.json: the group has no image array at '0'"),
        ("not-json", InputError, "bad.zarr.zip: 0/zarr.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        ("v2", UnsupportedError, "zarr_format is 2: only Zarr v3"),
        ("dtype", UnsupportedError, "data_type 'complex64' is not supported"),
        ("codec", UnsupportedError, "codec 'lz4' is not supported"),
        ("shape", UnsupportedError, "shape [4, 5, 7, 2] is not a volume"),
        ("chunks", InputError, "chunk_shape [1, 5] does not fit shape [4, 5, 7]"),
        ("nan", DicomForgeError, "dicomforge.origin holds NaN or infinite values"),
        ("sheared", DicomForgeError, "axes 0 and 1 are not perpendicular"),
        ("short-chunk", InputError, "bad.zarr.zip: chunk 0/c/2/0/0 holds 12 bytes, its shape needs 70"),
        ("damaged-chunk", InputError, "bad.zarr.zip: chunk 0/c/1/0/0 does not decompress"),
        ("too-big", InputError, "more than the 1000000 byte limit"),
    ])
    def test_named(self, entries, change, kind, words):
        from dicomforge.zarr.codecs import zstd

        meta = json.loads(entries["0/zarr.json"])
        own = meta["attributes"]["dicomforge"]
        bad = {
            "no-array": lambda: _bad(entries, "0/zarr.json", None),
            "not-json": lambda: _bad(entries, "0/zarr.json", b"{not json"),
            "v2": lambda: _bad(entries, "0/zarr.json", {**meta, "zarr_format": 2}),
            "dtype": lambda: _bad(entries, "0/zarr.json", {**meta, "data_type": "complex64"}),
            "codec": lambda: _bad(entries, "0/zarr.json", {**meta, "codecs": meta["codecs"] + [{"name": "lz4"}]}),
            "shape": lambda: _bad(entries, "0/zarr.json", {**meta, "shape": [4, 5, 7, 2], "chunk_grid": {
                "name": "regular", "configuration": {"chunk_shape": [1, 5, 7, 2]}}}),
            "chunks": lambda: _bad(entries, "0/zarr.json", {**meta, "chunk_grid": {
                "name": "regular", "configuration": {"chunk_shape": [1, 5]}}}),
            "nan": lambda: _bad(entries, "0/zarr.json", {**meta, "attributes": {"dicomforge": {
                **own, "origin": [math.nan, 0, 0]}}}),
            "sheared": lambda: _bad(entries, "0/zarr.json", {**meta, "attributes": {"dicomforge": {
                **own, "direction": [[1, 0, 0], [0.6, 0.8, 0], [0, 0, 1]]}}}),
            "short-chunk": lambda: _bad(entries, "0/c/2/0/0", zstd.compress(b"x" * 12)),
            "damaged-chunk": lambda: _bad(entries, "0/c/1/0/0", b"\x28\xb5\x2f\xfd garbage"),
            "too-big": lambda: _bad(entries, "0/zarr.json", {**meta, "shape": [400, 500, 700]}),
        }[change]()
        with pytest.raises(kind) as caught:
            read_volume(bad, budget=1_000_000)
        assert words in str(caught.value)

    def test_a_bad_store_fails_alone(self, entries):
        events = list(jobs.start("export", [_bad(entries, "0/c/1/0/0", b"junk"), zip_of(entries, "good.zarr.zip")]))
        assert [e["file"] for e in events if e["type"] == "error"] == ["bad.zarr.zip"]
        assert [e["name"] for e in events if e["type"] == "file"] == ["good.nii.gz"]

    def test_a_zip_without_a_store(self):
        assert detect_format(zip_of({"notes.txt": b"hello"}, "x.zip")) is None
        with pytest.raises(InputError, match="holds no zarr.json"):
            ZipStore(zip_of({"notes.txt": b"hello"}, "x.zip"))


class TestReviewedCases:
    def test_a_lying_chunk_shape_is_refused_before_decoding(self):
        entries = _store(_volume())
        meta = json.loads(entries["0/zarr.json"])
        meta["chunk_grid"]["configuration"]["chunk_shape"] = [1, 40000, 40000]
        with pytest.raises(InputError, match="40000x40000x1 int16 = 3200000000 bytes, more than the 1000000 byte limit"):
            read_volume(_bad(entries, "0/zarr.json", meta), budget=1_000_000)
        meta["shape"], meta["chunk_grid"]["configuration"]["chunk_shape"] = [200, 200, 200], [1, 1, 1]
        with pytest.raises(InputError, match="declares 8000000 chunks"):
            read_volume(_bad(entries, "0/zarr.json", meta))

    @pytest.mark.parametrize("change, words", [
        ({"chunk_grid": ["regular"]}, "chunk_grid must be a JSON object"),
        ({"chunk_key_encoding": {"name": "default", "configuration": "x"}}, "configuration must be a JSON object"),
        ({"fill_value": 100000}, "fill_value 100000 is out of the range of int16"),
        ({"codecs": [{"name": "bytes", "configuration": 3}]}, "codecs must be a list of {name, configuration}"),
    ])
    def test_malformed_members_are_named(self, change, words):
        entries = _store(_volume())
        meta = {**json.loads(entries["0/zarr.json"]), **change}
        with pytest.raises(InputError, match=re.escape(words)):
            read_volume(_bad(entries, "0/zarr.json", meta))

    def test_ome_zarr_of_other_tools_keeps_its_scale(self, tmp_path):
        entries = _store(_volume())
        meta = json.loads(entries["0/zarr.json"])
        del meta["attributes"]["dicomforge"]
        volume = read_volume(_bad(entries, "0/zarr.json", meta))
        assert volume.spacing == (0.7, 0.9, 2.5) and volume.origin == (-10.0, 20.5, 5.0)

    def test_a_store_dropped_as_loose_files_leaves_the_other_inputs_alone(self):
        from dicomforge.formats.writers import write_nrrd

        inputs = [NamedInput(k, v) for k, v in _store(_volume()).items()]
        inputs.append(NamedInput("brain.nrrd", b"".join(write_nrrd(_volume()))))
        names = [e["name"] for e in jobs.start("export", inputs, {"format": "nrrd"}) if e["type"] == "file"]
        assert sorted(names) == ["brain.nrrd", "zarr.nrrd"]

    @pytest.mark.parametrize("compressor, level, ok", [("gzip", 15, False), ("blosc", 15, False), ("blosc", 9, True),
                                                        ("zstd", 22, True)])
    def test_levels_are_checked_per_compressor(self, compressor, level, ok):
        events = list(jobs.start("zarr", [zip_of(_store(_volume()))], {"compressor": compressor, "level": level}))
        assert (events[-1]["type"] != "failed") == ok
