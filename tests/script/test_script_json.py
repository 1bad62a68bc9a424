import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundlint.model import Binding, LoadError, Position, Section
from soundlint.script import parse_json_payload
from soundlint.script.jsonpayload import decode_string

PATH = Path("payload.json")


def test_decode_string_maps_each_character_to_where_it_is_written():
    raw = r'x"a\n\"\u00e9\ud83d\ude00\\b"'
    text, offsets = decode_string(raw, 1)
    assert text == 'a\n"é😀\\b'
    assert offsets == [2, 3, 5, 7, 13, 25, 27, 28]
    assert raw[offsets[-1]] == '"'


def test_decode_string_keeps_a_lone_surrogate_like_json_loads():
    raw = r'"\ud800A\udc00"'
    assert decode_string(raw, 0)[0] == json.loads(raw)


@given(st.text(), st.booleans())
def test_decode_string_agrees_with_json(value, ensure_ascii):
    raw = json.dumps([value], ensure_ascii=ensure_ascii)
    text, offsets = decode_string(raw, 1)
    assert text == value
    assert len(offsets) == len(value) + 1
    assert offsets == sorted(set(offsets))
    assert raw[offsets[-1]] == '"'
    for char, offset in zip(value, offsets, strict=False):
        written = raw[offset]
        assert written == char or written == "\\"


def test_positions_are_in_the_json_file_even_after_escapes_on_the_same_line():
    raw = (
        '{\n  "soundTemplate": "epic1",\n'
        '  "scriptText": "Tab\\there \\"quoted\\" caf\\u00e9\\n'
        '<as:section name=\\"intro\\" soundSegment=\\"intro\\">Hi</as:section>"\n}'
    )
    script = parse_json_payload(raw, PATH)
    assert script.error is None
    assert script.text == (
        'Tab\there "quoted" café\n<as:section name="intro" soundSegment="intro">Hi</as:section>'
    )
    line = raw.split("\n")[2]
    element_column = line.index("<as:section") + 1
    assert script.elements[0].position == Position(3, element_column)
    assert script.elements[0].attributes[0].position == Position(3, line.index("name=") + 1)
    assert script.sections == (
        Section(
            "intro",
            "intro",
            Position(3, element_column),
            Position(3, line.index('intro\\">Hi') + 1),
        ),
    )
    assert script.binding == Binding("epic1", "json", Position(2, 21))


def test_markup_error_positions_are_in_the_json_file():
    raw = '{"scriptText": "\\u00e9\\u00e9\\n  <as:section>x</as:sub>"}'
    script = parse_json_payload(raw, PATH)
    assert script.error == LoadError(
        "Opening and ending tag mismatch: as:section line 1 and as:sub",
        Position(1, raw.index("</as:sub>") + 1),
    )


def test_libxml2_error_positions_are_mapped_through_escapes():
    raw = '{"scriptText": "\\n\\t\\u0041 & b"}'
    script = parse_json_payload(raw, PATH)
    assert script.error is not None
    assert script.error.message == "a bare '&' must be written as &amp;"
    assert script.error.position == Position(1, raw.index("&") + 1)


def test_legacy_tokens_and_directive_are_placed_in_the_file():
    raw = json.dumps(
        {
            "soundTemplate": "fromjson",
            "scriptText": "é\n<<soundSegment::a>><!-- soundlint: template=d -->",
        }
    )
    script = parse_json_payload(raw, PATH)
    assert script.legacy == (("<<soundSegment::a>>", Position(1, raw.index("<<") + 1)),)
    [directive] = script.directives
    assert directive.value_position == Position(1, raw.index("=d") + 2)
    assert script.binding == Binding("fromjson", "json", Position(1, raw.index("fromjson") + 1))


def test_script_text_with_non_bmp_characters_written_raw():
    raw = json.dumps({"scriptText": "😀😀<as:sub>x</as:sub>"}, ensure_ascii=False)
    script = parse_json_payload(raw, PATH)
    assert script.elements[0].position == Position(1, raw.index("<as:sub>") + 1)


def test_last_duplicate_key_wins_as_in_json():
    raw = '{"scriptText": "<bad", "scriptText": "<as:sub/>"}'
    script = parse_json_payload(raw, PATH)
    assert script.error is None
    assert script.elements[0].position == Position(1, raw.rindex("<as:sub") + 1)


def test_nested_values_before_script_text_are_skipped():
    raw = '{"meta": {"a": [1, "}", {"scriptText": 3}]}, "x": null, "scriptText": "<b/>"}'
    script = parse_json_payload(raw, PATH)
    assert script.error is None
    assert script.elements[0].position == Position(1, raw.index("<b/>") + 1)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (
            '{"scriptText": "x"\n  "soundTemplate": "t"}',
            LoadError("invalid JSON: Expecting ',' delimiter", Position(2, 3)),
        ),
        ("", LoadError("invalid JSON: Expecting value", Position(1, 1))),
        (
            '\n  ["scriptText"]',
            LoadError("the JSON payload must be an object, not an array", Position(2, 3)),
        ),
        ('"text"', LoadError("the JSON payload must be an object, not a string", Position(1, 1))),
        ('{"soundTemplate": "t"}', LoadError("the JSON payload has no scriptText", Position(1, 1))),
        (
            '{"scriptText": null}',
            LoadError("scriptText must be a string, not null", Position(1, 16)),
        ),
        (
            '{"scriptText": ["a"]}',
            LoadError("scriptText must be a string, not an array", Position(1, 16)),
        ),
        (
            '{"scriptText": 1.5}',
            LoadError("scriptText must be a string, not a number", Position(1, 16)),
        ),
        (
            '{"scriptText": "", "soundTemplate": true}',
            LoadError("soundTemplate must be a string, not a boolean", Position(1, 37)),
        ),
    ],
)
def test_payload_errors(raw, error):
    script = parse_json_payload(raw, PATH)
    assert script.error == error
    assert script.elements == ()


def test_invalid_json_error_position_on_a_later_line():
    script = parse_json_payload('{\n  "scriptText": "a\tb"\n}', PATH)
    assert script.error == LoadError("invalid JSON: Invalid control character at", Position(2, 19))


def test_null_or_empty_template_is_no_binding():
    for template in ["null", '""']:
        script = parse_json_payload(f'{{"scriptText": "x", "soundTemplate": {template}}}', PATH)
        assert (script.binding, script.error) == (None, None)


def test_binding_is_kept_when_script_text_is_unusable():
    script = parse_json_payload('{"soundTemplate": "t", "scriptText": 5}', PATH)
    assert script.binding == Binding("t", "json", Position(1, 20))
    assert script.error is not None


def test_deeply_nested_json_is_an_error_not_a_crash():
    script = parse_json_payload("[" * 200_000 + "]" * 200_000, PATH)
    assert script.error == LoadError("invalid JSON: nested too deeply")


def test_huge_integer_is_an_error_not_a_crash():
    script = parse_json_payload('{"scriptText": "x", "n": ' + "9" * 5000 + "}", PATH)
    assert script.error is not None
    assert script.error.message.startswith("invalid JSON: ")


def test_lone_surrogate_escape_in_script_text_is_an_error_in_the_file():
    raw = '{"scriptText": "ok \\ud800 then"}'
    script = parse_json_payload(raw, PATH)
    assert script.error == LoadError(
        "unpaired surrogate U+D800 is not a character", Position(1, raw.index("\\ud800") + 1)
    )
