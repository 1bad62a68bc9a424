"""Bounded reads: what a file holds up to the bound, whatever fstat says of its size."""

from __future__ import annotations

import io
import os
from pathlib import Path

from soundlint.reading import read_up_to


def test_a_file_shorter_than_the_bound_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "small"
    path.write_bytes(b"hello")
    with path.open("rb") as stream:
        assert read_up_to(stream, 1 << 20) == b"hello"


def test_a_file_longer_than_the_bound_gives_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "large"
    path.write_bytes(b"x" * 100)
    with path.open("rb") as stream:
        assert read_up_to(stream, 11) == b"x" * 11


def test_a_file_exactly_the_bound_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "exact"
    path.write_bytes(b"y" * 11)
    with path.open("rb") as stream:
        assert read_up_to(stream, 11) == b"y" * 11


def test_a_pipe_has_no_size_and_is_still_read_up_to_the_bound() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"z" * 50)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        assert os.fstat(stream.fileno()).st_size == 0
        assert read_up_to(stream, 20) == b"z" * 20
        assert read_up_to(stream, 100) == b"z" * 30


def test_a_stream_without_a_file_descriptor_is_read_up_to_the_bound() -> None:
    assert read_up_to(io.BytesIO(b"c" * 40), 25) == b"c" * 25
    assert read_up_to(io.BytesIO(b"c" * 10), 25) == b"c" * 10


def test_a_device_without_a_size_is_read_up_to_the_bound() -> None:
    with open("/dev/zero", "rb") as stream:
        assert read_up_to(stream, 4096) == b"\0" * 4096
