"""Layouts libsndfile decodes wrongly or not at all are decoded by soundlint (issue 8, item 7)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from riffbuild import chunk, extensible_body, fmt_body, rf64_wav, riff

from soundlint.audio import eightbit, kernel
from soundlint.audio.analyse import UnreadableAudio, measure_file
from soundlint.audio.rawpcm import RawLayout, blocks, plan, refused
from soundlint.audio.riff import walk
from tests.conftest import write_template

RATE = 48000


def _tone(seconds: float = 1.0, channels: int = 2, level: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    mono = level * np.sin(2 * np.pi * 997 * t)
    return np.stack([mono * (1 - 0.25 * c) for c in range(channels)], axis=1)


def _ints(samples: np.ndarray, bits: int) -> np.ndarray:
    return np.round(samples * 2.0 ** (bits - 1)).astype(np.int64)


def _containers(values: np.ndarray, container: int) -> bytes:
    """Little-endian two's complement ``values`` in ``container`` bytes each."""
    as_u64 = values.astype("<i8").view(np.uint8).reshape(*values.shape, 8)
    return as_u64[..., :container].tobytes()


def _padded_24_in_4(
    samples: np.ndarray, *, left: bool, extensible: bool = False, zero_top: bool = False
) -> bytes:
    """24-bit samples in 4-byte containers: hound's pcmwaveformat-24bit-4byte layout (right-
    justified, the top byte zero rather than the sign)."""
    values = _ints(samples, 24) << (8 if left else 0)
    if zero_top:
        values &= 0xFFFFFF
    channels = samples.shape[1]
    if extensible:
        body = extensible_body(channels=channels, rate=RATE, bits=24)
        body = body[:12] + struct.pack("<H", 4 * channels) + body[14:]
        body = body[:8] + struct.pack("<I", RATE * 4 * channels) + body[12:]
    else:
        body = fmt_body(channels=channels, bits=24, rate=RATE, block_align=4 * channels)
    return riff(chunk(b"fmt ", body), chunk(b"data", _containers(values, 4)))


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "segment.wav"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("left", "zero_top"), [(True, False), (False, False), (False, True)])
def test_24_bit_in_4_byte_containers_measures_like_the_packed_file(
    tmp_path: Path, left: bool, zero_top: bool
) -> None:
    samples = _tone()
    data = _padded_24_in_4(samples, left=left, zero_top=zero_top)
    padded = measure_file(_write(tmp_path, data))
    reference_path = tmp_path / "packed.wav"
    sf.write(reference_path, samples, RATE, subtype="PCM_24")
    packed = measure_file(reference_path)
    assert padded.frames == packed.frames == RATE
    assert max(abs(dc) for dc in padded.dc_offset) < 1e-4
    assert padded.integrated_lufs == pytest.approx(packed.integrated_lufs, abs=0.01)
    assert padded.sample_peak_dbfs == pytest.approx(packed.sample_peak_dbfs, abs=0.01)


def _libsndfile_error(data: bytes, samples: np.ndarray) -> float:
    read = sf.read(io.BytesIO(data), always_2d=True)[0]
    count = min(len(read), len(samples))
    return float(np.max(np.abs(read[:count] - samples[:count])))


def test_libsndfile_gets_24_in_4_wrong_so_it_is_not_used(tmp_path: Path) -> None:
    # libsndfile 1.2 reads short files as packed 3-byte samples, long ones as 32-bit samples
    # (right for left-justified ones only), and the extensible variant always packed.
    short, long = _tone(100 / RATE), _tone(0.1)
    assert _libsndfile_error(_padded_24_in_4(short, left=True), short) > 0.1
    assert _libsndfile_error(_padded_24_in_4(long, left=False), long) > 0.1
    assert _libsndfile_error(_padded_24_in_4(long, left=True, extensible=True), long) > 0.1
    samples = _tone(100 / RATE)
    data = _padded_24_in_4(samples, left=True)
    layout = plan(_write(tmp_path, data))
    assert layout is not None
    assert (layout.container, layout.bits, layout.frames) == (4, 24, samples.shape[0])
    with (tmp_path / "segment.wav").open("rb") as f:
        decoded = np.concatenate([block.copy() for block in blocks(f, layout, 1000)])
    np.testing.assert_allclose(decoded, samples, atol=2.0**-23)


