from pathlib import Path

import pytest

from soundlint.model import LoadError, Position
from soundlint.script import parse_markup

PATH = Path("script.xml")


def error_of(text: str) -> LoadError:
    script = parse_markup(text, PATH)
    assert script.error is not None
    assert (script.elements, script.sections) == ((), ())
    return script.error


def test_mismatched_end_tag_names_both_tags_as_written():
    text = 'Intro\n<as:section name="a">\n  x</as:sub>'
    assert error_of(text) == LoadError(
        "Opening and ending tag mismatch: as:section line 2 and as:sub", Position(3, 4)
    )


def test_mismatch_of_unprefixed_and_user_prefixed_tags():
    text = '<p:a xmlns:p="urn:p"><b></p:b></p:a>'
    assert error_of(text) == LoadError(
        "Opening and ending tag mismatch: b line 1 and p:b", Position(1, 25)
    )


def test_unclosed_tag_points_at_it_without_naming_the_wrapper():
    error = error_of('<as:section name="a">ok</as:section>\n<as:section name="b">\n  text')
    assert error == LoadError(
        "Unclosed tag: as:section is not closed before the end of the script", Position(2, 1)
    )
    assert "soundlint-root" not in error.message


def test_innermost_unclosed_tag_is_reported():
    error = error_of("<as:section><as:sub>x")
    assert error.position == Position(1, 13)
    assert "as:sub" in error.message


def test_stray_end_tag():
    text = '<as:section name="a">x</as:section>\n</as:section>'
    assert error_of(text) == LoadError(
        "Closing tag as:section has no matching opening tag", Position(2, 1)
    )


def test_bare_ampersand_is_explained():
    assert error_of("Rock & roll") == LoadError(
        "a bare '&' must be written as &amp;", Position(1, 6)
    )


def test_undefined_entity():
    assert error_of("a\nb &nbsp; c") == LoadError("Entity 'nbsp' not defined", Position(2, 3))


def test_bare_less_than():
    assert error_of("1 < 2").position == Position(1, 3)


def test_error_columns_on_later_lines_and_after_wide_characters():
    error = error_of("line one\n😀😀 <as:section a=1/>")
    assert error.position is not None
    assert error.position.line == 2
    assert error.position.column == 18


def test_error_column_on_the_first_line_excludes_the_wrapper():
    assert error_of("<as:section a=1/>").position == Position(1, 15)


def test_unbound_prefix_is_an_error():
    assert error_of("Hi <foo:bar/>") == LoadError(
        "Namespace prefix foo on bar is not defined", Position(1, 4)
    )


def test_duplicate_attribute():
    error = error_of('<as:section name="a" name="b">x</as:section>')
    assert error == LoadError("Attribute name redefined", Position(1, 22))


@pytest.mark.parametrize(
    "text",
    [
        "<as:section",
        '<as:section name="a',
        "<as:section name=a>x</as:section>",
        "<!-- never closed",
        "<![CDATA[ never closed",
        "</",
        "<as:section>x</as:section",
        "x]]>y",
        "a\x00b",
        "a\x01b",
    ],
)
def test_malformed_markup_errors_inside_the_text(text):
    error = error_of(text)
    assert error.position is not None
    assert error.position.line == 1
    assert 1 <= error.position.column <= len(text) + 1
    assert "soundlint-root" not in error.message
    assert "\n" not in error.message


def test_end_tag_without_a_name():
    error = error_of("<as:section>x\n</>")
    assert error == LoadError("'</' is not followed by a tag name", Position(2, 1))


def test_user_text_cannot_close_the_wrapper():
    assert parse_markup("</soundlint-root><a/>", PATH).error is not None
    assert parse_markup("x</soundlint-root>", PATH).error is not None
