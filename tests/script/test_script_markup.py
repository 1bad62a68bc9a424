import subprocess
import sys
from pathlib import Path

import pytest

from soundlint.model import Attribute, Binding, Position, Section
from soundlint.script import parse_markup

PATH = Path("script.xml")

MULTILINE = """\
Welcome to the show.
<as:section name="intro" soundSegment="intro">
  Hello <as:placeholder id="name"/>, <break time="400ms"/>
  <as:sub>a sub</as:sub>
</as:section>
<as:section
    name="main"
    soundsegment="main">Main text<as:break strength="strong"/></as:section>
Outro text."""


def test_elements_in_document_order_with_exact_positions():
    script = parse_markup(MULTILINE, PATH)
    assert script.error is None
    assert [(e.tag, e.position) for e in script.elements] == [
        ("as:section", Position(2, 1)),
        ("as:placeholder", Position(3, 9)),
        ("break", Position(3, 38)),
        ("as:sub", Position(4, 3)),
        ("as:section", Position(6, 1)),
        ("as:break", Position(8, 34)),
    ]


def test_attributes_keep_source_names_values_and_name_positions():
    script = parse_markup(MULTILINE, PATH)
    assert script.elements[0].attributes == (
        Attribute("name", "intro", Position(2, 13)),
        Attribute("soundSegment", "intro", Position(2, 26)),
    )
    assert script.elements[4].attributes == (
        Attribute("name", "main", Position(7, 5)),
        Attribute("soundsegment", "main", Position(8, 5)),
    )
    assert script.elements[2].attribute("time") == Attribute("time", "400ms", Position(3, 45))


def test_sections_accept_both_spellings_and_place_the_segment_value():
    script = parse_markup(MULTILINE, PATH)
    assert script.sections == (
        Section("intro", "intro", Position(2, 1), Position(2, 40)),
        Section("main", "main", Position(6, 1), Position(8, 19)),
    )


def test_ancestors_are_outermost_first_and_exclude_the_wrapper():
    text = (
        '<speak><as:section name="a"><as:prosody rate="slow">'
        '<as:sub>x</as:sub></as:prosody></as:section><as:fx name="f" id="1"/></speak>'
    )
    script = parse_markup(text, PATH)
    assert [(e.tag, e.ancestors) for e in script.elements] == [
        ("speak", ()),
        ("as:section", ("speak",)),
        ("as:prosody", ("speak", "as:section")),
        ("as:sub", ("speak", "as:section", "as:prosody")),
        ("as:fx", ("speak",)),
    ]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<as:section name="a" soundSegment="">x</as:section>', (None, Position(1, 36))),
        ('<as:section name="a" soundsegment="">x</as:section>', (None, Position(1, 36))),
        ('<as:section name="a">x</as:section>', (None, None)),
        ('<as:section soundSegment="s">x</as:section>', ("s", Position(1, 27))),
    ],
)
def test_empty_or_absent_segment_means_no_music(markup, expected):
    (section,) = parse_markup(markup, PATH).sections
    assert (section.sound_segment, section.sound_segment_position) == expected


def test_section_without_name():
    (section,) = parse_markup("<as:section>x</as:section>", PATH).sections
    assert section == Section(None, None, Position(1, 1))


def test_first_segment_spelling_in_source_order_wins():
    markup = '<as:section soundsegment="b" soundSegment="a">x</as:section>'
    (section,) = parse_markup(markup, PATH).sections
    assert (section.sound_segment, section.sound_segment_position) == ("b", Position(1, 27))


def test_plain_text_is_a_valid_script():
    script = parse_markup("Just some words & no tags.\nSecond line.", PATH.with_suffix(".txt"))
    assert script.error is not None  # a bare & is not XML
    script = parse_markup("Just some words, no tags.\nSecond line.", PATH.with_suffix(".txt"))
    assert (script.error, script.elements, script.sections, script.legacy) == (None, (), (), ())
    assert script.text == "Just some words, no tags.\nSecond line."


def test_empty_script_is_valid():
    script = parse_markup("", PATH)
    assert script.error is None
    assert script.elements == ()