def test_extensible_24_in_4_with_a_block_align_of_4_byte_containers(tmp_path: Path) -> None:
    samples = _tone(0.1)
    layout = plan(_write(tmp_path, _padded_24_in_4(samples, left=True, extensible=True)))
    assert layout is not None
    assert layout.container == 4


@pytest.mark.parametrize("bits", [40, 48, 64])
def test_integer_pcm_wider_than_32_bits_is_decoded(tmp_path: Path, bits: int) -> None:
    samples = _tone(0.5, channels=1)
    container = bits // 8
    values = _ints(samples, bits if bits < 64 else 63) << (1 if bits == 64 else 0)
    fmt = fmt_body(channels=1, bits=bits, rate=RATE)
    path = _write(
        tmp_path, riff(chunk(b"fmt ", fmt), chunk(b"data", _containers(values, container)))
    )
    with pytest.raises(RuntimeError):
        sf.info(path)
    result = measure_file(path)
    assert result.frames == samples.shape[0]
    assert result.sample_peak_dbfs == pytest.approx(20 * np.log10(0.5), abs=0.01)


def test_samples_that_fit_no_justification_are_not_measured(tmp_path: Path) -> None:
    # Low padding bits set and top bits that are no sign extension: garbage either way.
    values = np.array([[0x12345678, 0x7FFFFF01]] * 100, dtype=np.int64)
    fmt = fmt_body(channels=2, bits=24, rate=RATE, block_align=8)
    path = _write(tmp_path, riff(chunk(b"fmt ", fmt), chunk(b"data", _containers(values, 4))))
    with pytest.raises(UnreadableAudio, match="neither left- nor right-justified"):
        measure_file(path)


def test_float_in_padded_containers_is_reported_not_measured(tmp_path: Path) -> None:
    fmt = fmt_body(tag=3, channels=1, bits=32, rate=RATE, block_align=8)
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", struct.pack("<4f", 0.5, 0, 0.25, 0)))
    with pytest.raises(UnreadableAudio, match="32-bit IEEE float samples in 8-byte containers"):
        measure_file(_write(tmp_path, data))


PLAIN_SUBTYPES = ["PCM_16", "PCM_24", "PCM_32", "FLOAT"]


def _decoded_here(path: Path) -> np.ndarray:
    layout = plan(path)
    assert layout is not None
    with path.open("rb") as f:
        return np.concatenate([block.copy() for block in blocks(f, layout, 1001)])


@pytest.mark.parametrize("backend", ["c", "numpy"])
@pytest.mark.parametrize("subtype", PLAIN_SUBTYPES)
@pytest.mark.parametrize(("channels", "form"), [(1, "WAV"), (2, "WAV"), (6, "WAV"), (2, "RF64")])
def test_plain_layouts_are_decoded_here_to_libsndfile_s_samples(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    subtype: str,
    channels: int,
    form: str,
) -> None:
    if backend not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    monkeypatch.setattr(kernel, "_backend", kernel.BACKENDS[backend])
    rng = np.random.default_rng(channels)
    samples = np.clip(rng.laplace(scale=0.3, size=(3000, channels)), -1.0, 1.0)
    samples[:4] = [[-1.0], [1.0], [0.0], [2.0**-20]]  # the extremes and the smallest steps
    path = tmp_path / "segment.wav"
    sf.write(path, samples, RATE, subtype=subtype, format=form)
    expected = sf.read(path, dtype="float32", always_2d=True)[0]
    decoded = _decoded_here(path)
    assert decoded.dtype == np.float32
    np.testing.assert_array_equal(decoded, expected)


