"""Tests for dicomforge.bench and the bench CLI/job (structure only: figures are not asserted)."""

import json

from dicomforge import bench, cli, jobs


class TestTimings:
    def test_statistics(self):
        """timings reports ordered statistics over the requested runs."""
        figures = bench.timings(lambda: sum(range(1000)), runs=5, warmup=1)
        assert figures["runs"] == 5
        assert figures["min"] <= figures["median"] <= figures["p95"] <= figures["max"]


class TestCtFrame:
    def test_deterministic(self):
        """The synthetic CT frame is the same for the same seed, different for another."""
        assert bench.ct_frame(1).PixelData == bench.ct_frame(1).PixelData
        assert bench.ct_frame(1).PixelData != bench.ct_frame(2).PixelData
        assert len(bench.ct_frame().PixelData) == 512 * 512 * 2


class TestCli:
    def test_json(self, tmp_path, capsys):
        """bench --json writes the figures it prints."""
        out = tmp_path / "b.json"
        assert cli.main(["bench", "--workload", "render", "--runs", "2", "--json", str(out)]) == 0
        figures = json.loads(out.read_text())
        assert set(figures["workloads"]["render"]) == {"render lung", "render min/max window", "display_lut 40/400"}
        assert "render lung" in capsys.readouterr().out

    def test_unknown_workload(self, capsys):
        """An unknown workload is exit 2 with the known ones listed."""
        assert cli.main(["bench", "--workload", "nope"]) == cli.EXIT_BAD_INPUT
        assert "unknown workload(s): nope (known: render)" in capsys.readouterr().err


class TestJob:
    def test_result_per_workload(self):
        """The bench job yields the figures of each workload."""
        events = list(jobs.start("bench", [], {"workloads": ["render"], "runs": 2}))
        assert events[0]["type"] == "result" and events[0]["file"] == "render"
        assert events[0]["value"]["workloads"]["render"]["render lung"]["runs"] == 2
