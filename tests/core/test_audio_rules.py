"""LN and AU rules on generated audio, measured by the built-in meter."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile

from soundlint.checks import loudness
from soundlint.model import Measurement, Segment, SegmentStatus, Template
from tests.conftest import write_template, write_wav

RATE = 48000


def _template(tmp_path: Path, **segments: np.ndarray) -> None:
    write_template(tmp_path / "t", {name: f"{name}.wav" for name in segments}, audio=False)
    for name, samples in segments.items():
        soundfile.write(tmp_path / "t" / f"{name}.wav", samples, RATE, subtype="PCM_24")


def _tone(seconds: float, level_db: float, hz: float = 1000.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 10 ** (level_db / 20) * np.sin(2 * np.pi * hz * t)


def _found(check, *args: str) -> list[tuple[str, str | None, str]]:
    result = check("--no-cache", *args)
    return [(d["code"], d["segment"], d["message"]) for d in result.json["diagnostics"]]


def test_ln001_integrated_loudness_outside_target(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(2.0, -30.0))  # mono 1 kHz at -30 dBFS reads -33.0 LUFS
    [(code, segment, message)] = _found(check, "--select", "LN")
    assert (code, segment) == ("LN001", "main")
    assert message == "integrated loudness -33.0 LUFS is outside -16 ± 3 LUFS (-17.0 LU)"


def test_ln001_target_from_profile(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(2.0, -20.0))  # -23.0 LUFS
    assert _found(check, "--select", "LN001", "--profile", "ebu-r128") == []
    assert [c for c, _, _ in _found(check, "--select", "LN001")] == ["LN001"]


def test_ln002_true_peak_above_ceiling(tmp_path: Path, check) -> None:
    n = np.arange(2 * RATE)
    samples = 0.99 * np.sin(2 * np.pi * n / 4 + np.pi / 4)  # fs/4 at 45°: peaks between samples
    _template(tmp_path, main=samples)
    [(code, _, message)] = _found(check, "--select", "LN002")
    assert code == "LN002"
    true_peak = float(message.split()[2])
    assert -0.5 < true_peak < 0.2  # the samples read -3.1 dBFS; the true peak is 0.99 (-0.09)


def test_ln003_spread_between_segments(tmp_path: Path, check) -> None:
    _template(tmp_path, intro=_tone(1.0, -12.0), main=_tone(2.0, -18.0))
    [(code, segment, message)] = _found(check, "--select", "LN003")
    assert (code, segment) == ("LN003", "main")
    assert "differ by 6.0 LU" in message


def test_ln004_loudness_range_is_off_by_default(tmp_path: Path, check) -> None:
    _template(tmp_path, main=np.concatenate([_tone(10.0, -20.0), _tone(10.0, -40.0)]))
    assert "LN004" not in {code for code, _, _ in _found(check)}
    [(code, _, message)] = _found(check, "--select", "LN004")
    assert code == "LN004"
    assert message.startswith("loudness range 20.0 LU")


def test_ln005_too_short_to_measure(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(0.3, -20.0))
    [(code, _, message)] = _found(check, "--select", "LN005")
    assert (code, message) == (
        "LN005",
        "loudness cannot be measured: the segment lasts 0.300 s, less than one 400 ms block",
    )


def test_au001_clipping_with_times(tmp_path: Path, check) -> None:
    samples = _tone(3.0, -20.0)
    samples[24000:24010] = 1.0
    samples[72000:72003] = -1.0
    samples[120000:120004] = 1.0
    _template(tmp_path, main=samples)
    result = check("--no-cache", "--select", "AU001")
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["message"] == "3 clipped runs, at 0.500 s, 1.500 s, 2.500 s"
    assert (diagnostic["start_s"], diagnostic["end_s"]) == (0.5, 24010 / RATE)
    text = check("--no-cache", "--select", "AU001", "--output-format", "text").out
    assert "AU001 3 clipped runs, at 0.500 s, 1.500 s, 2.500 s\n" in text


def test_au001_lists_each_moment_once(tmp_path: Path, check) -> None:
    samples = np.repeat(_tone(1.0, -20.0)[:, None], 2, axis=1)
    samples[24000:24003, 0] = 1.0  # both channels clip within a millisecond
    samples[24010:24014, 1] = -1.0
    samples[24030:24033, 0] = 1.0
    _template(tmp_path, main=samples)
    [diagnostic] = check("--no-cache", "--select", "AU001").json["diagnostics"]
    assert diagnostic["message"] == "1 clipped run, at 0.500 s"
    assert (diagnostic["start_s"], diagnostic["end_s"]) == (0.5, 24033 / RATE)


def test_au001_says_when_there_are_more_runs_than_kept(tmp_path: Path, check) -> None:
    samples = _tone(26.0, -20.0)
    for start in range(0, 1200 * 1000, 1000):  # 1200 runs of 4 clipped samples, 21 ms apart
        samples[start : start + 4] = 1.0
    _template(tmp_path, main=samples)
    [diagnostic] = check("--no-cache", "--select", "AU001").json["diagnostics"]
    message = diagnostic["message"]
    assert message.startswith("more than 1000 clipped runs, at 0.000 s, 0.021 s, 0.042")


def test_au001_gives_the_span_of_lasting_clipping(tmp_path: Path, check) -> None:
    samples = np.clip(_tone(5.0, 30.0), -1.0, 1.0)  # clipped throughout: one joined run
    _template(tmp_path, main=samples)
    [diagnostic] = check("--no-cache", "--select", "AU001").json["diagnostics"]
    assert diagnostic["message"] == "1 clipped run, from 0.000 to 5.000 s"
    text = check("--no-cache", "--select", "AU001", "--output-format", "text").out
    assert "AU001 1 clipped run, from 0.000 to 5.000 s\n" in text


def test_au001_lists_clicks_by_their_start_and_lasting_runs_by_their_span(
    tmp_path: Path, check
) -> None:
    samples = _tone(3.0, -20.0)
    samples[24000:24004] = 1.0  # a click at 0.5 s
    samples[RATE : 2 * RATE] = np.clip(100 * samples[RATE : 2 * RATE], -1.0, 1.0)
    _template(tmp_path, main=samples)
    [diagnostic] = check("--no-cache", "--select", "AU001").json["diagnostics"]
    assert diagnostic["message"] == "2 clipped runs, at 0.500 s, from 1.000 to 2.000 s"


def test_au002_digital_silence(tmp_path: Path, check) -> None:
    _template(tmp_path, main=np.zeros(RATE))
    assert _found(check, "--select", "AU") == [("AU002", "main", "the segment is digital silence")]


def test_au002_below_the_absolute_gate(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(1.0, -80.0))
    [(code, _, message)] = _found(check, "--select", "AU002")
    assert code == "AU002" and message.startswith("the segment is below -70 LUFS throughout")


def test_au003_leading_and_trailing_silence(tmp_path: Path, check) -> None:
    samples = np.concatenate([np.zeros(RATE), _tone(1.0, -20.0), np.zeros(RATE // 4)])
    _template(tmp_path, main=samples)
    result = check("--no-cache", "--select", "AU003")
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["message"] == "leading silence of 1.00 s, more than 0.5 s"
    assert diagnostic["start_s"] == 0.0
    assert abs(diagnostic["end_s"] - 1.0) < 1e-4
    (tmp_path / "soundlint.toml").write_text("[rules.AU003]\nmax-seconds = 0.1\n")
    assert len(check("--no-cache", "--select", "AU003").json["diagnostics"]) == 2


def test_au004_dc_offset(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(1.0, -20.0) + 0.01)
    [(code, _, message)] = _found(check, "--select", "AU004")
    assert (code, message) == (
        "AU004",
        "channel 1 has a DC offset of -40.0 dBFS (+0.0100), more than -46 dBFS",
    )


def test_au004_leaves_harmless_offsets_alone(tmp_path: Path, check) -> None:
    half_8_bit_step = 1 / 256  # -48.2 dBFS, from a truncating 8-bit converter
    _template(tmp_path, main=_tone(1.0, -20.0) + half_8_bit_step, intro=_tone(1.0, -20.0) + 0.002)
    assert _found(check, "--select", "AU004") == []
    (tmp_path / "soundlint.toml").write_text("[rules.AU004]\nmax-dbfs = -60\n")
    assert [segment for _, segment, _ in _found(check, "--select", "AU004")] == ["intro", "main"]


def test_au004_limit_is_in_dbfs(tmp_path: Path, run) -> None:
    _template(tmp_path, main=_tone(1.0, -20.0))
    (tmp_path / "soundlint.toml").write_text("[rules.AU004]\nmax-dbfs = 3.0\n")
    result = run("check")
    assert result.code == 2
    assert "must be 0 or less" in result.err


def test_threshold_rules_show_values_beyond_their_limits(tmp_path: Path, check) -> None:
    silence = RATE // 2 + 10  # 0.50021 s: "0.50 s" would read as the limit itself
    offset = 10 ** (-45.99 / 20)  # -45.99 dBFS: "-46.0" would too
    main = np.concatenate([np.zeros(silence), _tone(1.0, -20.0)])
    outro = _tone(1.0, -20.0)[: RATE - 10]  # 0.99979 s, shorter than 1 s
    _template(tmp_path, main=main, intro=_tone(1.0, -20.0) + offset, outro=outro)
    (tmp_path / "soundlint.toml").write_text("[rules.AU006]\ndurations = { outro = [1, 2] }\n")
    found = _found(check, "--select", "AU003,AU004,AU006")
    messages = {code: message for code, _, message in found}
    assert messages["AU003"] == "leading silence of 0.5002 s, more than 0.5 s"
    assert messages["AU004"].startswith("channel 1 has a DC offset of -45.99 dBFS")
    assert messages["AU006"] == "'outro' lasts 0.9998 s; it should last 1 to 2 s"


def test_au005_loop_seam_only_on_loop_segments(tmp_path: Path, check) -> None:
    clicking = _tone(1.0, -20.0, hz=1000.25)  # ends mid-cycle: a jump at the seam
    seamless = _tone(1.0, -20.0, hz=1000.0)
    _template(tmp_path, main=clicking, intro=clicking, outro=seamless)
    [(code, segment, _)] = _found(check, "--select", "AU005")
    assert (code, segment) == ("AU005", "main")
    _template(tmp_path, main=seamless)
    assert _found(check, "--select", "AU005") == []


def test_au005_leaves_hard_edged_loops_alone(tmp_path: Path, check) -> None:
    square = 0.3 * np.sign(np.sin(2 * np.pi * 100 * np.arange(RATE) / RATE))
    _template(tmp_path, main=square)
    assert _found(check, "--select", "AU005") == []


def test_au006_duration_bounds_by_segment_name(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(0.8, -20.0), intro=_tone(0.8, -20.0))
    assert _found(check, "--select", "AU006") == [
        ("AU006", "main", "'main' lasts 0.80 s; it should last 1 to 900 s")
    ]
    (tmp_path / "soundlint.toml").write_text("[rules.AU006]\ndurations = { intro = [1.0, 2.0] }\n")
    assert [s for _, s, _ in _found(check, "--select", "AU006")] == ["intro"]


def test_measure_command_json(tmp_path: Path, run) -> None:
    path = write_wav(tmp_path / "a.wav", seconds=2.0, level_db=-20.0, rate=RATE)
    (tmp_path / "bad.wav").write_bytes(b"not audio")
    result = run("measure", "--output-format", "json", "a.wav", "bad.wav")
    assert result.code == 1
    good, bad = json.loads(result.out)["files"]
    assert good["path"] == "a.wav"
    assert (good["sample_rate"], good["channels"], good["frames"]) == (RATE, 2, 2 * RATE)
    data, _ = soundfile.read(path)
    expected = pyloudnorm.Meter(RATE, filter_class="DeMan").integrated_loudness(data)
    assert abs(good["integrated_lufs"] - expected) < 1e-3
    assert good["max_short_term_lufs"] is None  # shorter than one 3 s window
    assert good["clipped_runs"] == 0
    assert set(bad) == {"path", "error"}


def test_measure_command_text(tmp_path: Path, run) -> None:
    write_wav(tmp_path / "a.wav", seconds=1.0)
    result = run("measure", "a.wav")
    assert result.code == 0
    assert result.out.splitlines()[0] == "a.wav"
    assert "integrated:" in result.out and "true peak:" in result.out


def test_measure_names_what_a_file_that_is_not_wav_is(tmp_path: Path, run) -> None:
    (tmp_path / "song.wav").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(400))
    result = run("measure", "--output-format", "json", "song.wav")
    assert result.code == 1
    [entry] = json.loads(result.out)["files"]
    assert entry["error"].startswith("the file is an MP3 file, not a RIFF/WAVE file")


def test_measure_refuses_what_is_not_a_regular_file(tmp_path: Path, run) -> None:
    os.mkfifo(tmp_path / "pipe.wav")
    result = run("measure", "--output-format", "json", "pipe.wav")
    assert result.code == 1
    errors = [entry["error"] for entry in json.loads(result.out)["files"]]
    assert errors == ["the path is not a regular file"]
    result = run("measure", "pipe.wav", "gone.wav")
    assert (result.code, result.out) == (2, "")
    assert result.err == "soundlint: error: path not found: gone.wav\n"


def test_ln003_blames_the_segment_farthest_from_the_median(tmp_path: Path, check) -> None:
    _template(
        tmp_path,
        intro=_tone(1.0, -17.0),
        main=_tone(1.0, -16.0),
        outro=_tone(1.0, -9.0),
    )
    [(code, segment, message)] = _found(check, "--select", "LN003")
    assert (code, segment) == ("LN003", "outro")
    assert "'outro' is 7.0 LU from the template's median of -19.0 LUFS" in message


def _shown_number(message: str, after: str) -> float:
    return float(message.split(after, 1)[1].split()[0])


def test_ln001_rounding_never_reads_as_the_limit(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(2.0, -16.03))  # reads about -19.03 LUFS, just outside -16 ± 3
    [(code, _, message)] = _found(check, "--select", "LN001")
    assert code == "LN001"
    assert _shown_number(message, "integrated loudness ") < -19.0
    assert _shown_number(message, "LUFS (") < -3.0


class _Options:
    """The part of CheckContext that the per-segment loudness rules read."""

    def __init__(self, **overrides: dict[str, float]) -> None:
        self._overrides = overrides

    def options(self, code: str) -> dict[str, float]:
        rule = next(rule for rule in loudness.soundlint_rules() if rule.code == code)
        return {o.name: o.default for o in rule.options} | self._overrides.get(code, {})


def _segment_messages(measurement: Measurement, **overrides: dict[str, float]) -> list[str]:
    template = Template("t", Path("t"), Path("t/template.toml"))
    segment = Segment("main", "main.wav", Path("t/main.wav"), SegmentStatus.OK)
    found = loudness._segment(template, segment, measurement, _Options(**overrides))  # type: ignore[arg-type]
    return [diagnostic.message for diagnostic in found]


def test_ln005_rounding_never_reads_as_the_block_length() -> None:
    measurement = Measurement(48000, 1, 19198)  # 0.39996 s
    assert _segment_messages(measurement) == [
        "loudness cannot be measured: the segment lasts 0.39996 s, less than one 400 ms block"
    ]


def test_ln002_and_ln004_rounding_never_reads_as_the_limit() -> None:
    measurement = Measurement(48000, 1, 48000, true_peak_dbtp=-0.9996, loudness_range_lu=15.004)
    assert _segment_messages(measurement, LN004={"max-range": 15.0}) == [
        "true peak -0.9996 dBTP is above -1 dBTP",
        "loudness range 15.004 LU is above 15 LU",
    ]
    measurement = Measurement(48000, 1, 48000, integrated_lufs=-12.96)
    assert _segment_messages(measurement) == [
        "integrated loudness -12.96 LUFS is outside -16 ± 3 LUFS (+3.04 LU)"
    ]


@pytest.mark.parametrize("kept_bytes", [5000, 100_000])
def test_a_cut_segment_is_wav002_alone_not_findings_from_its_fragment(
    tmp_path: Path, check, kept_bytes: int
) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, level_db=-3.0)
    wav = tmp_path / "t" / "main.wav"
    wav.write_bytes(wav.read_bytes()[:kept_bytes])
    (tmp_path / "soundlint.toml").write_text("[rules.AU006]\ndurations = { main = [1.0, 9.0] }\n")
    assert check("--select", "ALL").codes() == ["WAV002"]


def test_measure_says_when_the_file_is_cut(tmp_path: Path, run) -> None:
    wav = write_wav(tmp_path / "a.wav", seconds=2.0)
    wav.write_bytes(wav.read_bytes()[:100_000])
    result = run("measure", "a.wav")
    assert result.code == 1
    assert "error: data chunk at byte 36 declares" in result.out
    assert "the values are of the audio that is there" in result.out


def test_au005_says_in_sound_terms_that_the_loop_point_clicks(tmp_path: Path, check) -> None:
    _template(tmp_path, main=_tone(1.0, -20.0, hz=1000.25))
    [(_, _, message)] = _found(check, "--select", "AU005")
    ratio = message.split(" is ")[1].split()[0]
    assert float(ratio) > 3
    assert message == (
        f"the loop point clicks: the step from the last sample back to the first is {ratio} "
        "times the largest step elsewhere in the segment (the limit is 3 times)"
    )


def test_au004_is_one_finding_per_file_listing_its_channels_in_order(tmp_path: Path, check) -> None:
    channels = np.repeat(_tone(1.0, -20.0)[:, None], 12, axis=1)
    channels[:, [0, 1, 9, 11]] += 0.01  # -40 dBFS on channels 1, 2, 10 and 12
    _template(tmp_path, main=channels)
    assert _found(check, "--select", "AU004") == [
        (
            "AU004",
            "main",
            "channels 1, 2, 10 and 12 have a DC offset of -40.0 dBFS (+0.0100), more than -46 dBFS",
        )
    ]


def test_au004_gives_each_channel_its_own_offset_when_they_differ(tmp_path: Path, check) -> None:
    left, right = _tone(1.0, -20.0) + 0.01, _tone(1.0, -20.0) - 0.02
    _template(tmp_path, main=np.stack([left, right], axis=1))
    [(_, _, message)] = _found(check, "--select", "AU004")
    assert message == (
        "channels 1 and 2 have a DC offset: -40.0 dBFS (+0.0100) and -34.0 dBFS (-0.0200), "
        "more than -46 dBFS"
    )


def test_au001_text_gives_the_times_in_order(tmp_path: Path, check) -> None:
    samples = np.repeat(_tone(2.0, -20.0)[:, None], 2, axis=1)
    for seconds, channel in ((0.5, 1), (0.2, 0), (1.5, 0), (0.9, 1), (1.2, 0)):
        start = int(seconds * RATE)
        samples[start : start + 5, channel] = 1.0
    _template(tmp_path, main=samples)
    text = check("--no-cache", "--select", "AU001", "--output-format", "text").out
    [line] = [line for line in text.splitlines() if " AU001 " in line]
    assert line.endswith("AU001 5 clipped runs, at 0.200 s, 0.500 s, 0.900 s, 1.200 s, ...")


def _decimal_after(message: str, after: str) -> Decimal:
    return Decimal(message.split(after, 1)[1].split()[0])


@pytest.mark.parametrize(
    "levels",
    [
        {"intro": -11.66, "main": -14.74},  # -14.66 and -17.74 LUFS: 3.08 LU apart
        {"intro": -11.66, "main": -14.74, "outro": -12.96},
    ],
)
def test_ln003_levels_and_difference_agree_as_shown(
    tmp_path: Path, check, levels: dict[str, float]
) -> None:
    _template(tmp_path, **{name: _tone(2.0, level) for name, level in levels.items()})
    [(_, _, message)] = _found(check, "--select", "LN003")
    difference = _decimal_after(message, "differ by ")
    loudest = _decimal_after(message, "'intro' is at ")
    quietest = _decimal_after(message, "'main' at ")
    assert difference == loudest - quietest > 3
    if "median" in message:
        median = _decimal_after(message, "median of ")
        assert _decimal_after(message, "'main' is ") == median - quietest


def test_ln003_difference_shown_is_the_true_one_rounded(tmp_path: Path, check) -> None:
    _template(tmp_path, intro=_tone(2.0, -13.04), main=_tone(2.0, -16.06))  # 3.02 LU apart
    [(_, _, message)] = _found(check, "--select", "LN003")
    assert message == (
        "segments differ by 3.02 LU (more than 3): 'intro' is at -16.04 LUFS, 'main' at -19.06 LUFS"
    )
