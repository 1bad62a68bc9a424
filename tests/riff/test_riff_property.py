"""Property: on every layout a writer may produce, libsndfile and soundlint agree.

Valid layouts (PCM 8/16/24/32, float 32/64, 1-8 channels, plain or extensible, any frame
count, extra chunks of any size before or after the data) walk clean with libsndfile's frame
count; padded layouts soundlint decodes itself give the samples libsndfile reads from the same
samples packed.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from riffbuild import bext_body, chunk, extensible_body, fmt_body, info_list, riff, walk_bytes

from soundlint.audio.rawpcm import blocks, plan

ENCODINGS = [(1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64)]
EXTRA_CHUNKS = {
    "LIST": info_list({b"INAM": b"Take 3", b"ISFT": b"odd"}),
    "bext": chunk(b"bext", bext_body()),
    "cue": chunk(b"cue ", struct.pack("<I", 1) + struct.pack("<II4sIII", 1, 0, b"data", 0, 0, 0)),
    "odd-junk": chunk(b"JUNK", b"abc"),
    "junk": chunk(b"JUNK", bytes(28)),
}


@st.composite
def layouts(draw: st.DrawFn) -> tuple[bytes, int]:
    tag, bits = draw(st.sampled_from(ENCODINGS))
    channels = draw(st.integers(1, 8))
    rate = draw(st.sampled_from([8000, 22050, 44100, 48000, 96000]))
    frames = draw(st.integers(0, 41))
    align = channels * bits // 8
    if draw(st.booleans()):
        mask = draw(st.sampled_from([0, (1 << channels) - 1]))
        fmt = extensible_body(channels=channels, rate=rate, bits=bits, sub_tag=tag, mask=mask)
    else:
        fmt = fmt_body(tag=tag, channels=channels, rate=rate, bits=bits)
        if tag == 3:
            fmt += struct.pack("<H", 0)
    data = draw(st.binary(min_size=frames * align, max_size=frames * align))
    before = draw(st.lists(st.sampled_from(sorted(EXTRA_CHUNKS)), max_size=3))
    after = draw(st.lists(st.sampled_from(sorted(EXTRA_CHUNKS)), max_size=3))
    fact = [chunk(b"fact", struct.pack("<I", frames))] if draw(st.booleans()) else []
    body = [EXTRA_CHUNKS[name] for name in before] + [chunk(b"fmt ", fmt), *fact]
    body += [chunk(b"data", data)] + [EXTRA_CHUNKS[name] for name in after]
    return riff(*body), frames


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_valid_layouts_walk_clean_with_libsndfile_s_frames(layout: tuple[bytes, int]) -> None:
    data, frames = layout
    report = walk_bytes(data)
    assert report.findings == ()
    assert report.frames == frames == sf.info(io.BytesIO(data)).frames


@st.composite
def padded_layouts(draw: st.DrawFn) -> tuple[bytes, int, int, np.ndarray, bool]:
    bits, container = draw(st.sampled_from([(16, 4), (24, 4), (32, 8), (8, 2)]))
    channels = draw(st.integers(1, 8))
    frames = draw(st.integers(1, 41))
    limit = 1 << (bits - 1)
    values = np.array(
        draw(
            st.lists(
                st.integers(-limit, limit - 1),
                min_size=frames * channels,
                max_size=frames * channels,
            )
        ),
        dtype=np.int64,
    ).reshape(frames, channels)
    left = draw(st.booleans())
    stored = values << (8 * container - bits) if left else values
    raw = stored.astype("<i8").view(np.uint8).reshape(frames, channels, 8)[..., :container]
    fmt = fmt_body(channels=channels, bits=bits, rate=48000, block_align=channels * container)
    return riff(chunk(b"fmt ", fmt), chunk(b"data", raw.tobytes())), bits, frames, values, left


def _packed(bits: int, values: np.ndarray) -> bytes:
    """The same samples as a packed PCM file, for libsndfile (8-bit PCM is unsigned)."""
    channels = values.shape[1]
    if bits == 8:
        raw = (values + 128).astype(np.uint8).tobytes()
    else:
        width = bits // 8
        raw = values.astype("<i8").view(np.uint8).reshape(*values.shape, 8)[..., :width].tobytes()
    fmt = fmt_body(channels=channels, bits=bits, rate=48000)
    return riff(chunk(b"fmt ", fmt), chunk(b"data", raw))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layout=padded_layouts())
def test_padded_layouts_decode_to_libsndfile_s_samples_of_the_packed_file(
    tmp_path: Path, layout: tuple[bytes, int, int, np.ndarray, bool]
) -> None:
    data, bits, frames, values, left = layout
    path = tmp_path / "padded.wav"
    path.write_bytes(data)
    raw = plan(path)
    assert raw is not None
    assert walk_bytes(data).frames == frames == raw.frames
    with path.open("rb") as f:
        decoded = np.concatenate([block.copy() for block in blocks(f, raw, 7)])
    expected = sf.read(io.BytesIO(_packed(bits, values)), dtype="float32", always_2d=True)[0]
    pad = 8 * raw.container - bits
    stored = values << pad if left else values
    limit = 1 << (bits - 1)
    fits = bool(np.all((stored >= -limit) & (stored < limit)))
    if not left and fits and not np.any(stored & ((1 << pad) - 1)):
        # no sample tells the justifications apart: taken as left-justified, the standard
        np.testing.assert_array_equal(decoded, expected / 2.0**pad)
    else:
        np.testing.assert_array_equal(decoded, expected)


@st.composite
def quirky_layouts(draw: st.DrawFn) -> tuple[bytes, int]:
    """What real writers get slightly wrong: a RIFF size counting the RIFF header (Pro Tools,
    Sound Grinder Pro), a data size counting its pad byte (GarageBand), a stale block align."""
    tag, bits = draw(st.sampled_from(ENCODINGS))
    channels = draw(st.integers(1, 8))
    frames = draw(st.integers(1, 41))
    quirk = draw(st.sampled_from(["riff-size-counts-header", "data-counts-pad", "block-align"]))
    width = bits // 8
    if quirk == "data-counts-pad":
        width, channels, frames = 3, 1, frames | 1  # odd frames of 24-bit mono: odd data
        tag, bits = 1, 24
    body = draw(st.binary(min_size=frames * channels * width, max_size=frames * channels * width))
    align = channels * width + (1 if quirk == "block-align" else 0)
    fmt = fmt_body(
        tag=tag,
        channels=channels,
        rate=48000,
        bits=bits,
        block_align=align,
        byte_rate=48000 * channels * width,
    )
    if quirk == "data-counts-pad":
        data = chunk(b"data", body + b"\x00", size=len(body) + 1)
    else:
        data = chunk(b"data", body)
    chunks = (chunk(b"fmt ", fmt), data)
    size = len(riff(*chunks)) if quirk == "riff-size-counts-header" else None
    return riff(*chunks, size=size), frames


@settings(max_examples=150, deadline=None)
@given(quirky_layouts())
def test_quirks_of_real_writers_are_warnings_with_libsndfile_s_frames(
    layout: tuple[bytes, int],
) -> None:
    data, frames = layout
    report = walk_bytes(data)
    assert report.codes == {"WAV007"}
    assert report.frames == frames == sf.info(io.BytesIO(data)).frames
