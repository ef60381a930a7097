"""Tests for dicomforge.bench, the bench CLI and the bench jobs.

Figures are never asserted (they are measurements, not properties); what is asserted is
that the workloads run the real code on the inputs they claim, deterministically, and
that reports carry what the comparison needs.
"""

import io
import json
import struct

import pydicom
import pytest

from dicomforge import bench, cli, jobs, kernels
from dicomforge.bench.jobs import BENCH
from dicomforge.errors import OptionsError
from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput

TINY = bench.BenchConfig(slices=2, files=3, runs=2)


class TestBenchConfig:
    def test_defaults(self):
        """The defaults are the issue's workload sizes: 300 slices, 500 files, 5 runs."""
        assert (bench.BenchConfig().slices, bench.BenchConfig().files, bench.BenchConfig().runs) == (300, 500, 5)

    @pytest.mark.parametrize("field", ["slices", "files", "runs"])
    def test_rejects_non_positive(self, field):
        """Zero or negative sizes are an OptionsError naming the field and value."""
        with pytest.raises(OptionsError, match=f"{field} must be a positive integer, got 0"):
            bench.BenchConfig(**{field: 0})


class TestSyntheticInputs:
    def test_deterministic_and_distinct(self):
        """The same seed gives the same bytes; slices differ from each other; another seed differs."""
        volume = bench.synthetic_volume(64, 3, "int16", seed=1)
        assert volume == bench.synthetic_volume(64, 3, "int16", seed=1)
        assert volume != bench.synthetic_volume(64, 3, "int16", seed=2)
        size = 64 * 64 * 2
        slices = [volume[k * size:(k + 1) * size] for k in range(3)]
        assert len(volume) == 3 * size and len(set(slices)) == 3

    def test_float_values_finite(self):
        """The float32 volume holds finite CT-like values (no NaN that would fail the writer)."""
        values = struct.unpack(f"<{64 * 64}f", bench.synthetic_slice(64, "float32", 1))
        assert all(-3000 < v < 3000 for v in values)

    @pytest.mark.parametrize("dtype", ["int16", "float32"])
    def test_nifti_reads_back(self, dtype):
        """The series workload's NIfTI is read by our reader as 512x512xN of that dtype, voxels intact."""
        nifti = bench.series_nifti(TINY, dtype)
        volume = read_volume(NamedInput("bench.nii", nifti))
        assert (volume.size, volume.dtype) == ((512, 512, 2), dtype)
        assert bytes(volume.data) != bytes(len(volume.data))

    def test_nifti_oracle(self, tmp_path):
        """nibabel reads the same NIfTI with the same shape, dtype and voxels."""
        nibabel = pytest.importorskip("nibabel")
        np = pytest.importorskip("numpy")
        path = tmp_path / "bench.nii"
        path.write_bytes(bench.series_nifti(TINY, "int16"))
        image = nibabel.load(path)
        assert image.shape == (512, 512, 2) and image.get_data_dtype() == np.int16
        expected = bench.synthetic_volume(512, 2, "int16", TINY.seed)
        assert np.asarray(image.dataobj).tobytes(order="F") == expected

    def test_ct_frame(self):
        """The render frame is 512x512 int16 and depends on the seed."""
        assert len(bench.ct_frame(1).PixelData) == 512 * 512 * 2
        assert bench.ct_frame(1).PixelData != bench.ct_frame(2).PixelData


class TestMeasure:
    @pytest.mark.parametrize("name", list(bench.WORKLOADS))
    def test_every_workload(self, name):
        """Each workload runs on the tiny config and reports ordered statistics and its params."""
        steps = bench.measure(name, TINY)
        progress = []
        while True:
            try:
                progress.append(next(steps))
            except StopIteration as finished:
                figures = finished.value
                break
        count = {"slices": 2, "files": 3, None: bench.REPEATS}[bench.WORKLOADS[name][1]]
        assert figures["count"] == count and figures["runs"] == 2
        assert progress[-1] == (2 * count, 2 * count)
        for key in ("run_ms", "per_unit_ms"):
            t = figures[key]
            assert 0 < t["min"] <= t["median"] <= t["p95"] <= t["max"]
        assert figures["per_s"] > 0 and figures["mb_per_s"] > 0
        assert figures["params"]["seed"] == 1

    def test_overlay_workload_writes_overlays(self):
        """The overlay workload's job really adds a plane: its outputs carry group 6000 with the mask."""
        outputs = []
        original = jobs.start

        def spy(name, inputs, options):
            for event in original(name, inputs, options):
                if event["type"] == "file":
                    outputs.append(event["data"])
                yield event

        case = bench.WORKLOADS["overlay"][0](TINY, 3)
        jobs.start, saved = spy, jobs.start
        try:
            list(case.steps())
        finally:
            jobs.start = saved
        assert len(outputs) == 3
        ds = pydicom.dcmread(io.BytesIO(outputs[0]))
        assert ds[0x6000, 0x0010].value == 256 and ds[0x6000, 0x3000].VR == "OW"


