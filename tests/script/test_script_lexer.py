from soundlint.script.lexer import (
    AttributeToken,
    Comment,
    Declaration,
    EndTag,
    StartTag,
    tokenize,
)


def test_start_end_and_self_closing_tags():
    text = '<as:section name="a">x<break time="1s"/></as:section>'
    assert list(tokenize(text)) == [
        StartTag("as:section", 0, (AttributeToken("name", 12, 18, "a"),), False),
        StartTag("break", 22, (AttributeToken("time", 29, 35, "1s"),), True),
        EndTag("as:section", 40),
    ]


def test_attribute_values_may_hold_gt_and_the_other_quote():
    (tag,) = tokenize('<a x=\'1 > "2"\' y = "3" >')
    assert [(a.name, a.raw_value) for a in tag.attributes] == [("x", '1 > "2"'), ("y", "3")]
    assert tag.attributes[1].start == 15
    assert tag.attributes[1].value_start == 20


def test_whitespace_across_lines_inside_a_tag():
    (tag,) = tokenize('<a\n\tb="1"\r\n/>')
    assert tag.attributes == (AttributeToken("b", 4, 7, "1"),)
    assert tag.self_closing


def test_comments_cdata_and_processing_instructions_hide_tags():
    text = '<!-- <as:section name="x"> --><![CDATA[<b>]]><?pi <c>?><d/>'
    tokens = list(tokenize(text))
    assert tokens == [Comment(' <as:section name="x"> ', 4), StartTag("d", 55, (), True)]


def test_declarations_are_reported():
    tokens = list(tokenize("<!DOCTYPE x [<!ENTITY e 'v'>]><a/>"))
    assert tokens[0] == Declaration("DOCTYPE", 0)


def test_unicode_space_u1680_is_a_name_character_not_whitespace():
    (tag,) = tokenize("<a\u1680b/>")
    assert tag.name == "a\u1680b"
    assert tag.attributes == ()


def test_malformed_input_ends_without_error():
    for text in [
        "<",
        "<<",
        "<a",
        '<a b="',
        "<!--",
        "<![CDATA[",
        "<?",
        "</",
        "<!",
        "< a",
        "<a b=c>",
    ]:
        list(tokenize(text))
    assert list(tokenize("<!-- open")) == [Comment(" open", 4)]
    assert list(tokenize('<a b="x')) == [StartTag("a", 0, (), False)]
    assert list(tokenize("</>")) == [EndTag("", 0)]
