"""Find tags, comments and declarations in markup, with their indices.

lxml tells whether markup is well-formed but only knows the line of an element; this
lexer finds where each tag starts. It never fails and always moves forward, so it is
safe on malformed input; on well-formed input its start tags are exactly the elements
in document order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# XML whitespace is exactly these four; Python's \s would also match name characters (U+1680).
_NAME = re.compile(r"[^ \t\r\n/>=<\"'!?&]+")
_ATTRIBUTE = re.compile(r"[ \t\r\n]+([^ \t\r\n/>=<\"']+)[ \t\r\n]*=[ \t\r\n]*([\"'])")
_TAG_END = re.compile(r"[ \t\r\n]*(/?)>")
_KEYWORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class AttributeToken:
    name: str
    start: int
    """Index of the attribute's name."""
    value_start: int
    """Index of the value's first character, just inside the quote."""
    raw_value: str
    """The value as written, references and line breaks not yet replaced."""


@dataclass(frozen=True)
class StartTag:
    name: str
    start: int
    """Index of the '<'."""
    attributes: tuple[AttributeToken, ...]
    self_closing: bool


@dataclass(frozen=True)
class EndTag:
    name: str
    """Empty when no name follows the '</'."""
    start: int


@dataclass(frozen=True)
class Comment:
    body: str
    body_start: int


@dataclass(frozen=True)
class Declaration:
    """A ``<!KEYWORD ...>`` that is neither a comment nor CDATA, e.g. a DOCTYPE."""

    keyword: str
    start: int


Token = StartTag | EndTag | Comment | Declaration


def tokenize(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text`` in order; text content and CDATA are skipped."""
    index = text.find("<")
    while index != -1:
        token, index = _token_at(text, index)
        if token is not None:
            yield token
        index = text.find("<", index)


def _token_at(text: str, index: int) -> tuple[Token | None, int]:
    """The token starting at the '<' at ``index`` and the index just after it."""
    following = text[index + 1 : index + 2]
    if following == "!":
        if text.startswith("<!--", index):
            end = _find(text, "-->", index + 4)
            return Comment(text[index + 4 : end], index + 4), end + 3
        if text.startswith("<![CDATA[", index):
            return None, _find(text, "]]>", index + 9) + 3
        keyword = _KEYWORD.match(text, index + 2)
        return Declaration(keyword.group() if keyword else "", index), index + 2
    if following == "?":
        return None, _find(text, "?>", index + 2) + 2
    if following == "/":
        name = _NAME.match(text, index + 2)
        if name is None:
            return EndTag("", index), index + 2
        return EndTag(name.group(), index), name.end()
    return _start_tag(text, index)


def _find(text: str, terminator: str, start: int) -> int:
    """The index of the next ``terminator``, or the end of the text."""
    found = text.find(terminator, start)
    return len(text) if found == -1 else found


def _start_tag(text: str, index: int) -> tuple[StartTag | None, int]:
    name = _NAME.match(text, index + 1)
    if name is None:
        return None, index + 1
    attributes: list[AttributeToken] = []
    position = name.end()
    while (attribute := _ATTRIBUTE.match(text, position)) is not None:
        value_start = attribute.end()
        value_end = text.find(attribute.group(2), value_start)
        if value_end == -1:
            break
        raw_value = text[value_start:value_end]
        attributes.append(
            AttributeToken(attribute.group(1), attribute.start(1), value_start, raw_value)
        )
        position = value_end + 1
    end = _TAG_END.match(text, position)
    self_closing = end is not None and end.group(1) == "/"
    tag = StartTag(name.group(), index, tuple(attributes), self_closing)
    return tag, position if end is None else end.end()