def test_unicode_text_keeps_columns_in_characters():
    text = "Grüße 😀 日本語 <as:section name='ü' soundSegment='çà'>ñ</as:section>"
    script = parse_markup(text, PATH)
    assert script.error is None
    assert script.sections == (
        Section("ü", "çà", Position(1, text.index("<") + 1), Position(1, text.index("çà") + 1)),
    )
    assert script.sections[0].position == Position(1, 13)


def test_attribute_values_are_decoded_as_xml_reads_them():
    text = '<as:media name="a &amp; b &#x41;&#66; &lt;&gt;&quot;&apos;" id="x\ny\tz"/>'
    (element,) = parse_markup(text, PATH).elements
    assert [a.value for a in element.attributes] == ["a & b AB <>\"'", "x y z"]


def test_namespace_declarations_are_kept_as_written():
    text = '<x:a xmlns:x="urn:other" x:b="1"/>'
    (element,) = parse_markup(text, PATH).elements
    assert element.tag == "x:a"
    assert [(a.name, a.value) for a in element.attributes] == [
        ("xmlns:x", "urn:other"),
        ("x:b", "1"),
    ]


def test_commented_out_tags_do_not_shift_positions():
    text = '<!-- <as:section name="old"> -->\n<![CDATA[<as:sub>]]><as:section name="new"/>'
    script = parse_markup(text, PATH)
    assert script.error is None
    assert [(e.tag, e.position) for e in script.elements] == [("as:section", Position(2, 21))]


def test_leading_xml_declaration_is_accepted():
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<speak><as:section name="a"/></speak>'
    script = parse_markup(text, PATH.with_suffix(".ssml"))
    assert script.error is None
    assert [(e.tag, e.position) for e in script.elements] == [
        ("speak", Position(2, 1)),
        ("as:section", Position(2, 8)),
    ]


def test_misplaced_xml_declaration_is_an_error():
    script = parse_markup('x<?xml version="1.0"?>', PATH)
    assert script.error is not None
    assert script.error.position == Position(1, 2)


def test_legacy_tokens_are_recorded_and_left_out_of_the_markup():
    text = "Intro <<soundSegment::intro>> and\n  <<sectionName::part two>> more"
    script = parse_markup(text, PATH)
    assert script.legacy == (
        ("<<soundSegment::intro>>", Position(1, 7)),
        ("<<sectionName::part two>>", Position(2, 3)),
    )
    assert script.error is None


def test_legacy_tokens_beside_valid_markup():
    text = '<as:section name="a">x</as:section>\n<<soundSegment::>>'
    script = parse_markup(text, PATH)
    assert script.legacy == (("<<soundSegment::>>", Position(2, 1)),)


def test_directive_binds_a_template_at_its_value():
    text = 'Hi\n  <!--   soundlint: template=epic1   -->\n<as:section name="a"/>'
    script = parse_markup(text, PATH)
    assert script.binding == Binding("epic1", "directive", Position(2, 30))


def test_directive_value_may_be_quoted_and_first_directive_wins():
    text = '<!-- soundlint: template="calm" --><!-- soundlint: template=epic -->'
    script = parse_markup(text, PATH)
    assert script.binding == Binding("calm", "directive", Position(1, 27))


def test_a_given_binding_wins_over_a_directive_which_survives_errors():
    given = Binding("json-one", "json", Position(1, 1))
    text = "<!-- soundlint: template=epic1 --><as:section>"
    script = parse_markup(text, PATH, binding=given)
    assert script.binding == given
    assert [directive.value for directive in script.directives] == ["epic1"]
    assert script.error is not None
    assert parse_markup(text, PATH).binding == Binding("epic1", "directive", Position(1, 26))


def test_other_comments_are_not_directives():
    for text in [
        "<!-- template=epic1 -->",
        "<!-- soundlint: template= -->",
        "soundlint: template=x",
    ]:
        assert parse_markup(text, PATH).binding is None


def test_importing_the_package_does_not_import_lxml():
    code = "import sys, soundlint.script; print('lxml' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).parents[2] / "src")},
    )
    assert result.stdout.strip() == "False"
