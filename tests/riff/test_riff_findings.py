"""Each finding: a file that triggers it, with its message, and a near miss that does not."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from riffbuild import (
    U32_MAX,
    bext_body,
    chunk,
    codes,
    extensible_wav,
    fmt_body,
    messages,
    pcm_wav,
    rf64_wav,
    riff,
    samples,
    walk_bytes,
)

from soundlint.audio.riff import MAX_CHUNKS, walk, walk_stream


def _set_u32(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + struct.pack("<I", value) + data[offset + 4 :]


# -- WAV001: not a RIFF/WAVE file ----------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "named"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(100), "an MP3 file"),
        (b"\xff\xfb\x90\x64" + bytes(100), "an MP3 file"),
        (b"fLaC\x00\x00\x00\x22" + bytes(100), "a FLAC file"),
        (b"OggS\x00\x02" + bytes(100), "an Ogg file"),
        (b"FORM\x00\x00\x00\x64AIFFCOMM" + bytes(100), "an AIFF file"),
        (b"FORM\x00\x00\x00\x64AIFCFVER" + bytes(100), "an AIFF-C file"),
        (b".snd\x00\x00\x00\x18" + bytes(100), "AU file"),
        (b"caff\x00\x01\x00\x00" + bytes(100), "CAF file"),
        (b"riff\x2e\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00" + bytes(100), "Wave64"),
        (b"\x00\x00\x00\x20ftypM4A " + bytes(100), "MP4/M4A"),
        (b"segments = ['rain.wav']\n", "a text file"),
        (b"", "empty (0 bytes)"),
        (b"\x00\x01\x02\x03\xfe\xfd" + bytes(50), "unrecognised bytes 00 01 02 03 fe fd 00 00"),
        (riff(b"LIST", form=b"AVI "), "form 'AVI ', not 'WAVE'"),
        (rf64_wav(4)[:8] + b"XWAV" + rf64_wav(4)[12:], "RF64 header at byte 0 has form 'XWAV'"),
    ],
)
def test_wav001_names_what_the_file_is(head: bytes, named: str) -> None:
    report = walk_bytes(head)
    assert report.codes == {"WAV001"}
    assert named in report.findings[0].message
    assert report.chunks == ()


def test_wav001_not_for_a_wav() -> None:
    assert "WAV001" not in codes(pcm_wav(10))


def test_wav001_for_a_file_that_cannot_be_opened(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.wav", tmp_path):
        report = walk(path)
        assert report.container == "unreadable"
        assert report.codes == {"WAV001"}
        assert "cannot be opened" in report.findings[0].message


# -- WAV002: truncated or corrupt ----------------------------------------------------------


def test_wav002_data_past_end_of_file_says_bytes_and_seconds() -> None:
    data = _set_u32(pcm_wav(250), 40, 0x10000000)  # 1000 data bytes present
    report = walk_bytes(data)
    assert report.codes == {"WAV002"}
    [finding] = report.findings
    assert finding.message == (
        "data chunk at byte 36 declares 268435456 bytes but the file ends 1000 bytes after "
        "its header: 268434456 bytes (1521.7 s) missing"
    )
    assert (finding.offset, finding.chunk) == (36, "data")
    assert report.frames == 250
    assert report.data_size == 0x10000000


def test_wav002_truncated_data_in_milliseconds() -> None:
    data = pcm_wav(1000)[:-400]
    assert messages(data, "WAV002") == [
        "data chunk at byte 36 declares 4000 bytes but the file ends 3600 bytes after its "
        "header: 400 bytes (2.3 ms) missing"
    ]
    assert walk_bytes(data).frames == 900


def test_wav002_truncated_data_without_fmt_gives_no_seconds() -> None:
    data = riff(chunk(b"data", samples(10, 4)))[:-10]
    [message] = [m for m in messages(data, "WAV002") if m.startswith("data")]
    assert message.endswith("10 bytes missing")


def test_wav002_riff_size_larger_than_the_file() -> None:
    data = pcm_wav(10)
    cut = _set_u32(data, 4, len(data) - 8 + 10)[:-2]
    assert messages(cut, "WAV002") == [
        "data chunk at byte 36 declares 40 bytes but the file ends 38 bytes after its header: "
        "2 bytes (under 0.1 ms) missing",
    ]
    over = _set_u32(data + b"JUNK", 4, len(data) - 8 + 10)  # a chunk header cut off
    assert messages(over, "WAV002") == [
        f"RIFF header at byte 0 declares RIFF size {len(data) + 2} but the file is "
        f"{len(data) + 4} bytes: 6 bytes missing",
        f"chunk header at byte {len(data)} is cut off: only 4 of its 8 bytes are in the file",
    ]
    assert codes(data) == set()
    whole_chunks = _set_u32(data, 4, len(data) - 8 + 10)
    assert codes(whole_chunks) == {"WAV007"}


def test_wav002_partial_final_frame() -> None:
    body = samples(10, 4)[:-1]  # 39 bytes of 4-byte frames
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", body))
    assert messages(data, "WAV002") == [
        "data chunk at byte 36 is 39 bytes, not a whole number of 4-byte frames: the last "
        "frame is partial (3 bytes)"
    ]
    assert walk_bytes(data).frames == 9
    assert "WAV002" not in codes(riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(10, 4))))


def test_wav002_no_fmt_chunk() -> None:
    data = riff(chunk(b"data", samples(10, 4)))
    assert messages(data, "WAV002") == ["no fmt chunk in the 1 chunks from byte 12"]


def test_wav002_no_data_chunk() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"JUNK", bytes(8)))
    assert messages(data, "WAV002") == ["no data chunk in the 2 chunks from byte 12"]
    assert walk_bytes(data).frames is None


def test_wav002_chunk_header_cut_off() -> None:
    whole = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(2, 4)))
    data = _set_u32(whole + b"LIST\x10", 4, len(whole))  # the RIFF runs to byte 60
    assert messages(data, "WAV002") == [
        "RIFF header at byte 0 declares RIFF size 52 but the file is 57 bytes: 3 bytes missing",
        "chunk header at byte 52 is cut off: only 5 of its 8 bytes are in the file",
    ]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (
            b"\0\x01",
            "2 bytes at byte 52, after the whole data chunk at byte 36, are too few for a chunk "
            "header: readers skip them and get all the audio",
        ),
        (
            b"LIST\x10",
            "5 bytes at byte 52, after the whole data chunk at byte 36, are too few for a chunk "
            "header: readers skip them and get all the audio",
        ),
        (
            b"\x01\x02\x03\x04\x10\0\0\0" + bytes(16),
            "bytes 01 02 03 04 10 00 00 00 at byte 52, after the whole data chunk at byte 36, are "
            "not a chunk header: readers skip the 24 bytes to the RIFF end and get all the audio",
        ),
    ],
)
def test_wav007_bytes_after_the_whole_data_inside_the_riff_are_not_a_chunk(
    tail: bytes, expected: str
) -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(2, 4)), tail)
    report = walk_bytes(data)
    assert [(f.code, f.message, f.offset) for f in report.findings] == [("WAV007", expected, 52)]
    assert report.frames == 2
    decoded, _ = sf.read(io.BytesIO(data), dtype="int16")  # libsndfile gets all the audio
    assert decoded.shape == (2, 2)


def test_wav002_bytes_that_are_not_a_chunk_before_the_data() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), b"\x01\x02\x03", chunk(b"data", samples(2, 4)))
    assert codes(data) == {"WAV002"}


def test_wav002_other_chunk_running_past_the_end() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"LIST", b"INFO" + bytes(6), size=1000))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "LIST chunk at byte 36 declares 1000 bytes but the file ends 10 bytes after its "
        "header: 990 bytes missing"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (fmt_body()[:12], "fmt chunk at byte 12 is 12 bytes, too short for a format header (16)"),
        (fmt_body()[:14], "fmt chunk at byte 12 is 14 bytes: too short to hold bits per sample"),
        (fmt_body(channels=0, block_align=4), "fmt chunk at byte 12 has channels 0"),
        (fmt_body(rate=0), "fmt chunk at byte 12 has sample rate 0"),
        (fmt_body(block_align=0), "fmt chunk at byte 12 has block align 0"),
    ],
)
def test_wav002_broken_fmt(body: bytes, expected: str) -> None:
    data = riff(chunk(b"fmt ", body), chunk(b"data", samples(4, 4)))
    assert any(m.startswith(expected) for m in messages(data, "WAV002"))


@pytest.mark.parametrize("riff_size", [0, None])
def test_wav002_data_size_never_filled_in(riff_size: int | None) -> None:
    empty_data = chunk(b"data", b"", size=0) + samples(100, 4)
    data = riff(chunk(b"fmt ", fmt_body()), empty_data, size=riff_size)
    report = walk_bytes(data)
    assert messages(data, "WAV002") == [
        "data chunk at byte 36 declares 0 bytes but is followed by 400 bytes (2.3 ms) that are "
        "not a chunk: its size was never filled in"
    ]
    assert report.frames == 0
    assert codes(riff(chunk(b"fmt ", fmt_body()), chunk(b"data", b""))) == set()


def test_wav002_pcm_with_zero_bits_per_sample() -> None:
    body = fmt_body(bits=0, block_align=4)
    data = riff(chunk(b"fmt ", body), chunk(b"data", b""))
    assert messages(data, "WAV002") == ["fmt chunk at byte 12 has bits per sample 0 for PCM"]
    mp3 = fmt_body(tag=0x55, bits=0, block_align=1, byte_rate=16000)
    assert codes(riff(chunk(b"fmt ", mp3), chunk(b"data", b""))) == set()


def test_wav002_garbage_where_a_chunk_header_should_be() -> None:
    data = riff(
        chunk(b"fmt ", fmt_body()), b"\x01\x02\x03\x04\x05\x06\x07\x08", chunk(b"data", b"")
    )
    assert messages(data, "WAV002") == [
        "bytes 01 02 03 04 05 06 07 08 at byte 36 are not a chunk header: the chunk list is "
        "corrupt from here"
    ]


class _FailingStream(io.BytesIO):
    """A stream whose reads fail past ``fail_at``, like a disk with a bad sector."""

    def __init__(self, data: bytes, fail_at: int) -> None:
        super().__init__(data)
        self.fail_at = fail_at

    def read(self, n: int | None = -1) -> bytes:
        if self.tell() >= self.fail_at:
            raise OSError(5, "Input/output error")
        return super().read(n)


def test_wav002_read_error_part_way() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"JUNK", bytes(100)), chunk(b"data", b""))
    report = walk_stream(_FailingStream(data, 130), len(data))
    assert [f.message for f in report.findings] == ["read error near byte 144: Input/output error"]
    assert report.codes == {"WAV002"}
    assert report.fmt is not None


# -- WAV007: structural non-conformance -----------------------------------------------------


def test_wav007_missing_pad_byte_then_walks_on() -> None:
    odd = chunk(b"JUNK", b"abc", pad=False)
    data = riff(chunk(b"fmt ", fmt_body()), odd, chunk(b"data", samples(5, 4)))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "JUNK chunk at byte 36 has odd size 3 but no pad byte: the next chunk starts at byte "
        "47, not 48"
    ]
    assert report.codes == {"WAV007"}
    assert report.frames == 5
    padded = riff(chunk(b"fmt ", fmt_body()), chunk(b"JUNK", b"abc"), chunk(b"data", b""))
    assert codes(padded) == set()


def test_wav007_missing_pad_byte_at_the_end_of_the_file() -> None:
    fmt = fmt_body(channels=1, bits=24)
    data = riff(chunk(b"fmt ", fmt), chunk(b"data", samples(3, 3), pad=False))
    assert messages(data, "WAV007") == [
        "data chunk at byte 36 has odd size 9 but the file ends without its pad byte"
    ]
    assert codes(riff(chunk(b"fmt ", fmt), chunk(b"data", samples(3, 3)))) == set()


def test_wav007_duplicate_fmt_and_data() -> None:
    fmt = chunk(b"fmt ", fmt_body())
    data = riff(fmt, chunk(b"data", b""), fmt, chunk(b"data", b""))
    assert messages(data, "WAV007") == [
        "fmt chunk at byte 44 repeats the fmt chunk at byte 12; readers disagree on which one "
        "counts (the first is used here)",
        "data chunk at byte 68 repeats the data chunk at byte 36; readers disagree on which "
        "one counts (the first is used here)",
    ]


def test_wav007_data_before_fmt() -> None:
    data = riff(chunk(b"data", samples(4, 4)), chunk(b"fmt ", fmt_body()))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "data chunk at byte 12 comes before the fmt chunk at byte 36"
    ]
    assert report.frames == 4


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (fmt_body(byte_rate=1000), "has byte rate 1000, but 44100 Hz x block align 4 is 176400"),
        (
            fmt_body(block_align=6, byte_rate=264600),
            "has block align 6, but 2 channels of 16 bits take 4: the block align is wrong; "
            "frames are counted as 4 bytes",
        ),
        (fmt_body(tag=3, bits=16), "is IEEE float with 16 bits per sample (32 or 64)"),
        (fmt_body(tag=7, bits=16), "is µ-law with 16 bits (8)"),
        (fmt_body() + b"\x05\x00\x00\x00", "has cbSize 5 but only 2 extension bytes"),
    ],
)
def test_wav007_inconsistent_fmt(body: bytes, expected: str) -> None:
    data = riff(chunk(b"fmt ", body), chunk(b"data", b""))
    assert messages(data, "WAV007") == [f"fmt chunk at byte 12 {expected}"]


def test_wav007_not_for_consistent_fmt_of_unchecked_encodings() -> None:
    adpcm = fmt_body(tag=0x11, channels=1, bits=4, block_align=256, byte_rate=22311)
    assert (
        codes(riff(chunk(b"fmt ", adpcm + b"\x02\x00\xf9\x01"), chunk(b"data", bytes(256))))
        == set()
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"valid_bits": 32}, "has 32 valid bits in a 24-bit sample container"),
        ({"cb_size": 0}, "is WAVE_FORMAT_EXTENSIBLE but is 40 bytes with cbSize 0"),
        ({"mask": 0x3F}, "has channel mask 0x3F naming 6 speakers for 2 channels"),
        ({"sub_tag": 0}, "has sub-format 00000000-0000-0010-8000-00aa00389b71, which names no"),
        ({"bits": 20}, "is extensible with 20-bit containers, not whole bytes"),
    ],
)
def test_wav007_inconsistent_extensible(fields: dict[str, int], expected: str) -> None:
    [message] = messages(extensible_wav(10, **fields), "WAV007")
    assert message.startswith(f"fmt chunk at byte 12 {expected}")


def test_wav007_extensible_too_short() -> None:
    body = fmt_body(tag=0xFFFE, bits=24) + struct.pack("<H", 0)
    data = riff(chunk(b"fmt ", body), chunk(b"data", b""))
    assert messages(data, "WAV007") == [
        "fmt chunk at byte 12 is WAVE_FORMAT_EXTENSIBLE but is 18 bytes with cbSize 0: the "
        "extension needs 40 bytes and cbSize 22"
    ]
    assert walk_bytes(data).fmt is not None


def test_wav007_bytes_after_the_riff_end() -> None:
    data = pcm_wav(10) + b"\x00\x00\x00"
    assert messages(data, "WAV007") == [
        "RIFF header at byte 0 declares RIFF size 76 but the file is 87 bytes: 3 bytes after "
        "the RIFF end at byte 84"
    ]


def test_wav007_stale_riff_size_still_finds_the_chunks_after_it() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(10, 4)), size=4 + 24)
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "RIFF header at byte 0 declares RIFF size 28 but the file is 84 bytes: 48 bytes after "
        "the RIFF end at byte 36 hold chunks (the RIFF size is stale)"
    ]
    assert report.frames == 10


def test_wav007_zero_padding_where_a_header_should_be() -> None:
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"data", samples(2, 4)), bytes(16))
    assert messages(data, "WAV007") == [
        "zero bytes at byte 52 where a chunk header should be: treating the rest of the RIFF "
        "as padding"
    ]


def test_wav007_bext_too_short() -> None:
    data = riff(chunk(b"bext", bext_body()[:600]), chunk(b"fmt ", fmt_body()), chunk(b"data", b""))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "bext chunk at byte 12 is 600 bytes, shorter than its 602-byte header"
    ]
    assert report.bext is None


def test_wav007_info_item_running_past_its_list() -> None:
    items = chunk(b"INAM", b"Rain\x00\x00") + b"ICMT" + struct.pack("<I", 50) + b"short"
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"LIST", b"INFO" + items), chunk(b"data", b""))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "LIST chunk at byte 36 has item 'ICMT' at byte 62 running past its end"
    ]
    assert dict(report.info or {}) == {"INAM": "Rain"}


def test_wav007_garbage_inside_an_info_list() -> None:
    items = chunk(b"INAM", b"Rain\x00\x00") + b"\x00\x01\x02\x03" + bytes(8)
    data = riff(chunk(b"fmt ", fmt_body()), chunk(b"LIST", b"INFO" + items), chunk(b"data", b""))
    assert messages(data, "WAV007") == ["LIST chunk at byte 36 holds garbage at byte 62"]


def test_wav007_too_many_chunks() -> None:
    filler = chunk(b"JUNK", b"") * MAX_CHUNKS
    data = riff(chunk(b"fmt ", fmt_body()), filler, chunk(b"data", b""))
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        f"more than {MAX_CHUNKS} chunks: stopped at byte {12 + 24 + 8 * (MAX_CHUNKS - 1)}"
    ]


# -- WAV008: RF64/BW64 and RIFX ---------------------------------------------------------------


def test_wav008_rifx_is_reported_and_still_walked() -> None:
    fmt = struct.pack(">HHIIHH", 1, 2, 44100, 176400, 4, 16)
    body = (
        b"WAVE" + b"fmt " + struct.pack(">I", 16) + fmt + b"data" + struct.pack(">I", 8) + bytes(8)
    )
    data = b"RIFX" + struct.pack(">I", len(body)) + body
    report = walk_bytes(data)
    assert report.container == "RIFX"
    assert [f.message for f in report.findings] == [
        "RIFX header at byte 0: big-endian WAV, which the platform does not take"
    ]
    assert report.codes == {"WAV008"}
    assert report.fmt is not None
    assert (report.fmt.sample_rate, report.fmt.channels, report.frames) == (44100, 2, 2)


def test_wav008_rf64_without_ds64() -> None:
    data = riff(
        chunk(b"fmt ", fmt_body()), chunk(b"data", samples(5, 4)), magic=b"RF64", size=U32_MAX
    )
    report = walk_bytes(data)
    assert [f.message for f in report.findings] == [
        "RF64 file has no ds64 chunk; it must be the first chunk, at byte 12"
    ]
    assert report.frames == 5


def test_wav008_rf64_without_ds64_and_an_unknown_data_size() -> None:
    data = riff(
        chunk(b"fmt ", fmt_body()),
        chunk(b"data", samples(5, 4), size=U32_MAX),
        magic=b"RF64",
        size=U32_MAX,
    )
    report = walk_bytes(data)
    assert report.codes == {"WAV008"}
    assert report.data_size == 20
    assert report.notes == (
        "data chunk at byte 36 has size 0xFFFFFFFF and ds64 gives no size for it: assumed to "
        "run to the end of the file (20 bytes)",
    )


def test_wav008_ds64_not_first() -> None:
    good = rf64_wav(5)
    ds64 = good[12:48]
    data = good[:12] + good[48:72] + ds64 + good[72:]
    assert messages(data, "WAV008") == ["ds64 chunk at byte 36 is not the first chunk (byte 12)"]


def test_wav008_riff_size_not_all_ones() -> None:
    assert messages(rf64_wav(5, riff_size32=1000), "WAV008") == [
        "RF64 header at byte 0 has RIFF size 1000, not 0xFFFFFFFF (the real size belongs in ds64)"
    ]
    assert codes(rf64_wav(5)) == set()


@pytest.mark.parametrize(
    ("delta", "detail"), [(6, "6 bytes missing"), (-6, "6 bytes after the RIFF end")]
)
def test_wav008_ds64_riff_size_disagrees_with_the_file(delta: int, detail: str) -> None:
    [message] = messages(rf64_wav(5, riff_size_delta=delta), "WAV008")
    assert message.startswith("ds64 chunk at byte 12 declares RIFF size")
    assert detail in message


def test_wav008_ds64_data_size_disagrees_with_the_data_chunk() -> None:
    data = rf64_wav(5, data_size32=20, data_size_delta=-4)
    assert messages(data, "WAV008") == [
        "data chunk at byte 72 declares 20 bytes but the ds64 chunk at byte 12 says 16"
    ]
    assert codes(rf64_wav(5, data_size32=20)) == set()


def test_wav008_ds64_data_size_past_the_end_is_a_truncation() -> None:
    [message] = messages(rf64_wav(5, data_size_delta=1 << 32), "WAV002")
    assert message.startswith("data chunk at byte 72 declares 4294967316 bytes")


def test_wav008_ds64_sample_count_disagrees() -> None:
    assert messages(rf64_wav(5, sample_count=7), "WAV008") == [
        "ds64 chunk at byte 12 declares 7 samples but the data chunk holds 5 frames"
    ]
    assert codes(rf64_wav(5, sample_count=0)) == set()


def test_wav008_ds64_too_short_or_with_a_short_table() -> None:
    short = riff(
        chunk(b"ds64", bytes(20)),
        chunk(b"fmt ", fmt_body()),
        chunk(b"data", b""),
        magic=b"RF64",
        size=U32_MAX,
    )
    assert messages(short, "WAV008") == [
        "ds64 chunk at byte 12 is 20 bytes, too short for its three 8-byte sizes (24)"
    ]
    table = struct.pack("<QQQI", 4 + 36 + 24 + 8, 0, 0, 3)
    data = riff(
        chunk(b"ds64", table),
        chunk(b"fmt ", fmt_body()),
        chunk(b"data", b""),
        magic=b"RF64",
        size=U32_MAX,
    )
    assert messages(data, "WAV008") == [
        "ds64 chunk at byte 12 declares a table of 3 sizes but holds 0"
    ]


def test_wav008_bw64_is_checked_like_rf64() -> None:
    assert codes(rf64_wav(5, magic=b"BW64")) == set()
    [message] = messages(rf64_wav(5, magic=b"BW64", riff_size32=0), "WAV008")
    assert message.startswith("BW64 header at byte 0 has RIFF size 0")


def test_wav007_ds64_of_24_bytes_is_read_for_its_three_sizes() -> None:
    fmt, body = chunk(b"fmt ", fmt_body()), samples(25, 4)
    data = chunk(b"data", body, size=U32_MAX)
    riff_size = 4 + 8 + 24 + len(fmt) + len(data)
    ds64 = chunk(b"ds64", struct.pack("<QQQ", riff_size, len(body), 25))
    report = walk_bytes(riff(ds64, fmt, data, magic=b"RF64", size=U32_MAX))
    assert [(f.code, f.message, f.offset) for f in report.findings] == [
        (
            "WAV007",
            "ds64 chunk at byte 12 is 24 bytes: the RIFF, data and sample sizes without the "
            "table length after them (28 bytes with it); read as a ds64 with no table",
            12,
        )
    ]
    assert report.ds64 is not None
    assert (report.ds64.riff_size, report.ds64.data_size, report.ds64.sample_count) == (
        riff_size,
        100,
        25,
    )
    assert (report.data_size, report.frames) == (100, 25)
    wrong = chunk(b"ds64", struct.pack("<QQQ", riff_size, len(body) + 4, 25))
    assert messages(riff(wrong, fmt, data, magic=b"RF64", size=U32_MAX), "WAV002") == [
        "data chunk at byte 68 declares 104 bytes but the file ends 100 bytes after its header: "
        "4 bytes (under 0.1 ms) missing"
    ]


# -- ADPCM: frames as decoded, the fact count checked (issue 15, point 23) --------------------


def _adpcm(subtype: str, frames: int, channels: int) -> bytes:
    buffer = io.BytesIO()
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(frames) / 44100)
    sf.write(buffer, np.stack([tone] * channels, axis=1), 44100, subtype=subtype, format="WAV")
    return buffer.getvalue()


@pytest.mark.parametrize("subtype", ["IMA_ADPCM", "MS_ADPCM"])
@pytest.mark.parametrize("channels", [1, 2])
def test_adpcm_frames_are_those_decoding_gives(subtype: str, channels: int) -> None:
    written = _adpcm(subtype, 5000, channels)
    fact = next(c for c in walk_bytes(written).chunks if c.id == "fact")
    data = _set_u32(written, fact.offset + 8, 5000)  # the true count: the last block is padded
    report = walk_bytes(data)
    decoded, _ = sf.read(io.BytesIO(data))
    assert (report.frames, report.fact_samples) == (len(decoded), 5000)
    assert report.frames > 5000
    assert report.duration_s == len(decoded) / 44100
    assert report.findings == ()


@pytest.mark.parametrize(("subtype", "per_block"), [("IMA_ADPCM", 2041), ("MS_ADPCM", 2036)])
def test_wav007_adpcm_fact_count_larger_than_the_blocks_hold(subtype: str, per_block: int) -> None:
    data = _adpcm(subtype, 5000, 2)
    report = walk_bytes(data)
    fact = next(c for c in report.chunks if c.id == "fact")
    blocks = report.frames // per_block
    larger = _set_u32(data, fact.offset + 8, report.frames + 1)
    assert [(f.code, f.message, f.offset) for f in walk_bytes(larger).findings] == [
        (
            "WAV007",
            f"fact chunk at byte {fact.offset} declares {report.frames + 1} samples but the data "
            f"chunk holds {blocks} blocks of {per_block} frames: {report.frames} frames",
            fact.offset,
        )
    ]
    assert walk_bytes(larger).frames == report.frames
    assert codes(_set_u32(data, fact.offset + 8, report.frames)) == set()


@pytest.mark.parametrize("subtype", ["IMA_ADPCM", "MS_ADPCM"])
def test_wav002_cut_adpcm_says_the_seconds_its_missing_blocks_decode_to(subtype: str) -> None:
    whole = _set_u32(_adpcm(subtype, 5 * 44100, 1), 28, 16000)  # a wrong byte rate, as ffmpeg's
    cut = whole[:100000]
    report = walk_bytes(cut)
    missing_frames = walk_bytes(whole).frames - len(sf.read(io.BytesIO(cut))[0])
    assert missing_frames == walk_bytes(whole).frames - report.frames
    seconds = f"{missing_frames / 44100 * 1000:.1f} ms"
    data = next(c for c in report.chunks if c.id == "data")
    assert messages(cut, "WAV002") == [
        f"data chunk at byte {data.offset} declares {data.size} bytes but the file ends "
        f"{100000 - data.offset - 8} bytes after its header: "
        f"{data.size - (100000 - data.offset - 8)} bytes ({seconds}) missing"
    ]
