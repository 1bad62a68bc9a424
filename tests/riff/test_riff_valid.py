"""Valid files walk clean, and what the walker parses from them is right."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from riffbuild import (
    bext_body,
    bwf_wav,
    chunk,
    extensible_wav,
    float_wav,
    fmt_body,
    info_list,
    pcm_wav,
    rf64_wav,
    riff,
    samples,
    walk_bytes,
)

from soundlint.audio.riff import PARSE_CAP, encoding_name, walk

HAND_BUILT = {
    "pcm16": (pcm_wav(100), 100),
    "pcm24-mono-odd": (pcm_wav(101, channels=1, bits=24), 101),
    "pcm8": (pcm_wav(3, channels=1, bits=8), 3),
    "float": (float_wav(100), 100),
    "extensible": (extensible_wav(100), 100),
    "rf64": (rf64_wav(100), 100),
    "bw64": (rf64_wav(100, magic=b"BW64"), 100),
    "bwf": (bwf_wav(100), 100),
}
LIBSNDFILE_READS = sorted(set(HAND_BUILT) - {"bw64"})


@pytest.mark.parametrize("name", sorted(HAND_BUILT))
def test_hand_built_fixtures_walk_clean(name: str) -> None:
    data, frames = HAND_BUILT[name]
    report = walk_bytes(data)
    assert report.findings == ()
    assert report.notes == ()
    assert report.fmt is not None
    assert report.frames == frames


@pytest.mark.parametrize("name", LIBSNDFILE_READS)
def test_hand_built_fixtures_agree_with_libsndfile(name: str) -> None:
    data = HAND_BUILT[name][0]
    info = sf.info(io.BytesIO(data))
    report = walk_bytes(data)
    assert report.fmt is not None
    assert (report.fmt.sample_rate, report.fmt.channels) == (info.samplerate, info.channels)
    assert report.frames == info.frames
    assert report.duration_s == pytest.approx(info.duration)


def test_pcm16_fields() -> None:
    report = walk_bytes(pcm_wav(100))
    assert report.container == "WAV"
    assert report.file_size == 44 + 400
    assert [(c.id, c.offset, c.size) for c in report.chunks] == [
        ("fmt ", 12, 16),
        ("data", 36, 400),
    ]
    assert report.fmt is not None
    assert report.fmt.format_tag == 1
    assert report.fmt.encoding == "PCM"
    assert (report.fmt.byte_rate, report.fmt.block_align, report.fmt.bits_per_sample) == (
        176400,
        4,
        16,
    )
    assert (report.data_offset, report.data_size, report.frames) == (44, 400, 100)
    assert report.bext is None
    assert report.info is None
    assert report.ds64 is None


def test_odd_sized_data_with_its_pad_byte_is_clean() -> None:
    data = pcm_wav(101, channels=1, bits=24)
    assert len(data) % 2 == 0
    report = walk_bytes(data)
    assert report.data_size == 303
    assert report.frames == 101


def test_float_reads_fact_and_names_encoding() -> None:
    report = walk_bytes(float_wav(100))
    assert report.fmt is not None
    assert report.fmt.encoding == "IEEE float"
    assert report.fact_samples == 100
    assert report.frames == 100


def test_extensible_fields() -> None:
    report = walk_bytes(extensible_wav(100, channels=2, bits=24, valid_bits=20, mask=0x3))
    fmt = report.fmt
    assert fmt is not None
    assert fmt.format_tag == 0xFFFE
    assert (fmt.valid_bits, fmt.channel_mask) == (20, 3)
    assert fmt.sub_format == "00000001-0000-0010-8000-00aa00389b71"
    assert fmt.sub_format_tag == 1
    assert fmt.effective_tag == 1
    assert fmt.encoding == "PCM"
    assert report.findings == ()


def test_extensible_with_a_foreign_guid_keeps_the_extensible_tag() -> None:
    guid = bytes(range(16))
    report = walk_bytes(extensible_wav(10, guid=guid))
    assert report.fmt is not None
    assert report.fmt.sub_format_tag is None
    assert report.fmt.effective_tag == 0xFFFE
    assert report.fmt.sub_format == "03020100-0504-0706-0809-0a0b0c0d0e0f"
    assert report.frames is None


def test_rf64_sizes_come_from_ds64() -> None:
    report = walk_bytes(rf64_wav(100))
    assert report.container == "RF64"
    assert report.ds64 is not None
    assert report.ds64.data_size == 400
    assert report.ds64.sample_count == 100
    assert report.data_size == 400
    assert [c.id for c in report.chunks] == ["ds64", "fmt ", "data"]
    assert report.chunks[-1].size == 400


def test_rf64_table_gives_the_size_of_other_big_chunks() -> None:
    junk = b"\x00" * 10
    fmt = chunk(b"fmt ", fmt_body())
    data = chunk(b"data", samples(5, 4), size=0xFFFF_FFFF)
    big_junk = chunk(b"JUNK", junk, size=0xFFFF_FFFF)
    riff_size = 4 + (8 + 28 + 12) + len(big_junk) + len(fmt) + len(data)
    ds64 = struct.pack("<QQQI", riff_size, 20, 5, 1) + b"JUNK" + struct.pack("<Q", 10)
    report = walk_bytes(
        riff(chunk(b"ds64", ds64), big_junk, fmt, data, magic=b"RF64", size=0xFFFF_FFFF)
    )
    assert report.findings == ()
    assert report.ds64 is not None
    assert dict(report.ds64.table) == {"JUNK": 10}
    assert [(c.id, c.size) for c in report.chunks] == [
        ("ds64", 40),
        ("JUNK", 10),
        ("fmt ", 16),
        ("data", 20),
    ]


def test_bext_fields() -> None:
    report = walk_bytes(bwf_wav(100))
    bext = report.bext
    assert bext is not None
    assert bext.description == "Rain on a tin roof"
    assert bext.originator == "soundlint tests"
    assert bext.originator_reference == "REF-0001"
    assert (bext.origination_date, bext.origination_time) == ("2024-05-01", "12:34:56")
    assert bext.time_reference == 48000 * 3600 + 7
    assert bext.version == 2
    assert bext.umid == bytes(range(64)).hex()
    assert bext.loudness_value == pytest.approx(-23.0)
    assert bext.loudness_range == pytest.approx(4.5)
    assert bext.max_true_peak_level == pytest.approx(-1.5)
    assert bext.max_momentary_loudness == pytest.approx(-18.0)
    assert bext.max_short_term_loudness == pytest.approx(-20.0)
    assert bext.coding_history == "A=PCM,F=48000,W=24,M=stereo,T=test"


def test_bext_version_1_has_no_loudness_and_a_64_bit_time_reference() -> None:
    report = walk_bytes(bwf_wav(10, version=1, umid=bytes(64), time_reference=(5 << 32) + 9))
    assert report.bext is not None
    assert report.bext.loudness_value is None
    assert report.bext.max_short_term_loudness is None
    assert report.bext.umid == ""
    assert report.bext.time_reference == (5 << 32) + 9


def test_bext_latin1_text_falls_back_from_utf8() -> None:
    body = bext_body(description="x")
    body = b"Caf\xe9" + body[4:]
    report = walk_bytes(riff(chunk(b"bext", body), chunk(b"fmt ", fmt_body()), chunk(b"data", b"")))
    assert report.bext is not None
    assert report.bext.description == "Café"


def test_info_tags() -> None:
    report = walk_bytes(bwf_wav(10))
    assert report.info is not None
    assert dict(report.info) == {"INAM": "Rain", "IART": "Field recordist"}


def test_info_tags_merge_across_lists_and_odd_items_are_padded() -> None:
    first = info_list({b"INAM": b"Odd"})  # 4-byte item: odd with its NUL
    second = info_list({b"ICMT": b"two", b"ISFT": b"Lavf60"})
    report = walk_bytes(riff(chunk(b"fmt ", fmt_body()), first, second, chunk(b"data", b"")))
    assert report.info is not None
    assert dict(report.info) == {"INAM": "Odd", "ICMT": "two", "ISFT": "Lavf60"}
    assert report.findings == ()


def test_non_info_list_is_skipped() -> None:
    adtl = chunk(b"LIST", b"adtl" + chunk(b"labl", b"\x01\x00\x00\x00hi\x00"))
    report = walk_bytes(riff(chunk(b"fmt ", fmt_body()), adtl, chunk(b"data", b"")))
    assert report.info is None
    assert report.findings == ()


def test_big_parsed_chunk_is_read_only_up_to_the_cap_and_noted() -> None:
    history = b"A" * (PARSE_CAP + 1000)
    data = bwf_wav(10, coding_history=history)
    report = walk_bytes(data)
    assert report.findings == ()
    assert report.bext is not None
    assert len(report.bext.coding_history) == PARSE_CAP - 602
    assert len(report.notes) == 1
    assert "bext chunk at byte 12" in report.notes[0]
    assert f"only its first {PARSE_CAP}" in report.notes[0]


def test_big_info_list_is_parsed_up_to_the_cap_without_a_finding() -> None:
    tags = {f"I{i:03d}".encode(): b"x" * 997 for i in range(100)}
    data = riff(chunk(b"fmt ", fmt_body()), info_list(tags), chunk(b"data", b""))
    report = walk_bytes(data)
    assert report.findings == ()
    assert report.info is not None
    assert 50 < len(report.info) < 100
    assert len(report.notes) == 1


SOUNDFILE_CASES = [
    ("WAV", "PCM_16"),
    ("WAV", "PCM_24"),
    ("WAV", "PCM_32"),
    ("WAV", "PCM_U8"),
    ("WAV", "FLOAT"),
    ("WAV", "DOUBLE"),
    ("WAV", "ULAW"),
    ("WAV", "ALAW"),
    ("WAV", "IMA_ADPCM"),
    ("WAV", "MS_ADPCM"),
    ("WAVEX", "PCM_24"),
    ("WAVEX", "FLOAT"),
    ("RF64", "PCM_16"),
    ("RF64", "PCM_24"),
]


def _soundfile_wav(fmt: str, subtype: str, frames: int, channels: int) -> bytes:
    t = np.arange(frames) / 44100
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    buffer = io.BytesIO()
    sf.write(buffer, np.stack([tone] * channels, axis=1), 44100, format=fmt, subtype=subtype)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "subtype"), SOUNDFILE_CASES)
@pytest.mark.parametrize("channels", [1, 2])
def test_soundfile_written_files_walk_clean(fmt: str, subtype: str, channels: int) -> None:
    data = _soundfile_wav(fmt, subtype, 4411, channels)
    report = walk_bytes(data)
    assert report.findings == ()
    assert report.fmt is not None
    assert (report.fmt.sample_rate, report.fmt.channels) == (44100, channels)
    if subtype.endswith("ADPCM"):  # the frames its blocks decode to, not the fact count
        assert report.frames == sf.info(io.BytesIO(data)).frames
        assert report.frames == len(sf.read(io.BytesIO(data))[0])
    else:
        assert report.frames == 4411
    assert report.container == ("RF64" if fmt == "RF64" else "WAV")


def test_walk_reads_a_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    path.write_bytes(bwf_wav(100))
    report = walk(path)
    assert report.findings == ()
    assert report.frames == 100
    assert report.file_size == path.stat().st_size


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        (1, "PCM"),
        (2, "MS ADPCM"),
        (3, "IEEE float"),
        (6, "A-law"),
        (7, "µ-law"),
        (0x11, "IMA ADPCM"),
        (0x50, "MPEG"),
        (0x55, "MPEG Layer 3"),
        (0xFFFE, "extensible"),
        (0x1234, "unknown (0x1234)"),
    ],
)
def test_encoding_name(tag: int, name: str) -> None:
    assert encoding_name(tag) == name
