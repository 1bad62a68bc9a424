"""The meter's kernel: the C extension and the numpy fallback give the same results."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import numpy as np
import pytest
import soundfile

from soundlint import __version__
from soundlint.audio import kernel, truepeak
from soundlint.audio.hops import hop_boundary
from soundlint.audio.kweighting import k_weighting_sos
from soundlint.audio.layout import channel_weights
from soundlint.audio.meter import LoudnessMeter
from soundlint.audio.truepeak import TruePeakMeter

C = kernel.BACKENDS.get("c")
needs_c = pytest.mark.skipif(C is None, reason="soundlint.audio._kernel is not built")
# The identity filter: hop sums are then plain sums of squares.
IDENTITY_SOS = np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]] * 2)


def _run(
    backend: str,
    samples: np.ndarray,
    rate: int,
    block: int,
    *,
    sos: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, kernel.Peaks]:
    """Feed ``samples`` in blocks through one implementation: (hop sums, peaks)."""
    module = kernel.BACKENDS[backend]
    channels = samples.shape[1]
    state = module.State(
        rate,
        list(channel_weights(channels) if weights is None else weights),
        (k_weighting_sos(rate) if sos is None else sos).ravel().tolist(),
        truepeak.WINDOW_WEIGHTS.ravel().tolist(),
        truepeak.SAFE_BOUND,
    )
    hops = [
        np.asarray(module.feed(state, np.ascontiguousarray(samples[start : start + block])))
        for start in range(0, samples.shape[0], block)
    ]
    return np.concatenate(hops), kernel.Peaks(*module.peaks(state))


def _brute_force_true_peak(samples: np.ndarray) -> float:
    meter = TruePeakMeter(samples.shape[1], skip=False)
    meter.feed(np.ascontiguousarray(np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0).T))
    return meter.peak()


def _signal(rate: int, channels: int, seconds: float, dtype: type) -> np.ndarray:
    """Noise under a varying envelope, a loud burst and a 20 Hz tone: every path is taken."""
    rng = np.random.default_rng(rate + channels)
    frames = round(seconds * rate)
    envelope = np.repeat(rng.uniform(0.0, 1.0, frames // 500 + 1), 500)[:frames]
    samples = 0.2 * envelope[:, None] * rng.laplace(size=(frames, channels))
    samples += 0.1 * np.sin(2 * np.pi * 20.0 * np.arange(frames) / rate)[:, None]
    samples[frames // 3 : frames // 3 + 40] *= 4.0
    result: np.ndarray = samples.astype(dtype)
    return result


def test_the_extension_is_built() -> None:
    """CI and every install with a C compiler must run the compiled kernel."""
    if os.environ.get(kernel.ENVIRONMENT_VARIABLE) == "numpy":
        pytest.skip("the numpy fallback was asked for")
    assert C is not None, "soundlint.audio._kernel is missing: reinstall with a C compiler"
    assert kernel.BACKEND_NAME == "c"


@needs_c
@pytest.mark.parametrize("rate", [22050, 44100, 48000, 96000])
@pytest.mark.parametrize("channels", [1, 2, 6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block", [97, 4411, 65536])
def test_implementations_agree(rate: int, channels: int, dtype: type, block: int) -> None:
    samples = _signal(rate, channels, 1.3, dtype)
    c_hops, c_final = _run("c", samples, rate, block)
    numpy_hops, numpy_final = _run("numpy", samples, rate, block)
    assert c_hops.size == numpy_hops.size == 1.3 * 100
    # The filtered samples are identical; only the order of summing the squares differs.
    np.testing.assert_allclose(c_hops, numpy_hops, rtol=1e-13, atol=0.0)
    assert c_final == numpy_final
    assert c_final.true == _brute_force_true_peak(samples)
    assert c_final.sample == np.abs(samples).max()


@needs_c
@pytest.mark.parametrize("rate", [22050, 48000])
def test_one_frame_blocks_match_one_block(rate: int) -> None:
    samples = _signal(rate, 2, 0.3, np.float32)
    whole = _run("c", samples, rate, samples.shape[0])
    single = _run("c", samples, rate, 1)
    np.testing.assert_allclose(single[0], whole[0], rtol=1e-13, atol=0.0)
    assert single[1] == whole[1]


@pytest.mark.parametrize("backend", ["c", "numpy"])
@pytest.mark.parametrize("block", [1, 220, 221, 1000, 22050])
def test_hops_end_at_rounded_hundredths_of_a_second(backend: str, block: int) -> None:
    if backend not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    rate = 22050  # 220.5 samples a hop: 220 and 221 alternate
    seconds = 0.5 if block == 1 else 2.0
    ones = np.ones((round(seconds * rate), 2), dtype=np.float32)
    hops, _ = _run(backend, ones, rate, block, sos=IDENTITY_SOS, weights=np.array([1.0, 0.5]))
    lengths = np.diff(np.asarray(hop_boundary(rate, np.arange(hops.size + 1))))
    assert set(lengths.tolist()) == {220, 221}
    assert np.array_equal(hops, 1.5 * lengths)


@pytest.mark.parametrize("backend", ["c", "numpy"])
def test_a_channel_weighted_zero_is_left_out(backend: str) -> None:
    if backend not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    samples = np.full((4800, 6), 0.5, dtype=np.float32)
    samples[:, 3] = 1.0  # a full-scale LFE
    hops, peaks = _run(backend, samples, 48000, 1000, sos=IDENTITY_SOS)
    assert np.allclose(hops, 480 * 0.25 * (1 + 1 + 1 + 1.41 + 1.41))
    assert peaks.sample == 1.0


@needs_c
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nonfinite_samples_read_as_zero(dtype: type) -> None:
    samples = _signal(48000, 2, 1.0, dtype)
    broken = samples.copy()
    broken[100, 0], broken[2000, 1], broken[30000, 0] = np.nan, np.inf, -np.inf
    zeroed = np.nan_to_num(broken, nan=0.0, posinf=0.0, neginf=0.0)
    expected = _run("c", zeroed, 48000, 4096)
    for backend in ("c", "numpy"):
        hops, peaks = _run(backend, broken, 48000, 4096)
        np.testing.assert_allclose(hops, expected[0], rtol=1e-13, atol=0.0)
        assert peaks == expected[1]


@pytest.mark.parametrize("backend", ["c", "numpy"])
def test_without_k_weighting_only_peaks_are_measured(backend: str) -> None:
    if backend not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    module = kernel.BACKENDS[backend]
    samples = _signal(8000, 2, 1.0, np.float32)
    state = module.State(
        8000,
        [1.0, 1.0],
        None,
        truepeak.WINDOW_WEIGHTS.ravel().tolist(),
        truepeak.SAFE_BOUND,
    )
    assert len(module.feed(state, samples)) == 0
    assert module.peaks(state) == (np.abs(samples).max(), _brute_force_true_peak(samples))


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_meter_results_agree_across_implementations(
    rate: int, channels: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "c" not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    samples = _signal(rate, channels, 5.0, np.float32)
    results = {}
    for name, module in kernel.BACKENDS.items():
        monkeypatch.setattr(kernel, "_backend", module)
        meter = LoudnessMeter(rate, channels)
        for start in range(0, samples.shape[0], 10000):
            meter.feed(samples[start : start + 10000])
        results[name] = meter.result()
    c, fallback = results["c"], results["numpy"]
    assert c.integrated_lufs is not None and fallback.integrated_lufs is not None
    assert abs(c.integrated_lufs - fallback.integrated_lufs) <= 1e-12
    assert c.loudness_range_lu == pytest.approx(fallback.loudness_range_lu, abs=1e-12)
    assert c.true_peak_dbtp == fallback.true_peak_dbtp
    assert c.sample_peak_dbfs == fallback.sample_peak_dbfs


@needs_c
def test_the_extension_rejects_what_it_cannot_read() -> None:
    assert C is not None
    state = C.State(48000, [1.0, 1.0], None, [0.0] * 48, 2.0)
    with pytest.raises(ValueError, match="float32 or float64"):
        C.feed(state, np.zeros((10, 2), dtype=np.int16))
    with pytest.raises(ValueError, match=r"\(frames, 2\)"):
        C.feed(state, np.zeros((10, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(frames, 2\)"):
        C.feed(state, np.zeros(10, dtype=np.float32))
    with pytest.raises(ValueError, match="not C-contiguous"):
        C.feed(state, np.zeros((2, 10), dtype=np.float32).T)
    with pytest.raises(ValueError, match="sos: expected 12 values"):
        C.State(48000, [1.0], [0.0] * 3, [0.0] * 48, 2.0)
    with pytest.raises(ValueError, match="channels"):
        C.State(48000, [], None, [0.0] * 48, 2.0)


@needs_c
def test_states_fed_from_several_threads_at_once_stay_apart() -> None:
    """The GIL is released in the hot loop: each thread's state is its own."""
    samples = _signal(48000, 2, 3.0, np.float32)
    expected = _run("c", samples, 48000, 8192)
    results: list[tuple[np.ndarray, kernel.Peaks]] = []
    threads = [
        threading.Thread(target=lambda: results.append(_run("c", samples, 48000, 8192)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for hops, peaks in results:
        assert np.array_equal(hops, expected[0])
        assert peaks == expected[1]


def _fresh_python(code: str, *, backend: str | None = None, cwd: Path | None = None) -> str:
    environment = {k: v for k, v in os.environ.items() if k != kernel.ENVIRONMENT_VARIABLE}
    if backend is not None:
        environment[kernel.ENVIRONMENT_VARIABLE] = backend
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        check=True,
    )
    return result.stdout.strip()


def test_the_environment_chooses_the_fallback() -> None:
    probe = "from soundlint.audio import kernel; print(kernel.BACKEND_NAME)"
    assert _fresh_python(probe, backend="numpy") == "numpy"
    if C is not None:
        assert _fresh_python(probe) == "c"
        assert _fresh_python(probe, backend="c") == "c"


VERSION_PROBE = (
    "import sys; from soundlint.cli import main; main(['--version']); print('numpy' in sys.modules)"
)


def test_version_says_which_kernel_runs_without_importing_numpy() -> None:
    assert _fresh_python(VERSION_PROBE, backend="numpy").splitlines() == [
        f"soundlint {__version__}",
        "audio kernel: numpy fallback, several times slower: SOUNDLINT_KERNEL=numpy",
        "False",
    ]
    if C is not None:
        assert _fresh_python(VERSION_PROBE).splitlines()[1:] == [
            "audio kernel: compiled (soundlint.audio._kernel)",
            "False",
        ]


@pytest.mark.parametrize(
    ("extension", "why"),
    [
        (None, "soundlint.audio._kernel is not built (reinstall soundlint with a C compiler)"),
        (b"not a shared library", "soundlint.audio._kernel failed to import: "),
    ],
    ids=["missing", "broken"],
)
def test_version_and_plugins_say_why_the_fallback_runs(
    tmp_path: Path, extension: bytes | None, why: str
) -> None:
    """Run from a copy of the package without the extension, or with a damaged one."""
    copy = tmp_path / "soundlint"
    package = Path(kernel.__file__).parents[1]
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "_kernel.*.*"))
    if extension is not None:
        (copy / "audio" / f"_kernel{EXTENSION_SUFFIXES[0]}").write_bytes(extension)
    environment = {k: v for k, v in os.environ.items() if k != kernel.ENVIRONMENT_VARIABLE}
    environment["PYTHONPATH"] = str(tmp_path)
    expected = f"audio kernel: numpy fallback, several times slower: {why}"
    for command in ("--version", "plugins"):
        result = subprocess.run(
            [sys.executable, "-m", "soundlint", command],
            capture_output=True,
            text=True,
            env=environment,
            cwd=tmp_path,
            check=True,
        )
        said = [line for line in result.stdout.splitlines() if line.startswith("audio kernel:")]
        assert len(said) == 1, result.stdout
        assert said[0].startswith(expected), said
        assert len(said[0]) > len(expected) or extension is None, "the error is missing"