class TestReport:
    def test_report_contents(self):
        """run() reports the environment, the config and the spike reference beside the figures."""
        report = bench.run(["render"], TINY)
        assert report["environment"]["backend"] == kernels.BACKEND
        assert report["config"] == {"slices": 2, "files": 3, "runs": 2, "seed": 1}
        assert report["reference"]["seconds"]["Pyodide, Firefox"] == 138.88
        assert list(report["workloads"]) == ["render"]

    def test_unknown_workload(self):
        """An unknown workload name is an OptionsError listing the known ones."""
        with pytest.raises(OptionsError, match="unknown workload.*nope.*known: series_int16"):
            bench.run(["nope"], TINY)


class TestCli:
    def test_json_per_backend(self, tmp_path, capsys):
        """bench --json writes one report per available backend, and prints a line for each."""
        out = tmp_path / "b.json"
        args = ["bench", "--workload", "display_table", "--runs", "2", "--json", str(out)]
        assert cli.main(args) == cli.EXIT_OK
        reports = json.loads(out.read_text())["native"]
        expected = [b for b in ("numpy", "stdlib") if b in {k.name for k in kernels.available_backends()}]
        assert [r["environment"]["backend"] for r in reports] == expected
        assert all(r["workloads"]["display_table"]["runs"] == 2 for r in reports)
        assert capsys.readouterr().out.count("display_table") == len(expected)

    def test_active_backend_only(self, tmp_path):
        """--backend with the active backend measures only that one, in this process."""
        out = tmp_path / "b.json"
        assert cli.main(["bench", "--workload", "render", "--runs", "1", "--backend", kernels.BACKEND,
                         "--json", str(out)]) == cli.EXIT_OK
        assert [r["environment"]["backend"] for r in json.loads(out.read_text())["native"]] == [kernels.BACKEND]

    def test_unknown_workload(self, capsys):
        """An unknown workload is exit 2 with the known ones listed."""
        assert cli.main(["bench", "--workload", "nope"]) == cli.EXIT_BAD_INPUT
        assert "unknown workload(s): nope (known: series_int16" in capsys.readouterr().err

    def test_bad_runs(self, capsys):
        """--runs 0 is exit 2 naming the option."""
        assert cli.main(["bench", "--runs", "0"]) == cli.EXIT_BAD_INPUT
        assert "runs must be a positive integer, got 0" in capsys.readouterr().err


class TestJobs:
    def test_bench_job(self):
        """The bench job reports progress, then one result holding the whole report."""
        events = list(BENCH.start("bench", [], {"workloads": ["render", "display_table"], "runs": 2}))
        assert events[-1]["type"] == "result" and events[-1]["file"] == "bench"
        report = events[-1]["value"]
        assert list(report["workloads"]) == ["render", "display_table"]
        assert report["config"]["runs"] == 2
        done = [e for e in events if e["type"] == "progress"]
        assert done and done[-1]["done"] == done[-1]["total"]

    def test_bench_job_bad_option(self):
        """An unknown option or a bad size fails the job with a message naming it."""
        [event] = BENCH.start("bench", [], {"speed": 3})
        assert event["type"] == "failed" and "unknown bench option(s): speed" in event["message"]
        [event] = BENCH.start("bench", [], {"runs": -1})
        assert event["type"] == "failed" and "runs must be a positive integer, got -1" in event["message"]

    def test_fixture(self):
        """The dcmjs fixture is the int16 workload's voxels and our first slice of them."""
        events = list(BENCH.start("bench_fixture", [], {"slices": 2}))
        files = {e["name"]: e["data"] for e in events if e["type"] == "file"}
        assert len(files["volume.raw"]) == 512 * 512 * 2 * 2
        template = pydicom.dcmread(io.BytesIO(files["template.dcm"]))
        assert (template.Rows, template.Columns, template.Modality, template.InstanceNumber) == (512, 512, "CT", 1)
        assert template.PixelData == files["volume.raw"][: 512 * 512 * 2]
        assert events[-1]["value"] == {"size": 512, "slices": 2, "dtype": "int16", "seed": 1}
