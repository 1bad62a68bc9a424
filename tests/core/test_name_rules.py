"""NM rules: unique, URL-safe names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_template


def test_distinct_valid_names_pass(tmp_path: Path, check) -> None:
    write_template(tmp_path / "epic1")
    write_template(tmp_path / "calm-2")
    assert check().codes() == []


def test_nm001_same_name_ignoring_case_reports_both(tmp_path: Path, check) -> None:
    write_template(tmp_path / "a", name="epic")
    write_template(tmp_path / "b", name="EPIC")
    result = check("--ignore", "NM003")
    found = {(d["path"], d["code"]) for d in result.json["diagnostics"]}
    assert found == {("a/template.toml", "NM001"), ("b/template.toml", "NM001")}
    messages = [d["message"] for d in result.json["diagnostics"]]
    assert any("b/template.toml" in m for m in messages)
    assert any("a/template.toml" in m for m in messages)


def test_nm001_directory_name_counts_as_name(tmp_path: Path, check) -> None:
    write_template(tmp_path / "x" / "epic")
    write_template(tmp_path / "y", name="epic")
    assert check().codes() == ["NM001", "NM001"]


def test_nm001_reported_for_the_changed_template_only(tmp_path: Path, check) -> None:
    write_template(tmp_path / "a", name="epic")
    write_template(tmp_path / "b", name="epic")
    result = check(str(tmp_path / "a" / "template.toml"))
    assert [d["path"] for d in result.json["diagnostics"]] == ["a/template.toml"]


def test_nm002_segment_names_equal_ignoring_case_once_a_pair(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"Main": "a.wav", "main": "b.wav"})
    [diagnostic] = check("--select", "NM002").json["diagnostics"]
    assert (diagnostic["segment"], diagnostic["message"]) == (
        "main",
        "segment 'main' differs only in case from 'Main'",
    )


def test_nm002_each_later_name_is_reported_against_the_first(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"Main": "a.wav", "intro": "b.wav", "main": "c.wav"})
    (tmp_path / "t" / "template.toml").write_text(
        (tmp_path / "t" / "template.toml").read_text() + '"MAIN" = "d.wav"\n'
    )
    found = check("--select", "NM002").json["diagnostics"]
    assert [d["message"] for d in found] == [
        "segment 'main' differs only in case from 'Main'",
        "segment 'MAIN' differs only in case from 'Main'",
    ]


def test_nm002_segment_names_differing_only_in_normalisation(tmp_path: Path, check) -> None:
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    write_template(tmp_path / "t", {nfc: "a.wav", nfd: "b.wav"})
    found = check("--select", "NM002").json["diagnostics"]
    assert [d["message"] for d in found] == [
        f"segment '{nfd}' looks the same as '{nfc}' but is encoded in another Unicode "
        "normalisation (NFD 'cafe\\u0301' here, NFC 'caf\\u00e9' there)",
    ]


def test_nm003_invalid_template_and_segment_names(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"Big Intro": "a.wav", "ok_1": "b.wav"}, name="Epic Trailer")
    result = check()
    assert [(d["code"], d["line"]) for d in result.json["diagnostics"]] == [
        ("NM003", 5),
        ("NM003", 8),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Epic Trailer #1",
            "template name 'Epic Trailer #1' has uppercase letters and ' ', '#'; a name is "
            "lowercase letters, digits, '_' and '-', starting with a letter or digit: "
            "try 'epic-trailer-1'",
        ),
        (
            "-intro",
            "template name '-intro' starts with '-'; a name is lowercase letters, digits, '_' "
            "and '-', starting with a letter or digit: try 'intro'",
        ),
        (
            "a" * 70,
            f"template name '{'a' * 70}' is 70 characters long, more than 64: try '{'a' * 64}'",
        ),
        (
            "cafe\u0301",
            "template name 'cafe\u0301' has '\\u0301'; a name is lowercase letters, digits, '_' "
            "and '-', starting with a letter or digit: try 'cafe'",
        ),
        (
            "ü",
            "template name 'ü' has 'ü'; a name is lowercase letters, digits, '_' and '-', "
            "starting with a letter or digit: try 'u'",
        ),
    ],
)
def test_nm003_says_in_words_what_is_wrong(tmp_path: Path, check, name: str, message: str) -> None:
    write_template(tmp_path / "t", name=name)
    [diagnostic] = check("--select", "NM003").json["diagnostics"]
    assert diagnostic["message"] == message
