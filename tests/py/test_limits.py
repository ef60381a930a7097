"""Tests for dicomforge.limits: the memory budget, its parsing, and where it applies."""

import pytest

import fuzz_corpus
from dicomforge import cli, jobs
from dicomforge.errors import InputError, OptionsError
from dicomforge.formats import read_volume
from dicomforge.inputs import InputFeed, NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES, parse_size

SEEDS = {s.name: s for s in fuzz_corpus.seeds()}
NRRD = SEEDS["nrrd_gzip"].files["d.nrrd"]  # 6x5x4 int16 = 240 bytes, gzip


class TestParseSize:
    @pytest.mark.parametrize("text, expected", [("800M", 800 << 20), ("1.5G", 3 << 29), ("4096", 4096),
                                                ("64 KiB", 64 << 10), (1000, 1000)])
    def test_sizes(self, text, expected):
        """Plain numbers and K/M/G (binary) suffixes."""
        assert parse_size(text) == expected

    @pytest.mark.parametrize("text", ["lots", "-5", "0", True, "1T"])
    def test_rejects(self, text):
        """Text that is no positive size is an OptionsError naming it."""
        with pytest.raises(OptionsError, match="memory budget"):
            parse_size(text)

    def test_beyond_platform(self):
        """A budget the platform cannot hold is refused."""
        with pytest.raises(OptionsError, match="exceeds what this platform can hold"):
            parse_size(PLATFORM_MAX_BYTES + 1)


class TestBudget:
    def test_default(self):
        """No budget given: the platform's ceiling."""
        assert parse_size(None) == PLATFORM_MAX_BYTES

    def test_reader_refuses_above_budget(self):
        """A volume larger than the budget it is given is refused before reading, with both numbers."""
        with pytest.raises(InputError, match=r"= 240 bytes, more than the 200 byte limit \(the memory budget\)"):
            read_volume(NamedInput("d.nrrd", NRRD), budget=200)
        assert read_volume(NamedInput("d.nrrd", NRRD)).size == (6, 5, 4)

    def test_interleaved_jobs_keep_their_budgets(self):
        """Two jobs run interleaved in one worker each read with their own budget."""
        feed = InputFeed(1)
        small = jobs.start("series", feed, {"memory_budget": 100})
        assert next(small)["type"] == "wait"  # started, waiting for its input
        big = jobs.start("series", [NamedInput("b.nrrd", NRRD)], {"memory_budget": "1M"})
        first = next(big)  # the other job is under way meanwhile
        feed.add(NamedInput("a.nrrd", NRRD))
        small_events = list(small)
        assert [e["type"] for e in small_events] == ["error"] and "100 byte limit" in small_events[0]["message"]
        assert sum(e["type"] == "file" for e in [first, *big]) == 4

    def test_job_option(self):
        """memory_budget as a job option: an error for that input; a bad value fails the job."""
        events = list(jobs.start("series", [NamedInput("d.nrrd", NRRD)], {"memory_budget": 100}))
        assert [e["type"] for e in events] == ["error"] and "100 byte limit" in events[0]["message"]
        assert events[0]["file"] == "d.nrrd"
        [failed] = jobs.start("describe", [NamedInput("d.nrrd", NRRD)], {"memory_budget": "much"})
        assert failed["type"] == "failed" and "not a size" in failed["message"]

    def test_cli_flag(self, tmp_path, capsys):
        """--memory-budget applies to every input of the command."""
        path = tmp_path / "d.nrrd"
        path.write_bytes(NRRD)
        code = cli.main(["--memory-budget", "100", "series", str(path), "-o", str(tmp_path / "out")])
        assert code == cli.EXIT_BAD_INPUT
        assert "more than the 100 byte limit" in capsys.readouterr().err
        assert cli.main(["--memory-budget", "1M", "series", str(path), "-o", str(tmp_path / "out")]) == cli.EXIT_OK