@pytest.mark.parametrize("subtype", ["PCM_U8", "DOUBLE", "ULAW", "ALAW"])
def test_other_encodings_stay_with_libsndfile(tmp_path: Path, subtype: str) -> None:
    sf.write(tmp_path / "segment.wav", _tone(0.1), RATE, subtype=subtype)
    assert plan(tmp_path / "segment.wav") is None


def test_files_with_findings_stay_with_libsndfile(tmp_path: Path) -> None:
    # A RIFF size that counts its own header (WAV007): libsndfile reads it, and sets its frames.
    sf.write(tmp_path / "segment.wav", _tone(0.1), RATE, subtype="PCM_24")
    data = bytearray((tmp_path / "segment.wav").read_bytes())
    data[4:8] = struct.pack("<I", len(data))
    assert plan(_write(tmp_path, bytes(data))) is None
    sf.write(tmp_path / "rifx.wav", _tone(0.1), RATE, subtype="PCM_24", endian="BIG")
    assert (tmp_path / "rifx.wav").read_bytes()[:4] == b"RIFX"
    assert plan(tmp_path / "rifx.wav") is None


def test_silent_extensible_samples_with_padding_decode_as_packed(tmp_path: Path) -> None:
    # 20 valid bits in 24: no sample tells the justification, so read as libsndfile does.
    ext = extensible_body(channels=2, rate=RATE, bits=24, valid_bits=20)
    data = riff(chunk(b"fmt ", ext), chunk(b"data", bytes(60)))
    assert _decoded_here(_write(tmp_path, data)).shape == (10, 2)


def test_raw_layout_reports_its_padding() -> None:
    layout = RawLayout(44, 10, 2, RATE, 4, 24, "24-bit samples in 4-byte containers")
    assert (layout.frame_bytes, layout.padding_bits) == (8, 8)
    assert layout.clip_level == 1 - 2.0**-23


def _extensible_24_in_32(samples: np.ndarray, *, left: bool, zero_top: bool = False) -> bytes:
    values = _ints(samples, 24) << (8 if left else 0)
    if zero_top:
        values &= 0xFFFFFF
    body = extensible_body(channels=samples.shape[1], rate=RATE, bits=32, valid_bits=24)
    return riff(chunk(b"fmt ", body), chunk(b"data", _containers(values, 4)))


@pytest.mark.parametrize("zero_top", [False, True])
def test_right_justified_extensible_samples_are_decoded_here(
    tmp_path: Path, zero_top: bool
) -> None:
    samples = _tone()
    data = _extensible_24_in_32(samples, left=False, zero_top=zero_top)
    assert _libsndfile_error(data, samples) > 0.3  # libsndfile reads them 48 dB too low
    path = _write(tmp_path, data)
    assert plan(path) is not None
    result = measure_file(path)
    assert result.sample_peak_dbfs == pytest.approx(20 * np.log10(0.5), abs=0.01)


def test_left_justified_extensible_samples_decode_as_libsndfile_reads_them(
    tmp_path: Path,
) -> None:
    samples = _tone(0.1)
    data = _extensible_24_in_32(samples, left=True)
    assert _libsndfile_error(data, samples) < 1e-6
    decoded = _decoded_here(_write(tmp_path, data))
    np.testing.assert_array_equal(decoded, sf.read(io.BytesIO(data), dtype="float32")[0])


def test_bw64_with_sizes_that_disagree_is_still_measured(tmp_path: Path) -> None:
    # libsndfile cannot open BW64 at all; trailing bytes make the ds64 RIFF size wrong (WAV008).
    data = rf64_wav(frames=4800, magic=b"BW64") + b"\0\0"
    path = _write(tmp_path, data)
    assert measure_file(path).frames == 4800


# -- RF64 that libsndfile refuses (issue 15, point 21) ---------------------------------------


