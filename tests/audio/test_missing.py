"""Values the meter cannot give say why, and odd rates still get what can be measured."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from audio_signals import tone

from soundlint.audio.analyse import measure_file, measure_file_pyloudnorm
from soundlint.cache import MeasurementCache
from soundlint.model import Measurement

LOUDNESS = ("integrated_lufs", "loudness_range_lu", "max_momentary_lufs", "max_short_term_lufs")


def _write(path: Path, samples: np.ndarray, rate: int = 48000) -> Path:
    soundfile.write(path, samples, rate, subtype="PCM_16")
    return path


@pytest.mark.parametrize("measure", [measure_file, measure_file_pyloudnorm])
def test_rate_too_low_for_k_weighting_keeps_peaks_dc_and_silence(tmp_path: Path, measure) -> None:
    rate = 3000
    t = np.arange(2 * rate) / rate
    samples = (0.5 * np.sin(2 * np.pi * 100 * t) + 0.01)[:, None]
    result = measure(_write(tmp_path / "low.wav", samples, rate))
    assert all(getattr(result, field) is None for field in LOUDNESS)
    missing = dict(result.missing)
    assert set(missing) == set(LOUDNESS)
    assert all("3000 Hz" in reason and "K-weighting" in reason for reason in missing.values())
    assert result.sample_peak_dbfs == pytest.approx(20 * np.log10(0.51), abs=0.1)
    assert result.true_peak_dbtp is not None
    assert result.dc_offset == pytest.approx((0.01,), abs=1e-4)
    assert result.leading_silence_s == 0.0


def test_eight_khz_is_measured(tmp_path: Path) -> None:
    result = measure_file(_write(tmp_path / "phone.wav", tone(-20.0, 1.0, rate=8000), 8000))
    assert result.integrated_lufs is not None
    assert result.missing == (
        ("loudness_range_lu", "shorter than one 3 s window"),
        ("max_short_term_lufs", "shorter than one 3 s window"),
    )


def test_reasons_for_short_silent_and_quiet_files(tmp_path: Path) -> None:
    short = dict(measure_file(_write(tmp_path / "s.wav", tone(-20.0, 0.3))).missing)
    assert short["integrated_lufs"] == "shorter than one 400 ms block"
    assert short["max_momentary_lufs"] == "shorter than one 400 ms block"
    assert short["loudness_range_lu"] == "shorter than one 3 s window"
    silent = dict(measure_file(_write(tmp_path / "z.wav", np.zeros((4 * 48000, 2)))).missing)
    assert silent["integrated_lufs"] == silent["true_peak_dbtp"] == "digital silence"
    assert silent["loop_seam_ratio"] == "the signal does not change"
    quiet = dict(measure_file(_write(tmp_path / "q.wav", tone(-80.0, 4.0))).missing)
    assert quiet["integrated_lufs"] == "below the -70 LUFS absolute gate throughout"
    assert quiet["loudness_range_lu"] == "below the -70 LUFS absolute gate throughout"
    assert "max_momentary_lufs" not in quiet


def test_measure_command_says_why(tmp_path: Path, run) -> None:
    _write(tmp_path / "blip.wav", tone(-20.0, 0.3))
    _write(tmp_path / "low.wav", tone(-20.0, 1.0, rate=3000), 3000)
    result = run("measure", "--output-format", "json", "blip.wav", "low.wav")
    assert result.code == 0
    blip, low = json.loads(result.out)["files"]
    assert blip["missing"]["integrated_lufs"] == "shorter than one 400 ms block"
    assert blip["true_peak_dbtp"] is not None and "true_peak_dbtp" not in blip["missing"]
    assert "K-weighting" in low["missing"]["integrated_lufs"]
    crest = 20 * np.log10(np.sin(np.pi / 3))  # 1 kHz at 3 kHz: samples at 0 and ±60 degrees
    assert low["sample_peak_dbfs"] == pytest.approx(-20.0 + crest, abs=0.01)
    text = run("measure", "blip.wav").out
    assert "integrated:       - (shorter than one 400 ms block)" in text


def test_cache_keeps_the_reasons(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.wav", tone(-20.0, 0.3))
    measured = measure_file(path)
    cache = MeasurementCache(tmp_path / "cache", "test", 1 << 20)
    cache.put(path, measured)
    cached = cache.get(path)
    assert isinstance(cached, Measurement)
    assert cached == measured
    assert cached.missing
