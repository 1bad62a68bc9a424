"""libxml2 reports some errors after the token at fault; they must point at that token."""

import json
from pathlib import Path

import pytest

from soundlint.model import LoadError, Position
from soundlint.script import parse_json_payload, parse_markup

PATH = Path("script.xml")
BARE_AMPERSAND = "a bare '&' must be written as &amp;"
BARE_LESS_THAN = "'<' does not start a valid tag; write a literal '<' as &lt;"
MISPLACED_DECLARATION = "XML declaration allowed only at the start of the document"


def error_of(text: str) -> LoadError:
    error = parse_markup(text, PATH).error
    assert error is not None
    return error


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("Tom & Jerry", BARE_AMPERSAND, Position(1, 5)),
        ("Intro\n  Tom & Jerry", BARE_AMPERSAND, Position(2, 7)),
        ("Tom &\nJerry", BARE_AMPERSAND, Position(1, 5)),
        ('<as:section name="Tom & Jerry"/>', BARE_AMPERSAND, Position(1, 23)),
        ("1 < 2", BARE_LESS_THAN, Position(1, 3)),
        ("x\n1 < 2", BARE_LESS_THAN, Position(2, 3)),
        ("ends with <", BARE_LESS_THAN, Position(1, 11)),
        ("say &foo; now", "Entity 'foo' not defined", Position(1, 5)),
        ("a\n  b &foo; c", "Entity 'foo' not defined", Position(2, 5)),
        ('<as:section name="&foo;"/>', "Entity 'foo' not defined", Position(1, 19)),
        ("say &foo now", "EntityRef: expecting ';'", Position(1, 5)),
        ("say &#xZZ; now", "CharRef: invalid hexadecimal value", Position(1, 5)),
        ("x\nsay &#xZZ; now", "CharRef: invalid hexadecimal value", Position(2, 5)),
        ("say &#12a; now", "CharRef: invalid decimal value", Position(1, 5)),
        ("say &#0; now", "xmlParseCharRef: invalid xmlChar value 0", Position(1, 5)),
        (
            '<as:section name="a" name="b">x</as:section>',
            "Attribute name redefined",
            Position(1, 22),
        ),
        (
            'x\n<as:section name="a"\n    soundSegment="s" name="b">x</as:section>',
            "Attribute name redefined",
            Position(3, 22),
        ),
        ('<as:a x="1" y="2" x="3"/>', "Attribute x redefined", Position(1, 19)),
        (
            'Hi <foo:section name="a">x</foo:section>',
            "Namespace prefix foo on section is not defined",
            Position(1, 4),
        ),
        (
            'Hi\n  <foo:section\n    name="a"\n  >x</foo:section>',
            "Namespace prefix foo on section is not defined",
            Position(2, 3),
        ),
        ("<foo:a/><b/>", "Namespace prefix foo on a is not defined", Position(1, 1)),
        (
            '<as:section name="a" foo:b="1"/>',
            "Namespace prefix foo for b on section is not defined",
            Position(1, 22),
        ),
        ('x<?xml version="1.0"?>', MISPLACED_DECLARATION, Position(1, 2)),
        ('Intro\n<?xml version="1.0"?>', MISPLACED_DECLARATION, Position(2, 1)),
        ('Intro\n  <?xml version="1.0"?>', MISPLACED_DECLARATION, Position(2, 3)),
        ("Intro <!-- never closed", "Comment not terminated", Position(1, 7)),
        ("Intro\n  <!-- never\n closed\n", "Comment not terminated", Position(2, 3)),
        ("Intro <![CDATA[ never closed", "CData section not finished", Position(1, 7)),
    ],
)
def test_error_points_at_the_offending_token(text, message, position):
    assert error_of(text) == LoadError(message, position)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a\x01b", Position(1, 2)),
        ("a &#65;\x01b", Position(1, 8)),  # not moved back onto the valid reference
        ("<as:section a=1/>", Position(1, 15)),
        ("x]]>y", Position(1, 2)),
    ],
)
def test_errors_libxml2_places_at_the_token_are_left_there(text, position):
    assert error_of(text).position == position


# A line of JSON with escapes of every width (\t, \", \u00e9, a surrogate pair) before the error.
JSON_PREFIX = (
    '{"soundTemplate": "t",\n "scriptText": "Tab\\there \\"q\\" caf\\u00e9 \\ud83d\\ude00 '
)


@pytest.mark.parametrize(
    ("markup", "token", "message"),
    [
        ("Tom & Jerry", "&", BARE_AMPERSAND),
        ("say &foo; now", "&foo;", "Entity 'foo' not defined"),
        ("say &#xZZ; now", "&#xZZ;", "CharRef: invalid hexadecimal value"),
        ("1 < 2", "<", BARE_LESS_THAN),
        (
            '<as:section name=\\"a\\" name=\\"b\\">x</as:section>',
            'name=\\"b',
            "Attribute name redefined",
        ),
        (
            '<foo:section name=\\"a\\">x</foo:section>',
            "<foo:",
            "Namespace prefix foo on section is not defined",
        ),
        ('x<?xml version=\\"1.0\\"?>', "<?xml", MISPLACED_DECLARATION),
        ("<!-- never closed", "<!--", "Comment not terminated"),
    ],
)
def test_json_payload_errors_point_at_the_token_in_the_file(markup, token, message):
    raw = JSON_PREFIX + markup + '"\n}'
    json.loads(raw)  # the payload itself is valid JSON
    script = parse_json_payload(raw, PATH.with_suffix(".json"))
    line = raw.split("\n")[1]
    assert script.error == LoadError(message, Position(2, line.index(token) + 1))


def test_json_payload_error_on_a_later_markup_line_after_escaped_newlines():
    raw = '{"scriptText": "caf\\u00e9\\n\\tTom & Jerry"}'
    script = parse_json_payload(raw, PATH.with_suffix(".json"))
    assert script.error == LoadError(BARE_AMPERSAND, Position(1, raw.index("&") + 1))
