"""Hostile scripts give ``Script.error``: no hang, no crash, no file read."""

import json
import time
from pathlib import Path

import pytest
from lxml import etree

from soundlint.model import LoadError, Position, Script
from soundlint.script import MAX_SCRIPT_BYTES, load_script, parse_json_payload, parse_markup
from soundlint.script.parser import hardened_parser

PATH = Path("script.xml")
PASSWD_MARKERS = ("root:", "/bin/", "nologin")

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    + "]><lolz>&lol9;</lolz>"
)
XXE = (
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<as:section name="a">&xxe;</as:section>'
)


def assert_leaks_nothing(script: Script) -> None:
    shown = repr(script)
    for marker in PASSWD_MARKERS:
        assert marker not in shown


def test_billion_laughs_is_refused_at_the_doctype():
    started = time.process_time()
    script = parse_markup(BILLION_LAUGHS, PATH)
    assert time.process_time() - started < 2
    assert script.error == LoadError("DOCTYPE is not allowed", Position(1, 1))
    assert script.elements == ()


def test_external_entity_is_refused_and_never_read():
    script = parse_markup("Intro\n" + XXE, PATH)
    assert script.error == LoadError("DOCTYPE is not allowed", Position(2, 1))
    assert_leaks_nothing(script)


@pytest.mark.parametrize(
    "text",
    [
        "<!doctype x>",
        '<as:section name="a">\n  <!DOCTYPE x SYSTEM "file:///etc/passwd"></as:section>',
        '<!DOCTYPE x PUBLIC "-//x//x" "http://example.invalid/x.dtd"><x/>',
    ],
)
def test_any_doctype_is_refused(text):
    script = parse_markup(text, PATH)
    assert script.error is not None
    assert script.error.message == "DOCTYPE is not allowed"


def test_doctype_inside_a_comment_is_harmless_text():
    script = parse_markup('<!-- <!DOCTYPE x> --><as:section name="a"/>', PATH)
    assert script.error is None
    assert len(script.elements) == 1


def test_undeclared_entity_reference_is_an_error():
    script = parse_markup("<as:section>&xxe;</as:section>", PATH)
    assert script.error == LoadError("Entity 'xxe' not defined", Position(1, 13))


def test_xinclude_is_not_processed():
    text = (
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>'
    )
    script = parse_markup(text, PATH)
    assert script.error is None
    assert [e.tag for e in script.elements] == ["xi:include"]
    assert_leaks_nothing(script)


def test_hostile_json_payload_is_refused_with_file_positions():
    raw = json.dumps({"soundTemplate": "t", "scriptText": XXE}, indent=1)
    script = parse_json_payload(raw, Path("payload.json"))
    assert script.error == LoadError("DOCTYPE is not allowed", Position(3, 17))
    assert_leaks_nothing(script)


def test_hostile_files_through_load_script(tmp_path):
    (tmp_path / "laughs.ssml").write_text(BILLION_LAUGHS)
    (tmp_path / "xxe.xml").write_text(XXE)
    (tmp_path / "xxe.json").write_text(json.dumps({"scriptText": XXE}))
    for name in ["laughs.ssml", "xxe.xml", "xxe.json"]:
        script = load_script(tmp_path / name)
        assert script.error is not None
        assert script.error.message == "DOCTYPE is not allowed"
        assert_leaks_nothing(script)


def test_50_mb_of_nesting_is_refused_by_size_before_parsing():
    text = "<a>" * (25 * 1024 * 1024 // 3) + "</a>" * (25 * 1024 * 1024 // 4)
    started = time.process_time()
    script = parse_markup(text, PATH)
    assert time.process_time() - started < 5
    size = len(text.encode())
    assert size > 50 * 1000 * 1000
    assert script.error == LoadError(f"script is {size} bytes; the limit is 1 MB")


def test_size_limit_counts_utf8_bytes():
    assert parse_markup("x" * MAX_SCRIPT_BYTES, PATH).error is None
    assert parse_markup("x" * (MAX_SCRIPT_BYTES + 1), PATH).error is not None
    script = parse_markup("é" * (MAX_SCRIPT_BYTES // 2 + 1), PATH)
    assert script.error == LoadError(f"script is {MAX_SCRIPT_BYTES + 2} bytes; the limit is 1 MB")


def test_deep_nesting_under_the_size_limit_hits_the_depth_limit():
    text = "<as:prosody>" * 5000 + "x" + "</as:prosody>" * 5000
    assert len(text) < MAX_SCRIPT_BYTES
    script = parse_markup(text, PATH)
    assert script.error is not None
    assert script.error.message == "elements are nested more than 255 levels deep"
    assert script.error.position is not None
    assert script.error.position.line == 1


def test_nesting_at_the_depth_limit_is_fine():
    text = "<a>" * 255 + "</a>" * 255
    script = parse_markup(text, PATH)
    assert script.error is None
    assert len(script.elements[-1].ancestors) == 254


def test_unpaired_surrogate_is_an_error_at_its_position():
    script = parse_markup("ab\ncd\ud800ef", PATH)
    assert script.error == LoadError("unpaired surrogate U+D800 is not a character", Position(2, 3))


@pytest.mark.parametrize(
    "text",
    [
        "<" * MAX_SCRIPT_BYTES,
        "&" * MAX_SCRIPT_BYTES,
        "<!--" * (MAX_SCRIPT_BYTES // 4),
        "<<a::b>>" * (MAX_SCRIPT_BYTES // 8),
        '<a b="' * (MAX_SCRIPT_BYTES // 6),
        "<a " + " ".join(f'x{i}="{i}"' for i in range(70000)) + "/>",
        "<a/>" * (MAX_SCRIPT_BYTES // 4),
    ],
    ids=["lt", "amp", "comments", "legacy", "open-values", "many-attributes", "many-elements"],
)
def test_pathological_megabyte_finishes_quickly(text):
    """No blow-up: a megabyte parses in a few seconds of this process's CPU time (not wall
    time, which other jobs on a loaded machine stretch)."""
    started = time.process_time()
    parse_markup(text, PATH)
    assert time.process_time() - started < 15


def test_hardened_parser_reads_no_external_dtd_or_entity(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "SECRET-TEXT"> this is not valid DTD content')
    url = dtd.as_uri()
    for document in [
        f'<!DOCTYPE x SYSTEM "{url}"><x>&leak;</x>',
        f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{url}"> %p;]><x>&leak;</x>',
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "{url}">]><x>&e;</x>',
    ]:
        parser = hardened_parser()
        try:
            shown = etree.tostring(etree.fromstring(document, parser)).decode()
        except etree.XMLSyntaxError as exc:
            shown = str(exc)
        shown += " ".join(f"{entry.message} {entry.filename}" for entry in parser.error_log)
        assert "SECRET-TEXT" not in shown
        assert "evil.dtd" not in shown  # libxml2 names the file in errors when it reads it


def test_hardened_parser_does_not_expand_a_billion_laughs():
    try:
        tree = etree.fromstring(BILLION_LAUGHS, hardened_parser())
    except etree.XMLSyntaxError:
        return
    assert len(etree.tostring(tree)) < 1000
