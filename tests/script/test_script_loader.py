import json
import os
import threading
from pathlib import Path

import pytest

from soundlint.model import Binding, LoadError, Position
from soundlint.script import MAX_SCRIPT_BYTES, load_script

SECTION = '<as:section name="a" soundSegment="s">x</as:section>'


@pytest.mark.parametrize("suffix", [".xml", ".txt", ".ssml", ".XML"])
def test_markup_files(tmp_path, suffix):
    path = tmp_path / f"script{suffix}"
    path.write_text("Hello\n" + SECTION, encoding="utf-8")
    script = load_script(path)
    assert script.path == path
    assert script.error is None
    assert script.text == "Hello\n" + SECTION
    assert script.sections[0].position == Position(2, 1)


@pytest.mark.parametrize("suffix", [".json", ".JSON"])
def test_json_files(tmp_path, suffix):
    path = tmp_path / f"payload{suffix}"
    path.write_text(json.dumps({"soundTemplate": "t", "scriptText": SECTION}), encoding="utf-8")
    script = load_script(path)
    assert script.error is None
    assert script.text == SECTION
    assert script.binding == Binding("t", "json", Position(1, 20))
    assert script.sections[0].position == Position(1, 39)


def test_a_json_payload_with_another_suffix_is_markup(tmp_path):
    path = tmp_path / "payload.txt"
    path.write_text('{"scriptText": "x"}')
    script = load_script(path)
    assert (script.text, script.error) == ('{"scriptText": "x"}', None)


def test_utf8_bom_is_skipped_and_not_counted_in_columns(tmp_path):
    markup = tmp_path / "bom.xml"
    markup.write_bytes(b"\xef\xbb\xbf" + SECTION.encode())
    payload = tmp_path / "bom.json"
    payload.write_bytes(b"\xef\xbb\xbf" + json.dumps({"scriptText": SECTION}).encode())
    assert load_script(markup).elements[0].position == Position(1, 1)
    assert load_script(markup).text == SECTION
    assert load_script(payload).elements[0].position == Position(1, 17)


def test_invalid_utf8_is_an_error_at_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.xml"
    path.write_bytes(b"line one\nCaf\xe9 au lait")
    script = load_script(path)
    assert script.text == ""
    assert script.error == LoadError(
        "script is not valid UTF-8: invalid continuation byte (byte 0xe9)", Position(2, 4)
    )


def test_missing_file(tmp_path):
    script = load_script(tmp_path / "absent.xml")
    assert script.error == LoadError("cannot read absent.xml: No such file or directory")


def test_directory(tmp_path):
    (tmp_path / "dir.xml").mkdir()
    script = load_script(tmp_path / "dir.xml")
    assert script.error is not None
    assert script.error.message.startswith("cannot read dir.xml: ")


def test_device_is_not_read(tmp_path):
    script = load_script(Path("/dev/zero"))
    assert script.error == LoadError("cannot read zero: not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_does_not_block(tmp_path):
    path = tmp_path / "pipe.xml"
    os.mkfifo(path)
    result = []
    worker = threading.Thread(target=lambda: result.append(load_script(path)), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert result, "load_script blocked on a named pipe"
    assert result[0].error == LoadError("cannot read pipe.xml: not a regular file")


@pytest.mark.parametrize("size", [MAX_SCRIPT_BYTES + 1, 50 * 1024 * 1024])
def test_oversized_files_are_refused_unread(tmp_path, size):
    for name in ["big.xml", "big.json"]:
        path = tmp_path / name
        with path.open("wb") as stream:
            stream.truncate(size)  # sparse: nothing is written, and nothing must be read
        assert load_script(path).error == LoadError(f"script is {size} bytes; the limit is 1 MB")


def test_file_of_exactly_the_limit_is_read(tmp_path):
    path = tmp_path / "full.txt"
    path.write_bytes(b"x" * MAX_SCRIPT_BYTES)
    script = load_script(path)
    assert script.error is None
    assert len(script.text) == MAX_SCRIPT_BYTES
