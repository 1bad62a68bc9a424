"""Malformed and hostile input: findings, never an exception, and only a few bytes read."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from riffbuild import (
    U32_MAX,
    bwf_wav,
    chunk,
    extensible_wav,
    float_wav,
    pcm_wav,
    rf64_wav,
    walk_bytes,
)

from soundlint.audio.riff import walk, walk_stream


def _soundfile_wav(fmt: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    noise = np.random.default_rng(1).uniform(-0.5, 0.5, (301, 2))
    sf.write(buffer, noise, 22050, format=fmt, subtype=subtype)
    return buffer.getvalue()


FIXTURES = {
    "pcm16": pcm_wav(50),
    "pcm24-odd": pcm_wav(51, channels=1, bits=24),
    "float": float_wav(50),
    "extensible": extensible_wav(50),
    "rf64": rf64_wav(50),
    "bwf": bwf_wav(50),
    "sf-pcm16": _soundfile_wav("WAV", "PCM_16"),
    "sf-float": _soundfile_wav("WAV", "FLOAT"),
    "sf-wavex": _soundfile_wav("WAVEX", "PCM_24"),
    "sf-rf64": _soundfile_wav("RF64", "PCM_16"),
    "sf-ima": _soundfile_wav("WAV", "IMA_ADPCM"),
}


class CountingStream(io.BytesIO):
    """A BytesIO that counts the bytes read from it."""

    bytes_read = 0

    def read(self, n: int | None = -1) -> bytes:
        out = super().read(n)
        self.bytes_read += len(out)
        return out


def _boundaries(data: bytes) -> set[int]:
    """Every chunk's start, size field, body and end, plus the file header's fields."""
    cuts = {0, 1, 4, 8, 12}
    for c in walk_bytes(data).chunks:
        cuts |= {c.offset, c.offset + 4, c.offset + 8, c.offset + 8 + c.size}
    return {cut for cut in cuts if cut < len(data)}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixtures_are_clean(name: str) -> None:
    assert walk_bytes(FIXTURES[name]).findings == ()


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_truncation_at_every_chunk_boundary_is_found(name: str) -> None:
    data = FIXTURES[name]
    last = walk_bytes(data).chunks[-1]
    for cut in sorted(_boundaries(data)):
        report = walk_bytes(data[:cut])
        assert report.findings, cut
        if last.size % 2 and cut == len(data) - 1:  # only the final pad byte is lost
            assert report.codes == {"WAV007"}
            continue
        assert report.codes & {"WAV001", "WAV002", "WAV008"}, (cut, report.findings)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_truncation_at_random_points_is_found(name: str) -> None:
    data = FIXTURES[name]
    rng = random.Random(name)
    for cut in rng.sample(range(len(data)), 60):
        report = walk_bytes(data[:cut])
        assert report.codes & {"WAV001", "WAV002", "WAV008"}, (cut, report.findings)


# Every byte of the canonical header except the format tag (20-21): changing the tag gives
# another valid encoding, not a broken file.
CANONICAL_HEADER_BYTES = [i for i in range(44) if i not in (20, 21)]


@pytest.mark.parametrize("position", CANONICAL_HEADER_BYTES)
def test_any_bit_flip_in_a_canonical_header_is_found(position: int) -> None:
    data = pcm_wav(100)
    for bit in range(8):
        flipped = bytearray(data)
        flipped[position] ^= 1 << bit
        assert walk_bytes(bytes(flipped)).findings, (position, bit)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_random_byte_changes_in_headers_never_raise(name: str) -> None:
    data = FIXTURES[name]
    header_end = walk_bytes(data).data_offset or len(data)
    rng = random.Random(name)
    for _ in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(header_end)] = rng.randrange(256)
        walk_bytes(bytes(mutated))


def _size_fields(data: bytes) -> list[int]:
    """The offsets of the RIFF size and of every chunk's size field."""
    return [4] + [c.offset + 4 for c in walk_bytes(data).chunks]


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("declared", [U32_MAX, 0x8000_0000, U32_MAX - 1])
def test_huge_declared_sizes_are_found_without_reading_them(name: str, declared: int) -> None:
    data = FIXTURES[name]
    for field in _size_fields(data):
        bad = data[:field] + struct.pack("<I", declared) + data[field + 4 :]
        stream = CountingStream(bad)
        report = walk_stream(stream, len(bad))
        assert report.findings or bad == data, field
        assert stream.bytes_read < 4 * len(data) + 1024