def _codes_of(tag: int, bits: int, frames: int, channels: int = 2) -> bytes:
    """Sample bytes of every code (8-bit), or of a tone (wider integers, float)."""
    samples = _tone(frames / RATE, channels)
    if tag == 3:
        return samples.astype(f"<f{bits // 8}").tobytes()
    if bits == 8:
        return bytes(i % 256 for i in range(frames * channels))
    return _containers(_ints(samples, bits), bits // 8)


def _rf64_with_a_24_byte_ds64(fmt: bytes, data: bytes, frames: int) -> bytes:
    """An RF64 file whose ds64 holds the three sizes and no table length (24 bytes)."""
    fmt_chunk = chunk(b"fmt ", fmt)
    data_chunk = chunk(b"data", data, size=0xFFFF_FFFF)
    riff_size = 4 + 8 + 24 + len(fmt_chunk) + len(data_chunk)
    ds64 = chunk(b"ds64", struct.pack("<QQQ", riff_size, len(data), frames))
    return riff(ds64, fmt_chunk, data_chunk, magic=b"RF64", size=0xFFFF_FFFF)


@pytest.mark.parametrize(
    ("tag", "bits"),
    [(1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64), (6, 8), (7, 8)],
    ids=["u8", "s16", "s24", "s32", "f32", "f64", "A-law", "µ-law"],
)
def test_rf64_libsndfile_refuses_is_decoded_as_libsndfile_decodes_the_riff(
    tmp_path: Path, tag: int, bits: int
) -> None:
    frames = RATE // 2
    fmt = fmt_body(tag=tag, channels=2, bits=bits, rate=RATE)
    data = _codes_of(tag, bits, frames)
    rf64 = _write(tmp_path, _rf64_with_a_24_byte_ds64(fmt, data, frames))
    plain = tmp_path / "plain.wav"
    plain.write_bytes(riff(chunk(b"fmt ", fmt), chunk(b"data", data)))
    with pytest.raises(sf.LibsndfileError):
        sf.info(rf64)
    expected, _ = sf.read(plain, dtype="float32", always_2d=True)
    layout = refused(walk(rf64))
    assert layout is not None
    with rf64.open("rb") as f:
        decoded = np.concatenate([block.copy() for block in blocks(f, layout, 1001)])
    assert np.array_equal(decoded, expected)
    measured, reference = measure_file(rf64), measure_file(plain)
    assert measured == reference
    assert measured.frames == frames and measured.integrated_lufs is not None


def test_g711_and_unsigned_tables_are_libsndfile_s_samples_bit_for_bit() -> None:
    every_code = bytes(range(256))
    for tag, code in ((6, eightbit.A_LAW), (7, eightbit.MU_LAW), (1, eightbit.UNSIGNED)):
        data = riff(
            chunk(b"fmt ", fmt_body(tag=tag, channels=1, bits=8)), chunk(b"data", every_code)
        )
        decoded, _ = sf.read(io.BytesIO(data), dtype="float32")
        assert np.array_equal(eightbit.table(code), decoded), code


def test_rf64_in_an_encoding_no_one_decodes_here_stays_unreadable(tmp_path: Path) -> None:
    fmt = fmt_body(tag=0x11, channels=1, bits=4, block_align=256, byte_rate=24000)
    path = _write(tmp_path, _rf64_with_a_24_byte_ds64(fmt, bytes(512), 1010))
    with pytest.raises(UnreadableAudio, match="libsndfile cannot open it"):
        measure_file(path)


def test_check_measures_an_rf64_file_libsndfile_refuses(tmp_path: Path, check) -> None:
    frames = 2 * RATE
    fmt = fmt_body(tag=1, channels=2, bits=16, rate=RATE)
    data = _codes_of(1, 16, frames)
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    (tmp_path / "t" / "main.wav").write_bytes(_rf64_with_a_24_byte_ds64(fmt, data, frames))
    result = check("--select", "WAV,LN001", "t")
    found = {(d["code"], d["severity"]) for d in result.json["diagnostics"]}
    assert found == {("WAV007", "warning"), ("LN001", "error")}  # a 997 Hz tone at -6 dBFS
