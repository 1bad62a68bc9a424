"""The analyse stage: one measurement per file, the cache, workers, a replaceable meter."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile

from soundlint.cache import CACHE_FORMAT
from tests.conftest import write_template, write_wav

COUNTING_METER = textwrap.dedent(
    """
    import os
    from soundlint import hookimpl
    from soundlint.model import Measurement

    @hookimpl(tryfirst=True)
    def soundlint_measure(path):
        with open("meter-calls.log", "a") as log:
            log.write(f"{os.getpid()} {path.name}\\n")
        return Measurement(sample_rate=48000, channels=2, frames=72000, integrated_lufs=-30.0,
                           true_peak_dbtp=0.5, sample_peak_dbfs=-1.0, max_momentary_lufs=-28.0)
    """
)


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with two templates of four different files, and a meter plugin that logs
    each call (files of the same bytes are measured once: see below)."""
    (tmp_path / "counting_meter.py").write_text(COUNTING_METER)
    for level, name in ((-15.0, "a"), (-16.0, "b")):
        write_template(tmp_path / name, level_db=level)
        write_wav(tmp_path / name / "main.wav", seconds=1.25, level_db=level)
    yield tmp_path
    sys.modules.pop("counting_meter", None)


def _calls(root: Path) -> list[str]:
    log = root / "meter-calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_a_plugin_meter_replaces_the_builtin(counted: Path, check) -> None:
    result = check("-p", "counting_meter", "-j", "1")
    codes = result.codes()
    assert codes.count("LN001") == 4 and codes.count("LN002") == 4
    assert len(_calls(counted)) == 4


def test_each_file_is_measured_once_whatever_the_number_of_rules(counted: Path, check) -> None:
    check("-p", "counting_meter", "-j", "1", "--select", "LN,AU")
    assert sorted(line.split()[1] for line in _calls(counted)) == [
        "intro.wav",
        "intro.wav",
        "main.wav",
        "main.wav",
    ]


def test_warm_rerun_measures_nothing(counted: Path, check) -> None:
    first = check("-p", "counting_meter", "-j", "1")
    second = check("-p", "counting_meter", "-j", "1")
    assert len(_calls(counted)) == 4
    assert first.json == second.json


def test_cache_is_keyed_by_content(counted: Path, check) -> None:
    check("-p", "counting_meter", "-j", "1")
    main = counted / "a" / "main.wav"
    os.utime(main, ns=(1, 1))  # touched: same bytes, still cached
    check("-p", "counting_meter", "-j", "1")
    assert len(_calls(counted)) == 4
    write_wav(main, seconds=2.0)  # edited: measured again
    check("-p", "counting_meter", "-j", "1")
    assert len(_calls(counted)) == 5
    check("-p", "counting_meter", "-j", "1", "--no-cache")
    assert len(_calls(counted)) == 9


def test_workers_load_the_same_plugins(counted: Path, check) -> None:
    result = check("-p", "counting_meter", "-j", "2", "--no-cache")
    assert result.codes().count("LN001") == 4
    calls = _calls(counted)
    assert len(calls) == 4
    assert str(os.getpid()) not in {line.split()[0] for line in calls}  # measured in workers


def test_output_is_the_same_whatever_the_number_of_jobs(tmp_path: Path, check) -> None:
    for name in "abcd":
        write_template(tmp_path / name, level_db=-3.0)
    one = check("-j", "1", "--no-cache").json
    two = check("-j", "2", "--no-cache").json
    assert one == two
    assert one["summary"]["errors"] > 0


def test_files_of_the_same_bytes_are_measured_once(tmp_path: Path, check) -> None:
    (tmp_path / "counting_meter.py").write_text(COUNTING_METER)
    write_template(tmp_path / "a")
    write_template(tmp_path / "b")  # four files, one content
    try:
        result = check("-p", "counting_meter", "-j", "1")
    finally:
        sys.modules.pop("counting_meter", None)
    assert result.codes().count("LN001") == 4
    assert len(_calls(tmp_path)) == 1


def test_no_audio_rule_enabled_means_no_measurement(counted: Path, check) -> None:
    check("-p", "counting_meter", "--select", "MD,NM,SC,SR,WAV001,WAV003,WAV004,WAV005,WAV006")
    assert _calls(counted) == []


def test_a_meter_that_raises_is_sl001(tmp_path: Path, check) -> None:
    (tmp_path / "raising_meter.py").write_text(
        "from soundlint import hookimpl\n\n"
        "@hookimpl(tryfirst=True)\n"
        "def soundlint_measure(path):\n"
        "    raise MemoryError('boom')\n"
    )
    write_template(tmp_path / "t", {"main": "main.wav"})
    result = check("-p", "raising_meter", "-j", "1")
    assert result.codes() == ["SL001"]
    assert "MemoryError: boom" in result.json["diagnostics"][0]["message"]


def test_invalid_loudness_engine_is_a_usage_error(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "soundlint.toml").write_text('loudness-engine = "ffmpeg"\n')
    result = run("check")
    assert result.code == 2
    assert "soundlint.toml: 'loudness-engine' must be one of soundlint, pyloudnorm" in result.err


def test_pyloudnorm_engine_gives_pyloudnorm_values(tmp_path: Path, check) -> None:
    import pyloudnorm

    write_template(tmp_path / "t", {"main": "main.wav"}, level_db=-30.0)
    (tmp_path / "soundlint.toml").write_text('loudness-engine = "pyloudnorm"\n')
    data, rate = soundfile.read(tmp_path / "t" / "main.wav")
    expected = pyloudnorm.Meter(rate).integrated_loudness(data)
    [diagnostic] = check("--select", "LN001").json["diagnostics"]
    assert f"{expected:.1f} LUFS" in diagnostic["message"]