def test_unparsed_chunks_are_skipped_not_read() -> None:
    adtl = chunk(b"LIST", b"adtl" + bytes(200_000))
    fact = chunk(b"fact", bytes(200_000))
    data = pcm_wav(10)
    data = data[:4] + struct.pack("<I", len(data) - 8 + len(adtl) + len(fact)) + data[8:36]
    data += adtl + fact + pcm_wav(10)[36:]
    stream = CountingStream(data)
    report = walk_stream(stream, len(data))
    assert report.findings == ()
    assert report.notes == ()
    assert stream.bytes_read < 1024


def test_huge_ds64_sizes_are_found() -> None:
    data = rf64_wav(5)
    for field in (20, 28):  # ds64's RIFF and data sizes
        bad = data[:field] + struct.pack("<Q", 1 << 40) + data[field + 8 :]
        report = walk_bytes(bad)
        assert report.codes & {"WAV002", "WAV008"}


def test_zero_length_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    report = walk(path)
    assert report.container == "empty"
    assert report.codes == {"WAV001"}
    assert report.file_size == 0


@pytest.mark.parametrize("n", range(1, 12))
def test_tiny_riff_prefixes(n: int) -> None:
    report = walk_bytes(pcm_wav(10)[:n])
    assert report.codes in ({"WAV001"}, {"WAV002"})


def test_a_sparse_gigabyte_wav_is_walked_reading_a_few_bytes(tmp_path: Path) -> None:
    size = 1 << 30
    header = pcm_wav(0)
    header = header[:4] + struct.pack("<I", size - 8) + header[8:40] + struct.pack("<I", size - 44)
    path = tmp_path / "big.wav"
    with path.open("wb") as f:
        f.write(header)
        f.truncate(size)
    report = walk(path)
    assert report.findings == ()
    assert report.frames == (size - 44) // 4
    assert report.duration_s == pytest.approx((size - 44) / 176400)
    with _CountingFile(path) as stream:
        assert walk_stream(stream, size) == report
        assert stream.bytes_read < 1024


class _CountingFile(io.FileIO):
    """A file on disk that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        out = super().read(size) or b""
        self.bytes_read += len(out)
        return out


# -- property-based ------------------------------------------------------------------------

RIFF_HEADS = st.sampled_from([b"RIFF", b"RF64", b"BW64", b"RIFX"])
CHUNK_IDS = st.sampled_from(
    [b"fmt ", b"data", b"fact", b"LIST", b"bext", b"ds64", b"JUNK", b"\x00\x01ab"]
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    walk_bytes(data)


@settings(max_examples=300, deadline=None)
@given(RIFF_HEADS, st.integers(0, U32_MAX), st.binary(max_size=2048))
def test_arbitrary_riff_bodies_never_raise(magic: bytes, size: int, body: bytes) -> None:
    walk_bytes(magic + struct.pack("<I", size) + b"WAVE" + body)


@st.composite
def chunk_lists(draw: st.DrawFn) -> bytes:
    """A RIFF of random chunks, with honest or arbitrary sizes and pad bytes."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        body = draw(st.binary(max_size=128))
        size = draw(st.one_of(st.just(len(body)), st.integers(0, U32_MAX)))
        parts.append(chunk(draw(CHUNK_IDS), body, size=size, pad=draw(st.booleans())))
    body = b"WAVE" + b"".join(parts)
    riff_size = draw(st.one_of(st.just(len(body)), st.integers(0, U32_MAX)))
    return draw(RIFF_HEADS) + struct.pack("<I", riff_size) + body


@settings(max_examples=300, deadline=None)
@given(chunk_lists())
def test_random_chunk_lists_never_raise(data: bytes) -> None:
    walk_bytes(data)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(FIXTURES)),
    st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=8),
    st.integers(0, 1 << 16),
)
def test_mutated_fixtures_never_raise(name: str, changes: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(FIXTURES[name])
    for position, value in changes:
        data[position % len(data)] = value
    walk_bytes(bytes(data[:cut]))
