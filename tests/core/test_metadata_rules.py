"""MD rules: manifests and the files they list."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.conftest import write_template, write_wav


def test_complete_template_passes(tmp_path: Path, check) -> None:
    write_template(tmp_path / "epic1")
    result = check()
    assert result.code == 0, result.out
    assert result.json["diagnostics"] == []
    assert result.json["summary"]["templates"] == 1
    assert result.json["summary"]["files"] == 3


def test_md001_reports_toml_error_position(tmp_path: Path, check) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "template.toml").write_text('description = "ok"\nstyle = = "x"\n')
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "MD001"
    assert (diagnostic["line"], diagnostic["column"]) == (2, 9)
    assert diagnostic["path"] == "t/template.toml"
    assert result.code == 1


def test_md001_invalid_utf8_names_line_and_column(tmp_path: Path, check) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "template.toml").write_bytes(b'description = "ok"\nstyle = "\xff"\n')
    [diagnostic] = check().json["diagnostics"]
    assert diagnostic["code"] == "MD001"
    assert (diagnostic["line"], diagnostic["column"]) == (2, 10)


def test_md002_missing_and_empty_fields(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", description="", genre=None)
    result = check()
    messages = {d["message"]: d for d in result.json["diagnostics"]}
    assert set(result.codes()) == {"MD002"}
    assert messages["required field 'description' is empty"]["line"] == 1
    assert "required field 'genre' is missing" in messages


def test_md002_fields_come_from_rule_options(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", genre=None)
    (tmp_path / "soundlint.toml").write_text('[rules.MD002]\nfields = ["description"]\n')
    assert check().codes() == []


def test_md002_template_without_segments(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", segments={})
    assert check().codes() == ["MD002"]


def test_md003_wrong_types(tmp_path: Path, check) -> None:
    directory = tmp_path / "t"
    directory.mkdir()
    (directory / "template.toml").write_text(
        'description = 5\nstyle = "a"\ngenre = "b"\ntags = ["x", "", "X"]\n[segments]\nmain = 3\n'
    )
    result = check()
    found = sorted((d["line"], d["message"]) for d in result.json["diagnostics"])
    assert found == [
        (1, "'description' must be a string, not an integer"),
        (4, "tag '' is not a non-empty string"),
        (4, "tag 'X' is listed twice"),
        (6, "segment 'main' must be a WAV path, not an integer"),
    ]


def test_md004_missing_segment_file(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", audio=False)
    write_wav(tmp_path / "t" / "intro.wav")
    [diagnostic] = check().json["diagnostics"]
    assert diagnostic["code"] == "MD004"
    assert diagnostic["segment"] == "main"
    assert diagnostic["line"] == 8


def test_md004_directory_is_not_a_segment_file(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    (tmp_path / "t" / "main.wav").mkdir()
    result = check()
    assert result.codes() == ["MD004"]
    assert "not a regular file" in result.json["diagnostics"][0]["message"]


def test_md005_unlisted_audio_file(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t")
    write_wav(tmp_path / "t" / "takes" / "old_take.wav")
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "MD005"
    assert diagnostic["severity"] == "warning"
    assert "takes/old_take.wav" in diagnostic["message"]
    assert result.code == 0
    assert check("--strict").code == 1


def test_md006_paths_outside_are_refused_and_never_read(tmp_path: Path, check) -> None:
    secret = write_wav(tmp_path / "secret.wav")
    write_template(tmp_path / "t", {"a": "../secret.wav", "b": str(secret)}, audio=False)
    os.symlink(secret, tmp_path / "t" / "link.wav")
    (tmp_path / "t" / "template.toml").write_text(
        (tmp_path / "t" / "template.toml").read_text() + 'c = "link.wav"\n'
    )
    result = check()
    assert result.codes() == ["MD006", "MD006", "MD006"]
    # A refused file is not read: no format finding is made about it.
    assert all(d["path"] == "t/template.toml" for d in result.json["diagnostics"])


def test_broken_manifest_does_not_stop_other_templates(tmp_path: Path, check) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "template.toml").write_text("[[[")
    write_template(tmp_path / "good", description="")
    assert check().codes() == ["MD001", "MD002"]


def test_md001_missing_manifest_beside_other_templates(tmp_path: Path, check) -> None:
    write_template(tmp_path / "templates" / "done")
    write_wav(tmp_path / "templates" / "forgotten" / "intro.wav")
    write_wav(tmp_path / "assets" / "jingle.wav")  # not beside a template: not a template
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "MD001"
    assert diagnostic["path"] == "templates/forgotten/template.toml"
    assert diagnostic["message"] == (
        "cannot load template.toml: template.toml is missing; the directory holds audio (intro.wav)"
    )


def test_md001_audio_file_passed_outright_belongs_to_no_template(tmp_path: Path, check) -> None:
    write_wav(tmp_path / "loose" / "a.wav")
    result = check("loose/a.wav")
    assert [(d["code"], d["path"]) for d in result.json["diagnostics"]] == [
        ("MD001", "loose/template.toml")
    ]


@pytest.mark.parametrize(
    ("manifest", "code", "message"),
    [
        ('a = ""', "MD003", "segment 'a' must be a WAV path, not an empty string"),
        ('a = "in\\u0000tro.wav"', "MD004", "the path holds a NUL character"),
    ],
)
def test_odd_segment_paths(tmp_path: Path, check, manifest: str, code: str, message: str) -> None:
    write_template(tmp_path / "t", {}, audio=False)
    path = tmp_path / "t" / "template.toml"
    path.write_text(path.read_text() + manifest + "\n")
    result = check()
    assert result.err == ""
    [diagnostic] = [d for d in result.json["diagnostics"] if d["code"] != "MD002"]
    assert diagnostic["code"] == code and message in diagnostic["message"]


def test_deeply_nested_manifest_is_md001(tmp_path: Path, check) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "template.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = check()
    assert [(d["code"], d["message"]) for d in result.json["diagnostics"]] == [
        ("MD001", "cannot load template.toml: values are nested too deeply")
    ]


def test_byte_order_mark_is_accepted(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t")
    path = tmp_path / "t" / "template.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check().codes() == []


def test_md007_misspelt_key_is_reported_alone_with_did_you_mean(tmp_path: Path, check) -> None:
    directory = write_template(tmp_path / "t", description=None, descripton="Big build")
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "MD007"
    assert diagnostic["message"] == "unknown key 'descripton'; did you mean 'description'?"
    lines = (directory / "template.toml").read_text().splitlines()
    assert lines[diagnostic["line"] - 1].startswith("descripton")
    assert diagnostic["column"] == 1


NO_SEGMENTS = "the template lists no segments ('segmnets' may be a misspelling of it)"


def test_md007_misspelt_segments_table_does_not_call_every_file_unlisted(
    tmp_path: Path, check
) -> None:
    directory = write_template(tmp_path / "t")
    manifest = directory / "template.toml"
    manifest.write_text(manifest.read_text().replace("[segments]", "  [segmnets]"))
    result = check()
    found = {d["code"]: d for d in result.json["diagnostics"]}
    assert sorted(result.codes()) == ["MD002", "MD007"]
    assert found["MD007"]["message"] == "unknown table [segmnets]; did you mean [segments]?"
    line = manifest.read_text().splitlines()[found["MD007"]["line"] - 1]
    assert line == "  [segmnets]" and found["MD007"]["column"] == 3
    assert found["MD002"]["message"] == NO_SEGMENTS


def test_misspelt_segments_table_with_md007_ignored_is_still_md002_and_md005(
    tmp_path: Path, check
) -> None:
    directory = write_template(tmp_path / "t", {"main": "m.wav"})
    manifest = directory / "template.toml"
    manifest.write_text(manifest.read_text().replace("[segments]", "[segmnets]"))
    result = check("--ignore", "MD007", "--output-format", "text")
    assert result.code == 1
    assert f"MD002 {NO_SEGMENTS}" in result.out
    assert "MD005 audio file 'm.wav' is not listed in [segments]" in result.out
    assert "Not ready: 1 template (t)." in result.out


def test_misspelt_field_with_md007_ignored_is_still_md002(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", description=None, descripton="Big build")
    [diagnostic] = check("--ignore", "MD007").json["diagnostics"]
    assert diagnostic["code"] == "MD002"
    assert diagnostic["message"] == (
        "required field 'description' is missing ('descripton' may be a misspelling of it)"
    )


def test_md007_unknown_key_without_suggestion_and_configured_keys(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", mood="dark", bpm=120)
    result = check()
    assert sorted(d["message"] for d in result.json["diagnostics"]) == [
        "unknown key 'bpm'",
        "unknown key 'mood'",
    ]
    (tmp_path / "soundlint.toml").write_text(
        '[rules.MD002]\nfields = ["description", "mood"]\n[rules.MD007]\nallowed = ["bpm"]\n'
    )
    assert check().codes() == []


def test_md007_misspelling_of_a_present_key_keeps_the_other_findings(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", genre="", genr="trailer")
    result = check()
    assert sorted(d["code"] for d in result.json["diagnostics"]) == ["MD002", "MD007"]


@pytest.mark.parametrize(
    ("error", "why"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_unreadable_segment_file_is_md004_saying_why_not_wav001(
    tmp_path: Path, check, monkeypatch: pytest.MonkeyPatch, error: OSError, why: str
) -> None:
    write_template(tmp_path / "t")
    real_open = Path.open

    def refusing_open(self: Path, *args, **kwargs):
        if self.name == "main.wav":
            raise error
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    [diagnostic] = check("--no-cache").json["diagnostics"]
    assert (diagnostic["code"], diagnostic["segment"]) == ("MD004", "main")
    assert diagnostic["message"] == f"segment 'main': file 'main.wav' cannot be read: {why}"


def test_git_lfs_pointer_instead_of_a_wav_says_so(tmp_path: Path, check) -> None:
    directory = write_template(tmp_path / "t")
    (directory / "main.wav").write_text(
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        "size 12345\n"
    )
    [diagnostic] = check("--no-cache").json["diagnostics"]
    assert (diagnostic["code"], diagnostic["segment"]) == ("WAV001", "main")
    assert "Git LFS pointer" in diagnostic["message"]
    assert "git lfs pull" in diagnostic["message"]


def test_segment_paths_through_subdirectories_and_links(tmp_path: Path, check) -> None:
    """Only a path that really leaves the template is MD006, however it is spelt: through
    subdirectories, '..' that comes back, a link to a file inside, a linked directory outside."""
    outside = tmp_path / "store" / "deep"
    write_wav(outside / "far.wav")
    directory = tmp_path / "t"
    segments = {
        "nested": "takes/a.wav",
        "back": "takes/../main.wav",
        "dot": "./main.wav",
        "inner-link": "link-to-main.wav",
        "through-link": "elsewhere/far.wav",
        "missing": "takes/nope.wav",
        "missing-dir": "gone/nope.wav",
    }
    write_template(directory, segments, audio=False)
    write_wav(directory / "main.wav")
    write_wav(directory / "takes" / "a.wav")
    os.symlink("main.wav", directory / "link-to-main.wav")
    os.symlink(outside, directory / "elsewhere")
    result = check("--no-cache", "--select", "MD")
    found = {d["segment"]: d["code"] for d in result.json["diagnostics"]}
    assert found == {"through-link": "MD006", "missing": "MD004", "missing-dir": "MD004"}


def test_md004_file_on_disk_under_another_unicode_normalisation(tmp_path: Path, check) -> None:
    nfc, nfd = "caf\u00e9.wav", "cafe\u0301.wav"
    write_template(tmp_path / "t", {"cafe": nfc}, audio=False)
    write_wav(tmp_path / "t" / nfd)
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "MD004"
    assert diagnostic["message"] == (
        f"segment 'cafe': file '{nfc}' does not exist as written; '{nfd}' looks the same but "
        "is encoded in another Unicode normalisation (NFC 'caf\\u00e9.wav' here, NFD "
        "'cafe\\u0301.wav' there), and names are compared as written"
    )