def test_nan_samples_are_reported(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    samples = np.full((48000, 2), 0.1, dtype=np.float32)
    samples[100:103] = np.nan
    soundfile.write(tmp_path / "t" / "main.wav", samples, 48000, subtype="FLOAT")
    result = check("--select", "WAV002")
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["message"] == "6 samples are NaN or infinite"


@pytest.mark.parametrize(
    "damage",
    [
        lambda cache: (cache / "index.json").write_text("[1, 2]"),
        lambda cache: (cache / "index.json").write_text(
            json.dumps(
                {
                    "format": CACHE_FORMAT,
                    "files": {str(next(cache.parent.glob("t/*.wav")).resolve()): [1, 2]},
                }
            )
        ),
        lambda cache: [
            entry.write_text('{"sample_rate": "x"}') for entry in cache.rglob("measurements/*/*")
        ],
        lambda cache: [entry.write_bytes(b"\xff") for entry in cache.rglob("measurements/*/*")],
    ],
)
def test_a_damaged_cache_is_a_miss(tmp_path: Path, check, damage) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, level_db=-40.0)
    first = check()
    damage(tmp_path / ".soundlint_cache")
    second = check()
    assert second.err == ""
    assert second.json == first.json
    assert first.codes() == ["LN001"]


def test_a_file_that_kills_its_worker_is_reported_and_the_rest_measured(
    tmp_path: Path, check
) -> None:
    (tmp_path / "crashing_meter.py").write_text(
        textwrap.dedent(
            """
            import os
            from soundlint import hookimpl

            @hookimpl(tryfirst=True)
            def soundlint_measure(path):
                if path.parent.name == "doomed":
                    os._exit(1)  # as a decoder segfault would
            """
        )
    )
    write_template(tmp_path / "doomed", {"main": "main.wav"})
    write_template(tmp_path / "fine", {"main": "main.wav"}, level_db=-40.0)
    result = check("-p", "crashing_meter", "-j", "2", "--no-cache")
    found = {(d["path"], d["code"]) for d in result.json["diagnostics"]}
    assert found == {("doomed/main.wav", "WAV002"), ("fine/main.wav", "LN001")}
    assert result.err == ""


def test_audio_rules_without_a_meter_say_so(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"})
    result = check("-p", "no:meter", "--no-cache")
    assert result.code == 1
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "SL001"
    assert "no plugin measured it" in diagnostic["message"]


def test_pool_batches_hold_every_file_once_largest_first_and_end_small(tmp_path: Path) -> None:
    from soundlint.analysis import MIN_BATCH_BYTES, Job, _batches

    sizes = [3 << 20, 200 << 10, 5 << 20, 1 << 10, 2 << 20, *([300 << 10] * 40)]
    jobs = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"{number}.wav"
        path.write_bytes(bytes(size))
        jobs.append(Job(path, frozenset()))
    batches = _batches(jobs, workers=2)
    flat = [job for batch in batches for job in batch]
    assert sorted(job.path for job in flat) == sorted(job.path for job in jobs)
    flat_sizes = [job.path.stat().st_size for job in flat]
    assert flat_sizes == sorted(sizes, reverse=True)
    assert 4 < len(batches) < len(jobs)
    batch_bytes = [sum(job.path.stat().st_size for job in batch) for batch in batches]
    assert batch_bytes[0] >= batch_bytes[-1]
    assert all(size < 2 * MIN_BATCH_BYTES for size in batch_bytes[-3:])


def test_a_crash_costs_its_own_file_and_a_few_restarts_not_a_process_per_file(
    tmp_path: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a worker dies, the unfinished batches are halved into new pools, not measured
    file by file each in a process of its own."""
    monkeypatch.setattr("soundlint.analysis.MIN_BATCH_BYTES", 1)
    (tmp_path / "crashing_meter.py").write_text(
        textwrap.dedent(
            """
            import os
            from soundlint import hookimpl

            @hookimpl(tryfirst=True)
            def soundlint_measure(path):
                with open("meter-calls.log", "a") as log:
                    log.write(f"{os.getpid()}\\n")
                if path.parent.name == "t07":
                    os._exit(1)  # as a decoder segfault would
            """
        )
    )
    for number in range(40):
        write_template(tmp_path / f"t{number:02d}", {"main": "main.wav"}, level_db=-40.0)
    result = check("-p", "crashing_meter", "-j", "2", "--no-cache", "--select", "WAV002,LN001")
    found = {(d["path"], d["code"]) for d in result.json["diagnostics"]}
    assert ("t07/main.wav", "WAV002") in found
    assert len(found) == 40  # every other file measured: LN001 at -40 dB
    processes = set((tmp_path / "meter-calls.log").read_text().split())
    assert len(processes) <= 16


def test_workers_that_die_before_measuring_anything_end_in_findings_not_a_loop(
    tmp_path: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dying(*args: object) -> None:
        os._exit(1)

    monkeypatch.setattr("soundlint.analysis._start_worker", dying)
    for number in range(3):
        write_template(tmp_path / f"t{number}", {"main": "main.wav"})
    result = check("-j", "2", "--no-cache", "--select", "WAV002")
    messages = {d["path"]: d["message"] for d in result.json["diagnostics"]}
    assert set(messages) == {f"t{number}/main.wav" for number in range(3)}
    assert all("crashed" in message for message in messages.values())
