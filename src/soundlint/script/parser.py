"""Parse AudioStack markup: a hardened lxml checks well-formedness, the lexer finds positions.

Scripts are XML fragments (sibling elements and text, no root, ``as:`` undeclared), so
the markup is wrapped in a root element that binds ``as``, written on the same first line
so that line numbers stay those of the script. lxml is imported only when a script is
parsed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from soundlint.model import Attribute, Binding, Directive, Element, LoadError, Script, Section
from soundlint.script.lexer import (
    AttributeToken,
    Comment,
    Declaration,
    EndTag,
    StartTag,
    Token,
    tokenize,
)
from soundlint.script.positions import LineIndex, Locate

MAX_SCRIPT_BYTES = 1024 * 1024
NAMESPACE = "urn:x-audiostack"
"""What the wrapper binds the ``as`` prefix to."""

_WRAPPER = "soundlint-root"
_PREFIX = f'<{_WRAPPER} xmlns:as="{NAMESPACE}">'
_SUFFIX = f"</{_WRAPPER}>"
_SEGMENT_ATTRIBUTES = ("soundSegment", "soundsegment")
_LEGACY = re.compile(r"<<[^<>\s:]+::[^<>\n]*?>>")
_DIRECTIVE = re.compile(r"\s*soundlint:\s*([^\s=\"']+)\s*=\s*([\"']?)([^\s\"']+)\2\s*\Z")
_XML_DECLARATION = re.compile(r"<\?xml\s[^>]*\?>")
_NOT_NEWLINE = re.compile(r"[^\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_VALUE_PART = re.compile(r"\r\n|[\r\n\t]|&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_PARSERS = threading.local()
_PREDEFINED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_DEPTH = re.compile(r"Excessive depth in document: (\d+)")
_UNDEFINED_ATTRIBUTE_PREFIX = re.compile(r"Namespace prefix (\S+) for (\S+) on ")
_OFFENDERS = (
    # libxml2 reports these once it has read past the token at fault: (its error type,
    # how its message starts, what that token starts with), checked in order.
    ("ERR_NAME_REQUIRED", "xmlParseEntityRef", "&"),
    ("ERR_NAME_REQUIRED", "StartTag", "<"),
    ("ERR_INVALID_CHAR", "xmlParseCharRef", "&"),
    ("ERR_ENTITYREF_SEMICOL_MISSING", "", "&"),
    ("ERR_UNDECLARED_ENTITY", "", "&"),
    ("ERR_INVALID_CHARREF", "", "&"),
    ("ERR_INVALID_DEC_CHARREF", "", "&"),
    ("ERR_INVALID_HEX_CHARREF", "", "&"),
    ("ERR_ATTRIBUTE_REDEFINED", "", "<"),
    ("NS_ERR_ATTRIBUTE_REDEFINED", "", "<"),
    ("NS_ERR_UNDEFINED_NAMESPACE", "", "<"),
    ("ERR_RESERVED_XML_NAME", "", "<?"),
    ("ERR_PI_NOT_STARTED", "", "<?"),
    ("ERR_PI_NOT_FINISHED", "", "<?"),
    ("ERR_COMMENT_NOT_FINISHED", "", "<!--"),
    ("ERR_CDATA_NOT_FINISHED", "", "<![CDATA["),
)
_PLAIN_MESSAGES = {
    "xmlParseEntityRef: no name": "a bare '&' must be written as &amp;",
    "StartTag: invalid element name": "'<' does not start a valid tag; write a literal '<' as &lt;",
    "attributes construct error": 'malformed attribute; write attributes as name="value"',
}


def size_error(size: int) -> LoadError:
    """The error for a script of ``size`` bytes, over :data:`MAX_SCRIPT_BYTES`."""
    return LoadError(f"script is {size} bytes; the limit is 1 MB")


def parse_markup(
    text: str, path: Path, *, locate: Locate | None = None, binding: Binding | None = None
) -> Script:
    """Parse markup ``text`` read from ``path``.

    ``locate`` maps an index into ``text`` to its position in the file (by default the
    text is the file). A ``binding`` given (a payload's ``soundTemplate``, which AudioStack
    uses) wins over a template directive in the markup; without one, the directive binds.
    """
    where = locate or LineIndex(text).position
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SCRIPT_BYTES:
        return Script(path, text, binding=binding, error=size_error(size))
    legacy = tuple((match.group(), where(match.start())) for match in _LEGACY.finditer(text))
    markup = _LEGACY.sub(lambda match: " " * len(match.group()), text)
    tokens = list(tokenize(markup))
    directives = tuple(_directives(tokens, where))
    template = next((d for d in directives if d.key == "template"), None)
    if template is not None and binding is None:
        binding = Binding(template.value, "directive", template.value_position)
    error = _forbidden(markup, tokens, where)
    if error is None:
        root, error = _parse_xml(markup, tokens, where)
    if error is not None:
        return Script(
            path, text, legacy=legacy, binding=binding, directives=directives, error=error
        )
    start_tags = [token for token in tokens if isinstance(token, StartTag)]
    elements = tuple(_elements(root, start_tags, where))
    sections = tuple(_sections(elements, start_tags, where))
    return Script(path, text, elements, sections, legacy, binding, directives)


def _directives(tokens: Iterable[Token], locate: Locate) -> Iterator[Directive]:
    """Each ``<!-- soundlint: KEY=VALUE -->`` comment (legacy tokens blanked out)."""
    for token in tokens:
        if isinstance(token, Comment) and (match := _DIRECTIVE.match(token.body)):
            key_at = locate(token.body_start + match.start(1))
            value_at = locate(token.body_start + match.start(3))
            yield Directive(match.group(1), match.group(3), key_at, value_at)


def _forbidden(text: str, tokens: Iterable[Token], locate: Locate) -> LoadError | None:
    """Refuse a DOCTYPE (entities, external DTDs) and characters no encoder can write."""
    for token in tokens:
        if isinstance(token, Declaration) and token.keyword.upper() == "DOCTYPE":
            return LoadError("DOCTYPE is not allowed", locate(token.start))
    if surrogate := _SURROGATE.search(text):
        code = ord(surrogate.group())
        return LoadError(
            f"unpaired surrogate U+{code:04X} is not a character", locate(surrogate.start())
        )
    return None


def hardened_parser() -> Any:
    """An lxml parser that loads no DTD, expands no entity and reads no file or URL.

    DOCTYPEs never reach it (they are refused first); this is the second wall. Careful:
    ``collect_ids=False`` would make libxml2 load a DOCTYPE's external subset.
    """
    from lxml import etree

    class _RefuseAll(etree.Resolver):
        """Answers every request for an external DTD or entity with empty text."""

        def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
            return self.resolve_string("", context)

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


def _thread_parser() -> Any:
    """This thread's hardened parser, set up once (lxml parsers are not shared by threads):
    setting one up costs more than parsing a short script with it."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = hardened_parser()
    return parser


