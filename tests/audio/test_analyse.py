"""measure_file on real files: decode errors, non-finite samples, silence, clipping, DC, seams."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from audio_signals import tone

from soundlint.audio.analyse import (
    UnreadableAudio,
    clip_level,
    measure_file,
    measure_file_pyloudnorm,
)
from soundlint.audio.meter import LoudnessMeter

RATE = 48000


def _write(path: Path, samples: np.ndarray, subtype: str = "FLOAT", rate: int = RATE) -> Path:
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def test_unopenable_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio at all")
    with pytest.raises(UnreadableAudio):
        measure_file(path)


def test_truncated_flac_reports_where_decoding_stopped(tmp_path: Path) -> None:
    # libsndfile shortens a truncated WAV silently; a truncated FLAC fails part-way
    # ("flac decoder lost sync").
    samples = 0.3 * np.random.default_rng(0).standard_normal((4 * RATE, 2))
    path = _write(tmp_path / "cut.flac", samples, "PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = measure_file(path, block_frames=16384)
    assert result.decode_error is not None
    assert result.decode_error_at_s is not None
    assert 0.5 < result.decode_error_at_s < 2.5
    assert result.frames == round(result.decode_error_at_s * RATE)
    assert result.integrated_lufs is not None


def test_complete_file_has_no_decode_error(tmp_path: Path) -> None:
    result = measure_file(_write(tmp_path / "ok.flac", tone(-20.0, 1.0), "PCM_16"))
    assert result.decode_error is None
    assert result.decode_error_at_s is None
    assert result.frames == RATE


def test_nonfinite_samples_are_counted_and_measured_as_zero(tmp_path: Path) -> None:
    samples = tone(-20.0, 2.0)
    broken = samples.copy()
    broken[1000, 0] = np.nan
    broken[2000, 1] = np.inf
    broken[3000:3003, 0] = -np.inf
    clean = samples.copy()
    clean[[1000, 3000, 3001, 3002], 0] = 0.0
    clean[2000, 1] = 0.0
    result = measure_file(_write(tmp_path / "nan.wav", broken))
    reference = measure_file(_write(tmp_path / "zeroed.wav", clean))
    assert result.nonfinite_samples == 5
    assert result.integrated_lufs == reference.integrated_lufs
    assert result.true_peak_dbtp == reference.true_peak_dbtp
    assert all(math.isfinite(value) for value in result.dc_offset)
    assert result.clipped_runs == ()


def test_digital_silence_is_unmeasurable(tmp_path: Path) -> None:
    result = measure_file(_write(tmp_path / "silence.wav", np.zeros((2 * RATE, 2)), "PCM_16"))
    assert result.integrated_lufs is None
    assert result.loudness_range_lu is None
    assert result.true_peak_dbtp is None
    assert result.sample_peak_dbfs is None
    assert result.max_momentary_lufs is None
    assert result.max_short_term_lufs is None
    assert result.loop_seam_ratio is None
    assert result.leading_silence_s == result.trailing_silence_s == 2.0


def test_too_short_for_a_gating_block(tmp_path: Path) -> None:
    result = measure_file(_write(tmp_path / "blip.wav", tone(-10.0, 0.3)))
    assert result.integrated_lufs is None
    assert result.max_momentary_lufs is None
    assert result.max_short_term_lufs is None
    assert result.sample_peak_dbfs == pytest.approx(-10.0, abs=0.01)


def test_clipped_runs_in_16_bit_pcm(tmp_path: Path) -> None:
    samples = 0.5 * tone(0.0, 2.0)
    samples[48000:48005, 0] = 1.0  # 5 samples at full scale from 1.0 s
    samples[48003:48010, 1] = -1.0  # overlapping run in the other channel, to 48010
    samples[72000:72002, 0] = 1.0  # only 2 samples: not a run
    samples[90000:90003, 1] = 1.0  # exactly 3
    result = measure_file(_write(tmp_path / "clip.wav", samples, "PCM_16"))
    assert result.clipped_runs == ((48000 / RATE, 48010 / RATE), (90000 / RATE, 90003 / RATE))
    assert clip_level("PCM_16") == 1.0 - 2.0**-15


def test_full_scale_tone_at_nyquist_is_not_clipping(tmp_path: Path) -> None:
    samples = np.tile([1.0, -1.0], RATE)[:, None]  # +FS, -FS, +FS, ...: no two alike in a row
    result = measure_file(_write(tmp_path / "nyquist.wav", samples, "PCM_16"))
    assert result.clipped_runs == ()


def test_a_clipped_run_keeps_one_sign(tmp_path: Path) -> None:
    samples = 0.5 * tone(0.0, 1.0)
    samples[1000:1004, 0] = [1.0, 1.0, -1.0, -1.0]  # two and two: no run of three alike
    samples[9000:9006, 0] = [1.0, 1.0, 1.0, -1.0, -1.0, -1.0]  # three and three: one event
    result = measure_file(_write(tmp_path / "signs.wav", samples, "PCM_16"))
    assert result.clipped_runs == ((9000 / RATE, 9006 / RATE),)


def test_clipped_runs_close_together_on_any_channel_are_one_event(tmp_path: Path) -> None:
    samples = 0.5 * tone(0.0, 2.0)
    samples[24000:24004, 0] = 1.0
    samples[24005:24008, 1] = 1.0  # the other channel, one sample later
    samples[24200:24204, 0] = -1.0  # 4 ms later: the same moment to a listener
    samples[48000:48003, 1] = 1.0  # half a second later: another event
    for block in (97, 65536):
        result = measure_file(_write(tmp_path / "near.wav", samples, "PCM_16"), block_frames=block)
        assert result.clipped_runs == ((24000 / RATE, 24204 / RATE), (48000 / RATE, 48003 / RATE))


def test_leading_and_trailing_silence(tmp_path: Path) -> None:
    samples = np.concatenate([np.zeros((RATE // 2, 2)), tone(-20.0, 1.0), np.zeros((RATE // 4, 2))])
    samples[: RATE // 2] += 0.0005  # -66 dBFS: still silence
    result = measure_file(_write(tmp_path / "gaps.wav", samples))
    # The tone starts at phase 0: its first sample above -60 dBFS is the second one.
    assert result.leading_silence_s == pytest.approx(0.5, abs=2 / RATE)
    assert result.trailing_silence_s == pytest.approx(0.25, abs=2 / RATE)


def test_dc_offset_per_channel(tmp_path: Path) -> None:
    samples = tone(-20.0, 1.0) + np.array([0.1, -0.05])
    result = measure_file(_write(tmp_path / "dc.wav", samples))
    assert result.dc_offset == pytest.approx((0.1, -0.05), abs=1e-4)


def test_loop_seam_ratio(tmp_path: Path) -> None:
    whole = tone(-6.0, 1.0)  # 1000 whole periods: the wrap is one ordinary step
    broken = tone(-6.0, 1.00025)  # a quarter period more: the wrap jumps from the crest
    seamless = measure_file(_write(tmp_path / "loop.wav", whole)).loop_seam_ratio
    jumpy = measure_file(_write(tmp_path / "jump.wav", broken)).loop_seam_ratio
    assert seamless is not None and jumpy is not None
    assert seamless < 1.1  # the largest steps of a sine are its steps at the zero crossings
    assert jumpy > 7.0


def _seam(tmp_path: Path, samples: np.ndarray, block_frames: int = 65536) -> float:
    ratio = measure_file(_write(tmp_path / "seam.wav", samples), block_frames=block_frames)
    assert ratio.loop_seam_ratio is not None
    return ratio.loop_seam_ratio


def test_loop_seam_of_a_square_wave_is_one_of_its_own_edges(tmp_path: Path) -> None:
    t = np.arange(RATE) / RATE
    square = 0.5 * np.sign(np.sin(2 * np.pi * 100 * t))  # starts at 0, ends at -0.5
    slow = 0.5 * np.sign(np.sin(2 * np.pi * 5 * t + 0.1))  # 10 edges a second
    assert _seam(tmp_path, square) <= 1.1
    assert _seam(tmp_path, slow, block_frames=1000) <= 1.1


def test_loop_seam_of_noise_is_an_ordinary_step(tmp_path: Path) -> None:
    noise = 0.2 * np.random.default_rng(3).standard_normal(2 * RATE)
    assert _seam(tmp_path, noise) < 1.0


def test_loop_seam_click_on_a_smooth_pad(tmp_path: Path) -> None:
    t = np.arange(2 * RATE) / RATE
    pad = sum(0.2 * np.sin(2 * np.pi * f * t) for f in (110.0, 165.0, 220.0))
    assert _seam(tmp_path, pad) < 1.1
    pad[-1] += 0.1  # the last sample clicks
    assert _seam(tmp_path, pad) > 5.0


def test_pyloudnorm_variant_takes_integrated_and_lra_from_pyloudnorm(tmp_path: Path) -> None:
    samples = np.concatenate([tone(-30.0, 4.0), tone(-20.0, 4.0)])
    path = _write(tmp_path / "steps.wav", samples)
    decoded, _ = soundfile.read(path, dtype="float32", always_2d=True)
    meter = pyloudnorm.Meter(RATE)
    result = measure_file_pyloudnorm(path)
    built_in = measure_file(path)
    assert result.integrated_lufs == pytest.approx(
        meter.integrated_loudness(decoded.astype(np.float64)), abs=1e-9
    )
    assert result.loudness_range_lu == pytest.approx(
        meter.loudness_range(decoded.astype(np.float64)), abs=1e-9
    )
    assert result.true_peak_dbtp == built_in.true_peak_dbtp
    assert result.max_momentary_lufs == built_in.max_momentary_lufs


def test_pyloudnorm_variant_on_silence_gives_none(tmp_path: Path) -> None:
    result = measure_file_pyloudnorm(_write(tmp_path / "quiet.wav", np.zeros((RATE, 2))))
    assert result.integrated_lufs is None
    assert result.loudness_range_lu is None


def test_blocks_in_flight_are_not_overwritten_by_the_next_decode(tmp_path: Path) -> None:
    """The decoder reuses two buffers; the meter's threads must work on copies (mono files
    used to share the buffer, and read the next block's samples)."""
    rate = 48000
    t = np.arange(20 * rate) / rate
    sine = np.sin(2 * np.pi * 1000 * t)
    samples = np.concatenate([0.1 * sine[: 10 * rate], 0.01 * sine[10 * rate :]])
    path = tmp_path / "steps.wav"
    soundfile.write(path, samples, rate, subtype="PCM_24")
    decoded, _ = soundfile.read(path, dtype="float32", always_2d=True)
    whole = LoudnessMeter(rate, 1)
    whole.feed(decoded)
    expected = whole.result()
    for _ in range(5):
        measured = measure_file(path)
        assert measured.loudness_range_lu == pytest.approx(expected.loudness_range_lu, abs=1e-6)
        assert measured.integrated_lufs == pytest.approx(expected.integrated_lufs, abs=1e-6)
