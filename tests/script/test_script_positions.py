from soundlint.model import Position
from soundlint.script.positions import LineIndex


def test_position_counts_lines_and_columns_from_one():
    lines = LineIndex("ab\ncd\n")
    assert lines.position(0) == Position(1, 1)
    assert lines.position(1) == Position(1, 2)
    assert lines.position(2) == Position(1, 3)  # the newline itself
    assert lines.position(3) == Position(2, 1)
    assert lines.position(6) == Position(3, 1)  # just past the end


def test_columns_count_characters_not_bytes():
    assert LineIndex("é😀x").position(2) == Position(1, 3)


def test_only_newline_ends_a_line():
    lines = LineIndex("a\rb\r\nc")
    assert lines.position(2) == Position(1, 3)
    assert lines.position(5) == Position(2, 1)


def test_index_inverts_position():
    text = "one\ntwo three\n\nfour"
    lines = LineIndex(text)
    for index in range(len(text) + 1):
        position = lines.position(index)
        assert lines.index(position.line, position.column) == index


def test_index_clamps_into_the_text_and_onto_the_line():
    lines = LineIndex("ab\ncd")
    assert lines.index(0, 5) == 0
    assert lines.index(1, 0) == 0
    assert lines.index(1, 99) == 2  # the newline ending line 1
    assert lines.index(2, 99) == 5
    assert lines.index(9, 1) == 5