def _parse_xml(
    text: str, tokens: Sequence[Token], locate: Locate
) -> tuple[Any, None] | tuple[None, LoadError]:
    """lxml's tree of the wrapped markup, or why the markup is not well-formed."""
    from lxml import etree

    parser = _thread_parser()
    try:
        return etree.fromstring(_wrap(text), parser), None
    except etree.XMLSyntaxError:
        return None, _syntax_error(parser.error_log, text, tokens, locate)


def _wrap(text: str) -> str:
    """The markup inside the wrapper; a leading XML declaration is blanked out in place."""
    if declaration := _XML_DECLARATION.match(text):
        blank = _NOT_NEWLINE.sub(" ", declaration.group())
        text = blank + text[declaration.end() :]
    return _PREFIX + text + _SUFFIX


def _syntax_error(log: Any, text: str, tokens: Sequence[Token], locate: Locate) -> LoadError:
    """The first error libxml2 logged, placed and worded for the user's file."""
    errors = list(log.filter_from_errors())
    if not errors:
        return LoadError("the markup is not well-formed")
    first = errors[0]
    if first.type_name == "ERR_TAG_NAME_MISMATCH" and (mismatch := _tag_mismatch(tokens, locate)):
        return mismatch
    column = first.column - (len(_PREFIX) if first.line == 1 else 0)
    index = _offender(first, text, tokens, LineIndex(text).index(first.line, column))
    return LoadError(_plain_message(first.message), locate(index))


def _offender(error: Any, text: str, tokens: Sequence[Token], index: int) -> int:
    """Where the token at fault starts, when libxml2 reported ``error`` at ``index`` past it.

    That token is the last one before ``index`` starting as its kind does; in a start tag,
    an attribute at fault is pointed at if the tag's tokens tell which one it is.
    """
    message = error.message.strip()
    opener = next(
        (
            opener
            for type_name, prefix, opener in _OFFENDERS
            if error.type_name == type_name and message.startswith(prefix)
        ),
        None,
    )
    start = -1 if opener is None else text.rfind(opener, 0, index)
    if start == -1:
        return index
    if opener != "<":
        return start
    tag = next((t for t in tokens if isinstance(t, StartTag) and t.start == start), None)
    attribute = None if tag is None else _attribute_at_fault(tag, error.type_name, message)
    return start if attribute is None else attribute.start