@needs_c
def test_measure_does_not_import_scipy_signal(tmp_path: Path) -> None:
    """scipy.signal costs about a second of every process; the compiled path needs none."""
    rate = 48000
    tone = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(2 * rate) / rate)
    soundfile.write(tmp_path / "tone.wav", np.stack([tone, tone], axis=1), rate, "PCM_24")
    probe = (
        "import sys; from soundlint.cli import main; code = main(['measure', 'tone.wav']); "
        "print(code, 'scipy.signal' in sys.modules)"
    )
    assert _fresh_python(probe, cwd=tmp_path).splitlines()[-1] == "0 False"


# ---- the content scans ------------------------------------------------------------------------


def _scan(
    backend: str,
    samples: np.ndarray,
    block: int,
    *,
    clip_level: float = 1.0,
    steps: bool = True,
) -> tuple[list[list[tuple[int, int]]], kernel.Scans]:
    """Feed ``samples`` in blocks through one implementation: the clipped runs each block
    reported (sorted), and the scans at the end."""
    module = kernel.BACKENDS[backend]
    channels = samples.shape[1]
    state = module.State(
        48000,
        list(channel_weights(channels)),
        k_weighting_sos(48000).ravel().tolist(),
        truepeak.WINDOW_WEIGHTS.ravel().tolist(),
        truepeak.SAFE_BOUND,
        clip_level=clip_level,
        silence_level=0.001,
        steps=steps,
    )
    runs = []
    for start in range(0, samples.shape[0], block):
        module.feed(state, np.ascontiguousarray(samples[start : start + block]))
        starts, ends = module.take_runs(state)
        runs.append(sorted(zip(starts, ends, strict=True)))
    monkeypatched = kernel._backend
    try:
        kernel._backend = module
        return runs, kernel.scans(state)
    finally:
        kernel._backend = monkeypatched


