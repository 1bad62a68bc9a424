"""Generated well-formed scripts: positions, names, values and ancestors all check out."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from soundlint.script import parse_json_payload, parse_markup
from soundlint.script.lexer import tokenize
from soundlint.script.positions import LineIndex

PATH = Path("generated.xml")

TAGS = st.sampled_from(
    ["as:section", "as:sub", "break", "speak", "as:prosody", "p", "x\u1680y", "Ünï", "a.b-c_d"]
)
ATTRIBUTE_NAMES = st.sampled_from(
    ["name", "soundSegment", "soundsegment", "id", "time", "as:rate", "_x", "é"]
)
SPACE = st.text(alphabet=" \t\n\r", min_size=1, max_size=3)
OPTIONAL_SPACE = st.text(alphabet=" \t\n", max_size=2)
CHARS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="<&\ufffe\uffff"
) | st.sampled_from("\t\n\r")
TEXT = st.text(CHARS, max_size=8).map(lambda text: text.replace("]]>", "]]"))
REFERENCES = st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x1F600;"])


@dataclass
class Expected:
    tag: str
    start: int
    ancestors: tuple[str, ...]
    attributes: list[tuple[str, int, int]] = field(default_factory=list)
    """Name, index of the name, index of the value's first character."""


@st.composite
def attribute(draw):
    quote = draw(st.sampled_from("\"'"))
    specials = st.sampled_from(["\"'", "\r\n", "\r", "&#13;&#10;", "&#x9;"])
    pieces = draw(st.lists(TEXT | REFERENCES | specials, max_size=4))
    value = "".join(pieces).replace(quote, "&quot;" if quote == '"' else "&apos;")
    return draw(ATTRIBUTE_NAMES), draw(SPACE), draw(OPTIONAL_SPACE), quote, value


@st.composite
def leaf(draw):
    kind = draw(st.sampled_from(["text", "reference", "comment", "cdata", "pi"]))
    body = draw(TEXT)
    if kind == "comment":
        body = draw(st.sampled_from(['<as:section name="c">', "<!DOCTYPE x>", ""])) + body
        return ("raw", "<!--" + body.replace("-", "") + "-->")
    if kind == "cdata":
        return ("raw", "<![CDATA[<as:sub>" + body + "]]>")
    if kind == "pi":
        return ("raw", "<?audio " + body.replace("?>", "") + "?>")
    if kind == "reference":
        return ("raw", draw(REFERENCES))
    return ("raw", body)


def element(children):
    return st.tuples(
        st.just("element"),
        TAGS,
        st.lists(attribute(), max_size=3, unique_by=lambda a: a[0]),
        children,
        OPTIONAL_SPACE,
        st.booleans(),
    )


NODES = st.lists(
    st.recursive(leaf(), lambda kids: element(st.lists(kids, max_size=3)), max_leaves=12),
    max_size=4,
)


def render(nodes) -> tuple[str, list[Expected]]:
    """The markup of ``nodes`` and, in document order, where each element was written."""
    parts: list[str] = []
    expected: list[Expected] = []

    def at() -> int:
        return sum(map(len, parts))

    def walk(node, ancestors):
        if node[0] == "raw":
            parts.append(node[1])
            return
        _, tag, attributes, children, space, self_closing = node
        entry = Expected(tag, at(), ancestors)
        expected.append(entry)
        parts.append("<" + tag)
        for name, before, around, quote, value in attributes:
            parts.append(before)
            name_at = at()
            parts.append(f"{name}{around}={around}{quote}")
            entry.attributes.append((name, name_at, at()))
            parts.append(value + quote)
        if self_closing and not children:
            parts.append(space + "/>")
            return
        parts.append(space + ">")
        for child in children:
            walk(child, (*ancestors, tag))
        parts.append(f"</{tag}{space}>")

    for node in nodes:
        walk(node, ())
    return "".join(parts), expected


def lxml_values(text: str) -> list[list[str]]:
    root = etree.fromstring(f'<r xmlns:as="urn:x-audiostack">{text}</r>')
    return [list(node.attrib.values()) for node in root.iterdescendants("*")]


@settings(max_examples=300, deadline=None)
@given(NODES)
def test_generated_markup_is_parsed_exactly(nodes):
    text, expected = render(nodes)
    script = parse_markup(text, PATH)
    assert script.error is None
    lines = LineIndex(text)

    def index(position):
        return lines.index(position.line, position.column)

    assert [(e.tag, index(e.position), e.ancestors) for e in script.elements] == [
        (x.tag, x.start, x.ancestors) for x in expected
    ]
    for element, wanted in zip(script.elements, expected, strict=True):
        assert [(a.name, index(a.position)) for a in element.attributes] == [
            (name, name_at) for name, name_at, _ in wanted.attributes
        ]
    assert [[a.value for a in e.attributes] for e in script.elements] == lxml_values(text)
    wanted_segments = [
        next((v for n, _, v in x.attributes if n in ("soundSegment", "soundsegment")), None)
        for x in expected
        if x.tag == "as:section"
    ]
    assert [
        None if s.sound_segment_position is None else index(s.sound_segment_position)
        for s in script.sections
    ] == wanted_segments


@settings(max_examples=150, deadline=None)
@given(NODES, st.booleans(), st.sampled_from([None, 2]))
def test_generated_payloads_place_everything_in_the_json_file(nodes, ensure_ascii, indent):
    text, expected = render(nodes)
    raw = json.dumps({"scriptText": text}, ensure_ascii=ensure_ascii, indent=indent)
    token_start = raw.index('"', raw.index(":"))
    file_lines = LineIndex(raw)

    def in_file(i):
        return file_lines.position(
            token_start + len(json.dumps(text[:i], ensure_ascii=ensure_ascii)) - 1
        )

    script = parse_json_payload(raw, PATH.with_suffix(".json"))
    assert script.error is None
    assert script.text == text
    assert [e.position for e in script.elements] == [in_file(x.start) for x in expected]
    assert [[a.position for a in e.attributes] for e in script.elements] == [
        [in_file(name_at) for _, name_at, _ in x.attributes] for x in expected
    ]


MARKUPISH = st.text(alphabet="<>/!?-[]=\"'as:ectionbx &;#\n\t\u1680é", max_size=60)


@settings(max_examples=500, deadline=None)
@given(MARKUPISH)
def test_any_text_gives_a_script_or_an_error(text):
    list(tokenize(text))
    script = parse_markup(text, PATH)
    if script.error is None:
        assert all(
            text.startswith("<" + e.tag, LineIndex(text).index(e.position.line, e.position.column))
            for e in script.elements
        )
    elif script.error.position is not None:
        assert 1 <= script.error.position.line <= text.count("\n") + 1
        assert "soundlint-root" not in script.error.message


@settings(max_examples=200, deadline=None)
@given(MARKUPISH, st.booleans())
def test_any_text_in_a_payload_errors_inside_the_file(text, ensure_ascii):
    raw = json.dumps({"scriptText": text}, ensure_ascii=ensure_ascii)
    script = parse_json_payload(raw, PATH.with_suffix(".json"))
    if script.error is not None and script.error.position is not None:
        assert script.error.position.line == 1
        assert raw.index(":") < script.error.position.column <= len(raw)
