"""What soundlint upload refuses to do: exit 2 with one line on stderr, before any connection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from audiostack_helpers import Run
from fake_audiostack import FakeAudioStack
from soundlint_audiostack.options import ApiKey

from soundlint.cli import main

Upload = Callable[..., Run]


def refused(run: Run, fake: FakeAudioStack) -> str:
    """The one line of a refusal, after checking that nothing was sent anywhere."""
    assert run.code == 2
    assert run.out == ""
    assert fake.seen == []
    lines = run.err.splitlines()
    assert len(lines) == 1
    return lines[0]


def test_a_missing_key_is_refused(
    upload: Upload, fake: FakeAudioStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIOSTACK_API_KEY")

    assert refused(upload(), fake) == (
        "soundlint: error: no API key: set AUDIOSTACK_API_KEY, or key-file in "
        "[tool.soundlint.upload]; nothing was uploaded"
    )


def test_the_key_may_come_from_a_key_file(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIOSTACK_API_KEY")
    (project / "secrets").mkdir()
    (project / "secrets/audiostack.key").write_text(f"{fake.key}\n")
    config = project / "soundlint.toml"
    config.write_text(config.read_text() + 'key-file = "secrets/audiostack.key"\n')

    assert upload().code == 0
    assert fake.seen[0].headers["x-api-key"] == fake.key

    (project / "secrets/audiostack.key").unlink()
    fake.seen.clear()
    line = refused(upload(), fake)
    assert line.startswith("soundlint: error: [tool.soundlint.upload]: cannot read key-file ")
    assert line.endswith("secrets/audiostack.key: No such file or directory")


@pytest.mark.parametrize(
    ("base", "message"),
    [
        (
            "http://api.example.com",
            "refusing to send the API key over plain http to api.example.com; use https "
            "(http is allowed only to a loopback address such as 127.0.0.1)",
        ),
        ("ftp://v2.api.audio", "the API base must be an https:// URL, not 'ftp://v2.api.audio'"),
        ("v2.api.audio", "the API base must be an https:// URL, not 'v2.api.audio'"),
        (
            "https://user:pw@v2.api.audio",
            "the API base must be a plain URL without query or credentials: "
            "'https://user:pw@v2.api.audio'",
        ),
    ],
)
def test_an_unsafe_api_base_is_refused(
    upload: Upload, fake: FakeAudioStack, base: str, message: str
) -> None:
    assert refused(upload("--api-base", base), fake) == f"soundlint: error: {message}"
    assert refused(upload("--dry-run", "--api-base", base), fake) == f"soundlint: error: {message}"


def test_plain_http_is_allowed_to_loopback(upload: Upload, fake: FakeAudioStack) -> None:
    base = fake.api_base.replace("127.0.0.1", "localhost")
    run = upload("--api-base", base)
    assert run.code == 0, run.err


def test_the_api_base_from_command_line_environment_or_config(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "soundlint.toml"
    config.write_text(config.read_text() + 'api-base = "http://unsafe.example.com"\n')
    assert upload().code == 0, "the environment wins over the file"
    fake.seen.clear()
    monkeypatch.delenv("AUDIOSTACK_API_BASE")
    assert "plain http to unsafe.example.com" in refused(upload(), fake)
    config.write_text(config.read_text().replace("http://unsafe.example.com", fake.api_base))
    assert upload("--api-base", "http://other.example.com").code == 2, "the option wins"
    assert upload("--output-format", "json").json["target"]["api_base"] == fake.api_base


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "retries = 3",
            "[tool.soundlint.upload]: unknown key 'retries'; known keys: api-base, key-file, "
            "connect-timeout, read-timeout, attempts, backoff, max-backoff, poll-interval, "
            "poll-timeout, concurrency",
        ),
        ("concurency = 3", "[tool.soundlint.upload]: unknown key 'concurency'; did you mean"),
        ("attempts = 0", "[tool.soundlint.upload]: 'attempts' must be at least 1, not 0"),
        ("attempts = 2.5", "[tool.soundlint.upload]: 'attempts' must be a whole number, not a"),
        (
            'concurrency = "10"',
            "[tool.soundlint.upload]: 'concurrency' must be a whole number, not a string",
        ),
        ("api-base = 3", "[tool.soundlint.upload]: 'api-base' must be a string, not an integer"),
    ],
)
def test_bad_settings_are_refused(
    upload: Upload, fake: FakeAudioStack, project: Path, line: str, message: str
) -> None:
    config = project / "soundlint.toml"
    config.write_text(config.read_text() + line + "\n")

    assert refused(upload(), fake).startswith(f"soundlint: error: {message}")


def test_an_unknown_top_level_key_is_still_refused(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    (project / "soundlint.toml").write_text("uplaod = {}\n")
    assert "unknown key 'uplaod'" in refused(upload(), fake)


def test_a_missing_path_is_refused(upload: Upload, fake: FakeAudioStack) -> None:
    assert (
        refused(upload("templates/nope"), fake)
        == "soundlint: error: path not found: templates/nope"
    )


def test_without_the_package_upload_says_what_to_install(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)

    code = main(["-p", "no:audiostack", "upload", "--dry-run", "templates"])

    assert code == 2
    assert capsys.readouterr().err == (
        "soundlint: error: `soundlint upload` needs the soundlint-audiostack package: "
        "pip install plugins/soundlint-audiostack (from a clone of soundlint; "
        "it is not on PyPI yet)\n"
    )


def test_upload_is_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["upload", "--help"])
    out = capsys.readouterr().out
    assert "--dry-run" in out and "--replace" in out and "--api-base URL" in out


def test_the_key_never_prints() -> None:
    key = ApiKey("sk-secret")
    assert "sk-secret" not in repr(key) + str(key) + f"{key}" + repr([key])
    assert key.reveal() == "sk-secret"


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("http://[::1", "the API base is not a valid URL: 'http://[::1' (Invalid IPv6 URL)"),
        (
            "http://127.0.0.1:99999",
            "the API base is not a valid URL: 'http://127.0.0.1:99999' (Port out of range 0-65535)",
        ),
    ],
)
def test_an_api_base_that_is_no_url_is_refused(
    upload: Upload, fake: FakeAudioStack, base: str, message: str
) -> None:
    assert refused(upload("--api-base", base), fake) == f"soundlint: error: {message}"


@pytest.mark.parametrize(
    ("setting", "value"), [("connect-timeout", "nan"), ("read-timeout", "inf"), ("backoff", "nan")]
)
def test_a_setting_that_is_not_a_finite_number_is_refused(
    upload: Upload, fake: FakeAudioStack, project: Path, setting: str, value: str
) -> None:
    config = project / "soundlint.toml"
    kept = [line for line in config.read_text().splitlines() if not line.startswith(setting)]
    config.write_text("\n".join([*kept, f"{setting} = {value}"]) + "\n")

    assert refused(upload(), fake) == (
        f"soundlint: error: [tool.soundlint.upload]: '{setting}' must be a finite number, "
        f"not {value}"
    )