def _attribute_at_fault(tag: StartTag, type_name: str, message: str) -> AttributeToken | None:
    """The repeated attribute of a redefinition, or the one whose prefix is undefined."""
    if type_name == "ERR_ATTRIBUTE_REDEFINED":
        seen: set[str] = set()
        for attribute in tag.attributes:
            if attribute.name in seen:
                return attribute
            seen.add(attribute.name)
    elif undefined := _UNDEFINED_ATTRIBUTE_PREFIX.match(message):
        name = f"{undefined.group(1)}:{undefined.group(2)}"
        return next((a for a in tag.attributes if a.name == name), None)
    return None


def _plain_message(message: str) -> str:
    """libxml2's message, first line only, with its jargon translated where it is opaque."""
    line = message.strip().partition("\n")[0]
    if _WRAPPER in line:
        return "the markup is not well-formed"
    if depth := _DEPTH.match(line):
        return f"elements are nested more than {int(depth.group(1)) - 1} levels deep"
    return _PLAIN_MESSAGES.get(line, line)


def _tag_mismatch(tokens: Iterable[Token], locate: Locate) -> LoadError | None:
    """The first misnested end tag or unclosed start tag, with names as written.

    libxml2 names tags by their local name and counts the wrapper; this walk does neither.
    """
    open_tags: list[StartTag] = []
    for token in tokens:
        if isinstance(token, StartTag) and not token.self_closing:
            open_tags.append(token)
        elif isinstance(token, EndTag):
            if not token.name:
                return LoadError("'</' is not followed by a tag name", locate(token.start))
            if open_tags and open_tags[-1].name == token.name:
                open_tags.pop()
                continue
            if not open_tags:
                message = f"Closing tag {token.name} has no matching opening tag"
                return LoadError(message, locate(token.start))
            opened = open_tags[-1]
            line = locate(opened.start).line
            message = f"Opening and ending tag mismatch: {opened.name} line {line} and {token.name}"
            return LoadError(message, locate(token.start))
    if open_tags:
        opened = open_tags[-1]
        message = f"Unclosed tag: {opened.name} is not closed before the end of the script"
        return LoadError(message, locate(opened.start))
    return None


def _elements(root: Any, start_tags: Sequence[StartTag], locate: Locate) -> Iterator[Element]:
    """Every element below the wrapper, in document order, named and placed as written."""
    ancestry: dict[Any, tuple[str, ...]] = {root: ()}
    for node, tag in zip(root.iterdescendants("*"), start_tags, strict=True):
        ancestors = ancestry[node.getparent()]
        ancestry[node] = (*ancestors, tag.name)
        yield Element(tag.name, _attributes(tag, locate), locate(tag.start), ancestors)


def _attributes(tag: StartTag, locate: Locate) -> tuple[Attribute, ...]:
    """The attributes as written (``xmlns`` declarations too), with their values decoded."""
    return tuple(
        [
            Attribute(token.name, attribute_value(token.raw_value), locate(token.start))
            for token in tag.attributes
        ]
    )


def attribute_value(raw: str) -> str:
    """An attribute's value as XML reads it: references replaced, each line break or tab a space.

    (lxml's own values cost time quadratic in the number of attributes of an element.)
    """
    if "&" not in raw and "\n" not in raw and "\r" not in raw and "\t" not in raw:
        return raw
    return _VALUE_PART.sub(_value_part, raw)


def _value_part(match: re.Match[str]) -> str:
    reference = match.group(1)
    if reference is None:
        return " "
    if reference.startswith("#x"):
        return chr(int(reference[2:], 16))
    if reference.startswith("#"):
        return chr(int(reference[1:]))
    return _PREDEFINED_ENTITIES[reference]


def _sections(
    elements: Sequence[Element], start_tags: Sequence[StartTag], locate: Locate
) -> Iterator[Section]:
    """A section for each ``as:section`` element."""
    for element, tag in zip(elements, start_tags, strict=True):
        if element.tag == "as:section":
            yield _section(element, tag, locate)


def _section(element: Element, tag: StartTag, locate: Locate) -> Section:
    name = element.attribute("name")
    segment = element.attribute(*_SEGMENT_ATTRIBUTES)
    if segment is None:
        return Section(name.value if name else None, None, element.position)
    value_start = next(token.value_start for token in tag.attributes if token.name == segment.name)
    return Section(
        name.value if name else None, segment.value or None, element.position, locate(value_start)
    )
