"""What a run reads and computes: only the measures the enabled rules need, each file read
once on a cold run, a warm run without the audio stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from soundlint import cache as cache_module
from soundlint.audio import analyse, kernel, meter
from soundlint.audio.analyse import measure_file
from tests.conftest import write_template, write_wav


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for level, name in ((-3.0, "a"), (-20.0, "b")):
        write_template(tmp_path / name, level_db=level)
        write_wav(tmp_path / name / "main.wav", seconds=2.0, level_db=level)
    return tmp_path


class _Counting:
    """Counts calls of a function, by its first argument."""

    def __init__(self, function):  # type: ignore[no-untyped-def]
        self.function = function
        self.calls: list[object] = []

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls.append(args[0] if args else None)
        return self.function(*args, **kwargs)


def test_each_file_is_read_once_on_a_cold_run(
    project: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = _Counting(cache_module.hash_file)
    decodes = _Counting(analyse._measure)
    monkeypatch.setattr(cache_module, "hash_file", hashes)
    monkeypatch.setattr(analyse, "_measure", decodes)
    check("-j", "1")
    wavs = sorted(project.rglob("*.wav"))
    assert sorted(hashes.calls) == wavs  # hashed once each, by what measures it
    assert sorted(decodes.calls) == wavs  # decoded once each
    hashes.calls.clear()
    decodes.calls.clear()
    check("-j", "1")  # warm: the stat index answers
    assert hashes.calls == [] and decodes.calls == []


def test_a_fresh_clone_is_hashed_not_decoded(
    project: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check("-j", "1", "--cache-dir", str(project / "cache"))
    decodes = _Counting(analyse._measure)
    monkeypatch.setattr(analyse, "_measure", decodes)
    for wav in project.rglob("*.wav"):
        wav.write_bytes(wav.read_bytes())  # new mtime, same bytes
    again = check("-j", "1", "--cache-dir", str(project / "cache"))
    assert decodes.calls == []
    assert again.json == first.json


def test_wav002_alone_runs_no_meter(project: Path, check, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = project / "a" / "intro.wav"
    write_wav(broken, seconds=1.0, subtype="FLOAT")
    data = bytearray(broken.read_bytes())
    data[-400:-396] = np.array([np.nan], dtype=np.float32).tobytes()
    broken.write_bytes(bytes(data))

    def no_meter(*args: object, **kwargs: object) -> None:
        raise AssertionError("the loudness meter ran")

    monkeypatch.setattr(analyse, "LoudnessMeter", no_meter)
    result = check("-j", "1", "--no-cache", "--select", "WAV002")
    assert result.codes() == ["WAV002"]
    assert "1 samples are NaN or infinite" in result.json["diagnostics"][0]["message"]


def test_measures_follow_the_rules(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "s.wav", level_db=-1.0)
    full = measure_file(path)
    loudness = measure_file(path, measures={"loudness"})
    decode = measure_file(path, measures={"decode"})
    assert loudness.measures == ("decode", "loudness")
    assert loudness.integrated_lufs == full.integrated_lufs
    assert loudness.true_peak_dbtp is None and loudness.dc_offset == ()
    assert decode.measures == ("decode",) and decode.frames == full.frames
    assert decode.integrated_lufs is None and decode.missing == ()
    content = measure_file(path, measures={"content"})
    assert content.dc_offset == full.dc_offset and content.loop_seam_ratio is None
    seam = measure_file(path, measures={"loop-seam"})
    assert seam.loop_seam_ratio == full.loop_seam_ratio is not None


def test_no_true_peak_when_no_rule_reads_it(
    project: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    states = []
    new_state = meter.kernel.new_state

    def recording(*args: object, **kwargs: object) -> object:
        states.append(kwargs.get("true_peak", True))
        return new_state(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(meter.kernel, "new_state", recording)
    check("-j", "1", "--no-cache", "--select", "LN001")
    assert states and not any(states)
    states.clear()
    check("-j", "1", "--no-cache", "--select", "LN002")
    assert states and all(states)


def test_a_partial_entry_is_completed_when_more_is_needed(
    project: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ["--cache-dir", str(project / "cache")]
    check("-j", "1", "--select", "WAV002", *cache)
    entries = list((project / "cache" / "measurements").glob("*/*.json"))
    assert {tuple(json.loads(e.read_text())["measures"]) for e in entries} == {("decode",)}
    full = check("-j", "1", *cache)
    assert "LN001" in full.codes()
    entries = list((project / "cache" / "measurements").glob("*/*.json"))
    measures = {tuple(json.loads(e.read_text())["measures"]) for e in entries}
    intro = ("decode", "loudness", "true-peak", "content")
    assert measures == {intro, (*intro, "loop-seam")}  # AU005 reads only "main", which loops
    decodes = _Counting(analyse._measure)
    monkeypatch.setattr(analyse, "_measure", decodes)
    assert check("-j", "1", "--select", "WAV002", *cache).codes() == []
    assert check("-j", "1", *cache).json == full.json
    assert decodes.calls == []  # the completed entries serve both


def test_a_warm_run_does_not_import_the_audio_stack(project: Path) -> None:
    command = [sys.executable, "-m", "soundlint", "check", "-j", "1", "."]
    subprocess.run(command, cwd=project, capture_output=True, check=False)
    probe = (
        "import sys\n"
        "from soundlint.cli import main\n"
        "code = main(['check', '-j', '1', '.'])\n"
        "heavy = sorted(m for m in ('numpy', 'soundfile', 'scipy', 'xxhash') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[-1] == "1 []", done.stderr
    assert "LN001" in done.stdout


def test_a_digest_is_trusted_only_for_the_file_it_was_taken_of(tmp_path: Path) -> None:
    from soundlint import api
    from soundlint.analysis import Job, _run

    path = write_wav(tmp_path / "s.wav")
    session = api.start((), search_config=False)
    plugins, settings = session.plugins, session.settings()
    where = (tmp_path / "cache", "meter")
    signature = cache_module.stat_signature(path)
    trusted = _run(plugins, Job(path, frozenset({"decode"}), where, "0" * 32, signature), settings)
    assert trusted.digest == "0" * 32
    edited = Job(path, frozenset({"decode"}), where, "0" * 32, [0, 0, 0])  # changed since
    assert _run(plugins, edited, settings).digest == cache_module.hash_file(path)


@pytest.mark.parametrize("backend", sorted(kernel.BACKENDS))
def test_each_kernel_skips_the_true_peak_but_not_the_sample_peak(backend: str) -> None:
    from soundlint.audio import truepeak

    implementation = kernel.BACKENDS[backend]
    samples = np.random.default_rng(1).uniform(-0.5, 0.5, (4800, 2)).astype(np.float32)
    peaks = []
    for true_peak in (True, False):
        state = implementation.State(
            48000,
            [1.0, 1.0],
            None,
            truepeak.WINDOW_WEIGHTS.ravel().tolist(),
            truepeak.SAFE_BOUND,
            true_peak=true_peak,
        )
        implementation.feed(state, samples)
        peaks.append(implementation.peaks(state))
    assert peaks[1][0] == peaks[0][0] == float(np.abs(samples).max())
    assert peaks[1][1] == peaks[1][0]  # not oversampled: the sample peak
    assert peaks[0][1] > peaks[0][0]  # oversampled: above the samples