def _backends() -> list[str]:
    return list(kernel.BACKENDS)


def _final_runs(runs: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Each run at its longest (a run still going is reported again, longer, each block)."""
    longest: dict[int, int] = {}
    for block in runs:
        for start, end in block:
            longest[start] = max(end, longest.get(start, end))
    return sorted(longest.items())


def _pcm_like(samples: np.ndarray) -> np.ndarray:
    """Round to multiples of 2**-23, as 24-bit PCM decodes."""
    result: np.ndarray = np.round(samples * 2.0**23) / 2.0**23
    return result


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("block", [1, 2, 4, 7, 1000])
def test_clipped_runs_span_blocks(backend: str, block: int) -> None:
    samples = np.zeros((60, 2), dtype=np.float32)
    samples[2:7, 0] = 1.0  # five at +full scale, across blocks of 1, 2 and 4
    samples[10:12, 0] = 1.0  # two: too short
    samples[20:26, 1] = np.tile([1.0, -1.0], 3)  # a full-scale tone at Nyquist: no run
    samples[30:33, 1] = -1.0  # three at -full scale
    samples[33:36, 1] = 1.0  # and three at +full scale right after: two runs
    samples[40:44, 0] = 1.5  # beyond full scale counts too
    samples[56:, 1] = -1.0  # still going at the end
    runs, _ = _scan(backend, samples, block)
    assert _final_runs(runs) == [(2, 7), (30, 33), (33, 36), (40, 44), (56, 60)]


@pytest.mark.parametrize("backend", _backends())
def test_the_clip_level_is_compared_in_the_samples_precision(backend: str) -> None:
    level = 1.0 - 2.0**-31  # a 32-bit PCM clip level: 1.0 in float32
    samples = np.full((4, 1), 1.0 - 2.0**-30)
    runs32, _ = _scan(backend, samples.astype(np.float32), 4, clip_level=level)
    runs64, _ = _scan(backend, samples, 4, clip_level=level)
    assert _final_runs(runs32) == [(0, 4)]
    assert _final_runs(runs64) == []


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("block", [1, 3, 16, 1000])
def test_sound_edges_are_absolute_frames_across_blocks(backend: str, block: int) -> None:
    samples = np.zeros((50, 2))
    samples[:, 0] = 0.0009  # below -60 dBFS throughout
    samples[17, 1] = -0.001
    samples[23, 0] = 0.5
    samples[38, 0] = 0.001
    _, scans = _scan(backend, samples, block)
    assert (scans.first_sound, scans.last_sound) == (17, 38)
    _, quiet = _scan(backend, samples[:17], block)
    assert (quiet.first_sound, quiet.last_sound) == (None, None)


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block", [1, 333, 4096, 100000])
def test_step_histogram_counts_every_step_once(backend: str, dtype: type, block: int) -> None:
    samples = _pcm_like(_signal(48000, 2, 0.2 if block == 1 else 1.0, np.float64)).astype(dtype)
    _, scans = _scan(backend, samples, block)
    steps = np.abs(np.diff(samples.T.astype(np.float64), axis=1)).astype(np.float32)
    expected = [
        np.bincount(row.view(np.int32) >> kernel.STEP_BIN_SHIFT, minlength=kernel.STEP_BINS)
        for row in steps
    ]
    assert np.array_equal(scans.step_counts, np.array(expected))
    assert scans.first_frame is not None
    assert np.array_equal(scans.first_frame, samples[0].astype(np.float64))
    assert np.array_equal(scans.last_frame, samples[-1].astype(np.float64))
    assert np.array_equal(scans.dc_sums, samples.sum(axis=0, dtype=np.float64))


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("block", [1, 333, 100000])
def test_without_steps_only_the_histogram_is_left_out(backend: str, block: int) -> None:
    samples = _pcm_like(_signal(48000, 2, 0.2 if block == 1 else 1.0, np.float32))
    runs, counted = _scan(backend, samples, block)
    runs_without, uncounted = _scan(backend, samples, block, steps=False)
    assert counted.step_counts.any()
    assert not uncounted.step_counts.any()
    assert runs_without == runs
    for name in kernel.Scans._fields:
        if name != "step_counts":
            assert np.array_equal(getattr(uncounted, name), getattr(counted, name)), name


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nonfinite_samples_are_counted_and_scanned_as_zero(backend: str, dtype: type) -> None:
    samples = np.full((20, 2), 0.25, dtype=dtype)
    samples[5, 0], samples[6, 0], samples[19, 1] = np.nan, np.inf, -np.inf
    samples[8:12, 1] = np.inf  # not a clipped run
    runs, scans = _scan(backend, samples, 6)
    assert scans.nonfinite == 7
    assert _final_runs(runs) == []
    assert scans.dc_sums.tolist() == [0.25 * 18, 0.25 * 15]
    assert scans.last_frame.tolist() == [0.25, 0.0]
    quarter = int(np.float32(0.25).view(np.int32)) >> kernel.STEP_BIN_SHIFT
    assert scans.step_counts[0, quarter] == 2  # into and out of 5..6
    assert scans.step_counts[1, quarter] == 3  # into and out of 8..11, into 19


@needs_c
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block", [1, 97, 4411, 65536])
def test_scans_agree_across_implementations(dtype: type, block: int) -> None:
    rng = np.random.default_rng(block)
    samples = _signal(48000, 3, 0.3 if block == 1 else 2.0, np.float64)
    samples = np.clip(samples * 4.0, -1.0, 1.0).astype(dtype)  # clipped runs aplenty
    samples[rng.integers(0, samples.shape[0], 20), rng.integers(0, 3, 20)] = np.nan
    samples[:3000] *= 0.001  # a quiet start
    c_runs, c_scans = _scan("c", samples, block)
    numpy_runs, numpy_scans = _scan("numpy", samples, block)
    assert sum(map(len, c_runs)) > 10
    assert c_runs == numpy_runs
    assert c_scans.nonfinite == numpy_scans.nonfinite == 20
    assert (c_scans.first_sound, c_scans.last_sound) == (
        numpy_scans.first_sound,
        numpy_scans.last_sound,
    )
    assert np.array_equal(c_scans.step_counts, numpy_scans.step_counts)
    assert c_scans.first_frame is not None and numpy_scans.first_frame is not None
    assert np.array_equal(c_scans.first_frame, numpy_scans.first_frame)
    assert np.array_equal(c_scans.last_frame, numpy_scans.last_frame)
    np.testing.assert_allclose(c_scans.dc_sums, numpy_scans.dc_sums, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_meter_content_results_agree_across_implementations(
    dtype: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "c" not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    samples = np.clip(_signal(48000, 2, 3.0, np.float64) * 5.0, -1.0, 1.0).astype(dtype)
    samples[:4800] = 0.0
    samples[100000, 1] = np.inf
    results = {}
    for name, module in kernel.BACKENDS.items():
        monkeypatch.setattr(kernel, "_backend", module)
        meter = LoudnessMeter(48000, 2, max_clipped_runs=5)
        for start in range(0, samples.shape[0], 9000):
            meter.feed(samples[start : start + 9000])
        results[name] = meter.result()
    c, fallback = results["c"], results["numpy"]
    assert c.clipped_runs_capped and len(c.clipped_runs) == 5
    assert c.clipped_runs == fallback.clipped_runs
    assert c.leading_silence_s == fallback.leading_silence_s == 0.1
    assert c.trailing_silence_s == fallback.trailing_silence_s
    assert c.loop_seam_ratio == fallback.loop_seam_ratio
    assert c.nonfinite_samples == fallback.nonfinite_samples == 1
    assert c.dc_offset == pytest.approx(fallback.dc_offset, rel=1e-13, abs=1e-16)


@needs_c
@pytest.mark.parametrize("container", [2, 3, 4])
@pytest.mark.parametrize("shift", [0, 1, 8])
def test_pcm_decoding_agrees_across_implementations(container: int, shift: int) -> None:
    raw = np.random.default_rng(container + shift).integers(0, 256, 6 * 1001, np.uint8).tobytes()
    decoded = {}
    for name, module in kernel.BACKENDS.items():
        out = np.empty((6 * 1001 // container // 2, 2), dtype=np.float32)
        module.decode_pcm(raw[: out.size * container], out, container, shift)
        decoded[name] = out
    assert np.array_equal(decoded["c"], decoded["numpy"])
    words = np.frombuffer(raw[: 4 * (len(raw) // 4)], "<i4")  # the 4-byte case by hand
    if container == 4:
        expected = (words << shift).astype(np.float32) * np.float32(2.0**-31)
        assert np.array_equal(decoded["c"].ravel(), expected[: decoded["c"].size])


@pytest.mark.parametrize("command", [["measure", "a.wav"], ["inspect", "a.wav"], ["check", "."]])
def test_an_unknown_kernel_choice_is_a_usage_error_naming_the_values(
    tmp_path: Path, command: list[str]
) -> None:
    soundfile.write(tmp_path / "a.wav", np.zeros((4800, 1)), 48000)
    environment = {**os.environ, kernel.ENVIRONMENT_VARIABLE: "bogus"}
    soundlint = Path(sys.executable).with_name("soundlint")
    result = subprocess.run(
        [soundlint, *command], capture_output=True, text=True, env=environment, cwd=tmp_path
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "soundlint: error: SOUNDLINT_KERNEL must be c or numpy (or unset), not 'bogus'\n"
    )


def test_version_says_an_unknown_kernel_choice_is_ignored() -> None:
    [_, line, numpy_imported] = _fresh_python(VERSION_PROBE, backend="bogus").splitlines()
    assert line.endswith("; SOUNDLINT_KERNEL must be c or numpy (or unset), not 'bogus', ignored")
    assert numpy_imported == "False"
