"""Read a script file, boundedly, and parse it according to its suffix."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from soundlint.model import LoadError, Script
from soundlint.reading import read_up_to
from soundlint.script.jsonpayload import parse_json_payload
from soundlint.script.parser import MAX_SCRIPT_BYTES, parse_markup, size_error
from soundlint.script.positions import LineIndex

# Opening a FIFO for reading blocks until a writer appears; non-blocking, it returns at once.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)


def load_script(path: Path) -> Script:
    """Read ``path`` (UTF-8, a BOM allowed, at most 1 MB) and parse it.

    ``.json`` files are API payloads; any other suffix holds markup directly. Problems
    reading the file come back as ``Script.error``, never as exceptions.
    """
    text = _read_text(path)
    if isinstance(text, LoadError):
        return Script(path, "", error=text)
    if path.suffix.lower() == ".json":
        return parse_json_payload(text, path)
    return parse_markup(text, path)


def _read_text(path: Path) -> str | LoadError:
    data = _read_bytes(path)
    return data if isinstance(data, LoadError) else _decode(data)


def _read_bytes(path: Path) -> bytes | LoadError:
    """The file's bytes, refusing anything but a regular file of at most 1 MB."""
    try:
        with os.fdopen(os.open(path, _OPEN_FLAGS), "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                return LoadError(f"cannot read {path.name}: not a regular file")
            if info.st_size > MAX_SCRIPT_BYTES:
                return size_error(info.st_size)
            data = read_up_to(stream, MAX_SCRIPT_BYTES + 1)
    except OSError as exc:
        return LoadError(f"cannot read {path.name}: {exc.strerror or exc}")
    return size_error(len(data)) if len(data) > MAX_SCRIPT_BYTES else data


def _decode(data: bytes) -> str | LoadError:
    """UTF-8 text without its BOM, or where the first undecodable byte is."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        message = f"script is not valid UTF-8: {exc.reason} (byte 0x{data[exc.start]:02x})"
        return LoadError(message, LineIndex(before).position(len(before)))
