"""Quirks of real writers: readable files get warnings, not errors (issue 8, items 1-6)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import soundfile as sf
from riffbuild import (
    chunk,
    codes,
    fmt_body,
    messages,
    pcm_wav,
    rf64_wav,
    riff,
    samples,
    walk_bytes,
)

from soundlint.audio.riff import walk


def _frames_read_by_libsndfile(data: bytes) -> int:
    return sf.info(io.BytesIO(data)).frames


# -- 1: a RIFF size that counts the RIFF header too -----------------------------------------


def test_riff_size_counting_its_own_header_is_a_warning() -> None:
    good = pcm_wav(10)
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(10, 4)), size=len(good))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        f"RIFF header at byte 0 declares RIFF size {len(good)}, the size of the whole file: it "
        "counts the 8-byte RIFF header too (every chunk is whole)"
    ]
    assert report.codes == {"WAV007"}
    assert report.frames == 10 == _frames_read_by_libsndfile(data)


def test_riff_size_a_few_bytes_over_with_every_chunk_whole_is_a_warning() -> None:
    # hound's nonstandard-01: the RIFF size is 2 bytes more than the chunks it holds
    chunks = (chunk(b"JUNK", bytes(12)), chunk(b"fmt ", fmt_body()), chunk(b"data", samples(3, 4)))
    data = riff(*chunks, size=len(riff(*chunks)) - 8 + 2)
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        f"RIFF header at byte 0 declares RIFF size {len(data) - 6} but the file is {len(data)} "
        "bytes: 2 bytes short of the RIFF end, yet every chunk is whole (the RIFF size is wrong, "
        "or whole chunks after the data are lost)"
    ]
    assert report.codes == {"WAV007"}


def test_riff_size_8_bytes_over_with_a_cut_chunk_is_still_corrupt() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(10, 4)))
    cut = data[:-8]
    declared_over = struct.pack("<I", len(data) - 8)
    assert "WAV002" in codes(cut[:4] + declared_over + cut[8:])


# -- 2: a data size that counts its own pad byte --------------------------------------------


def test_data_size_counting_its_pad_byte_is_a_warning_not_a_partial_frame() -> None:
    fmt = fmt_body(channels=1, bits=24, rate=48000)
    body = samples(3, 3)  # 9 bytes: odd, so a pad byte follows
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", body + b"\x00", size=10))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "data chunk at byte 36 declares 10 bytes, which counts its pad byte: the 9 bytes of "
        "audio are 3 whole 3-byte frames"
    ]
    assert report.codes == {"WAV007"}
    assert report.frames == 3 == _frames_read_by_libsndfile(data)


def test_an_even_partial_frame_is_still_corrupt() -> None:
    fmt = fmt_body(channels=1, bits=24, rate=48000)
    # 10 bytes: 3 frames and a last byte that is not a zero pad byte
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", samples(4, 3)[:-2]))
    assert "WAV002" in codes(data)
    assert "WAV002" in codes(riff(chunk(b"fmt ", fmt), chunk(b"data", samples(4, 3)[:-1])))
    fmt16 = fmt_body(channels=2, bits=16)
    assert "WAV002" in codes(riff(chunk(b"fmt ", fmt16), chunk(b"data", samples(3, 4)[:-2])))


# -- 3: RF64/BW64 with a 32-bit RIFF size that agrees with ds64 ------------------------------


def test_rf64_with_the_real_riff_size_in_the_header_is_a_warning() -> None:
    probe = rf64_wav(5)
    data = rf64_wav(5, riff_size32=len(probe) - 8)
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        f"RF64 header at byte 0 has RIFF size {len(probe) - 8}, not 0xFFFFFFFF; it agrees with "
        "the ds64 chunk, so readers find every size"
    ]
    assert report.codes == {"WAV007"}
    bw64 = rf64_wav(5, magic=b"BW64", riff_size32=len(probe) - 8, data_size32=20)
    assert codes(bw64) == {"WAV007"}


def test_rf64_riff_size_disagreeing_with_ds64_is_still_wav008() -> None:
    assert "WAV008" in codes(rf64_wav(5, riff_size32=1000))
    assert "WAV008" in codes(rf64_wav(5, riff_size32=0))


# -- 5: inconsistent block align -------------------------------------------------------------


def test_wrong_block_align_frames_are_counted_from_channels_and_bits() -> None:
    # 2 channels of 16 bits: 4-byte frames; the header says 6 (and a byte rate of 4-byte frames)
    fmt = fmt_body(channels=2, bits=16, block_align=6, byte_rate=44100 * 4)
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", samples(10, 4)))
    report = walk_bytes(data)
    assert report.frames == 10 == _frames_read_by_libsndfile(data)
    assert [f.message for f in report.findings] == [
        "fmt chunk at byte 12 has block align 6, but 2 channels of 16 bits take 4 (and the byte "
        "rate agrees with 4): the block align is wrong; frames are counted as 4 bytes"
    ]
    assert report.codes == {"WAV007"}


def test_partial_frame_message_uses_the_implied_frame_size_and_names_the_wrong_field() -> None:
    fmt = fmt_body(channels=2, bits=16, block_align=3, byte_rate=44100 * 4)
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", samples(10, 4)[:-2]))
    report = walk_bytes(data)
    assert report.frames == 9 == _frames_read_by_libsndfile(data)
    assert messages(data, "WAV002") == [
        "data chunk at byte 36 is 38 bytes, not a whole number of 4-byte frames (2 channels of "
        "16 bits; the fmt chunk's block align 3 is wrong): the last frame is partial (2 bytes)"
    ]


def test_padded_containers_with_a_matching_byte_rate_count_block_align_frames() -> None:
    # 24-bit samples in 4-byte containers under a plain PCM header: block align 8 is the frame
    fmt = fmt_body(channels=2, bits=24, rate=48000, block_align=8)
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", samples(5, 8)))
    report = walk_bytes(data)
    assert report.frames == 5
    assert [f.message for f in report.findings] == [
        "fmt chunk at byte 12 has block align 8 for 2 channels of 24 bits: 4-byte containers, "
        "which only WAVE_FORMAT_EXTENSIBLE describes (many readers get the samples wrong)"
    ]
    assert report.codes == {"WAV007"}


# -- 6: a fact sample count the data cannot hold ---------------------------------------------


def test_fact_count_larger_than_the_data_is_a_warning() -> None:
    fact = chunk(b"fact", struct.pack("<I", 12))
    data = riff(chunk(b"fmt ", fmt_body()), fact, chunk(b"data", samples(10, 4)))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "fact chunk at byte 36 declares 12 samples but the data chunk holds 10 frames"
    ]
    assert report.codes == {"WAV007"}
    for count in (10, 3):
        same = chunk(b"fact", struct.pack("<I", count))
        assert (
            codes(riff(chunk(b"fmt ", fmt_body()), same, chunk(b"data", samples(10, 4)))) == set()
        )


def test_fact_count_of_a_truncated_file_is_left_to_the_truncation() -> None:
    fact = chunk(b"fact", struct.pack("<I", 10))
    data = riff(chunk(b"fmt ", fmt_body()), fact, chunk(b"data", samples(10, 4)))[:-8]
    assert codes(data) == {"WAV002"}


def test_a_short_last_block_of_compressed_audio_is_not_a_partial_frame() -> None:
    # libsndfile's G.721 writer ends on a short block, as ADPCM writers may
    buffer = io.BytesIO()
    sf.write(buffer, [[0.1]] * 4801, 8000, format="WAV", subtype="G721_32")
    report = walk_bytes(buffer.getvalue())
    assert report.fmt is not None
    assert report.data_size is not None
    assert report.data_size % report.fmt.block_align  # the last block is short
    assert report.findings == ()


# -- streamed files: sizes left at the 0xFFFFFFFF placeholder ---------------------------------


def test_streamed_wav_with_placeholder_sizes_is_a_warning() -> None:
    # ffmpeg writing to a pipe cannot seek back: the RIFF and data sizes stay 0xFFFFFFFF
    fmt = chunk(b"fmt ", fmt_body())
    data = riff(fmt, chunk(b"data", samples(250, 4), size=0xFFFF_FFFF), size=0xFFFF_FFFF)
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "data chunk at byte 36 declares 0xFFFFFFFF bytes, the placeholder of a writer that "
        "streamed the file and never went back (e.g. ffmpeg to a pipe): its 1000 bytes "
        "(5.7 ms) run to the end of the file"
    ]
    assert report.codes == {"WAV007"}
    assert report.frames == 250 == _frames_read_by_libsndfile(data)


def test_streamed_wav_cut_in_a_frame_is_corrupt() -> None:
    fmt = chunk(b"fmt ", fmt_body())
    cut = chunk(b"data", samples(250, 4)[:-1], size=0xFFFF_FFFF, pad=False)
    data = riff(fmt, cut, size=0xFFFF_FFFF)
    assert codes(data) == {"WAV007", "WAV002"}
    assert messages(data, "WAV002") == [
        "data chunk at byte 36 is 999 bytes, not a whole number of 4-byte frames: the last "
        "frame is partial (3 bytes)"
    ]


def test_streamed_wav_over_4_gib_runs_to_the_end_of_the_file(tmp_path: Path) -> None:
    # ffmpeg to a pipe past 4 GiB: the placeholder sizes cannot say how long the data is
    header = riff(chunk(b"fmt ", fmt_body()), size=0xFFFF_FFFF)[:36]
    path = tmp_path / "long.wav"
    with path.open("wb") as f:
        f.write(header + b"data" + (0xFFFF_FFFF).to_bytes(4, "little"))
        f.truncate(44 + 4 * 1_200_000_000)  # sparse: 4.8 GB of 4-byte frames
    report = walk(path)
    assert report.codes == {"WAV007"}
    assert report.frames == 1_200_000_000
