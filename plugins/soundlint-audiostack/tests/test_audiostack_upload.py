"""soundlint upload against a fake AudioStack: what goes up, in which requests, and when not."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from audiostack_helpers import Run, write_template, write_wav
from fake_audiostack import TEMPLATES, FakeAudioStack

from soundlint.cli import main

Upload = Callable[..., Run]


def test_a_passing_template_goes_up_whole(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    run = upload("--output-format", "json")

    assert run.code == 0, run.err
    entry = run.status("dawn")
    assert entry["status"] == "uploaded"
    ids = {segment["name"]: segment["file_id"] for segment in entry["segments"]}
    assert fake.templates["dawn"]["segments"] == ids
    assert fake.templates["dawn"]["description"] == "The dawn template"
    for name, file_id in ids.items():
        assert fake.files[file_id]["data"] == (project / f"templates/dawn/{name}.wav").read_bytes()
        assert fake.files[file_id]["name"] == f"dawn_{name}.wav"

    lines = fake.lines()
    assert lines[0] == f"GET {TEMPLATES}"
    files_done = max(i for i, line in enumerate(lines) if line.startswith("GET /files/"))
    create = lines.index(f"POST {TEMPLATES}")
    assert files_done < create, "the template is created once its files are all uploaded"
    assert lines[create:] == [f"POST {TEMPLATES}", *["POST /production/sound/segment"] * 2]
    assert fake.requests(f"POST {TEMPLATES}")[0].json == {
        "templateName": "dawn",
        "description": "The dawn template",
    }
    assert [r.json for r in fake.requests("POST /production/sound/segment")] == [
        {"templateName": "dawn", "segmentName": "intro", "mediaId": ids["intro"]},
        {"templateName": "dawn", "segmentName": "main", "mediaId": ids["main"]},
    ]
    assert sorted(r.json["file_name"] for r in fake.requests("POST /files")) == [
        "dawn_intro.wav",
        "dawn_main.wav",
    ]
    polls = fake.requests("GET /files")
    assert len(polls) == 2 * (fake.polls_to_upload + 1)


def test_the_key_goes_to_the_api_only(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIOSTACK_ORG_ID", "org-42")
    assert upload().code == 0

    api = [seen for seen in fake.seen if seen.server == "api"]
    puts = [seen for seen in fake.seen if seen.server == "upload"]
    assert len(puts) == 2 and all(seen.method == "PUT" for seen in puts)
    assert all(seen.headers["x-api-key"] == fake.key for seen in api)
    assert all(seen.headers["x-assume-org"] == "org-42" for seen in api)
    for seen in puts:
        assert "x-api-key" not in seen.headers and "x-assume-org" not in seen.headers
        assert fake.key not in json.dumps(seen.headers) + seen.path
        assert seen.headers["content-type"] == "audio/wav"
        assert int(seen.headers["content-length"]) == len(seen.body)
    state = (project / ".soundlint/uploads.json").read_text()
    assert fake.key not in state


def test_segments_go_up_concurrently_but_bounded(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    write_template(project, "dusk", segments=("a", "b", "c", "d", "e"))
    (project / "soundlint.toml").write_text(
        (project / "soundlint.toml").read_text() + "concurrency = 2\n"
    )
    fake.upload_delay = 0.15

    assert upload("templates/dusk").code == 0
    assert fake.most_uploads_at_once == 2
    assert set(fake.templates["dusk"]["segments"]) == {"a", "b", "c", "d", "e"}


def test_a_failing_template_is_blocked_and_the_rest_goes_on(
    upload: Upload, fake: FakeAudioStack, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_template(project, "noon", description="")
    (project / "templates/noon/main.wav").unlink()

    run = upload()

    assert run.code == 1
    assert "blocked-by-lint  noon: 2 errors (see above)" in run.out
    assert "uploaded         dawn (2 segments)" in run.out
    assert list(fake.templates) == ["dawn"]
    assert not any("noon" in seen.body.decode("latin-1") for seen in fake.seen)
    # The diagnostics are printed as `soundlint check` prints them.
    assert main(["check", "templates/noon"]) == 1
    checked = capsys.readouterr().out.splitlines()
    assert len(checked) == 5  # two findings, the summary, the readiness, `soundlint rule`
    assert run.out.splitlines()[:2] == checked[:2]


def test_an_error_in_a_bound_script_blocks_its_template(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    write_template(project, "noon")
    scripts = project / "scripts"
    scripts.mkdir()
    (scripts / "promo.xml").write_text(
        '<!-- soundlint: template=noon -->\n<as:section soundSegment="mian">Hi</as:section>\n'
    )

    run = upload("--output-format", "json")

    assert run.code == 1
    assert run.status("noon") == {
        "name": "noon",
        "path": "templates/noon",
        "status": "blocked-by-lint",
        "action": "block",
        "lint_errors": 1,
    }
    assert run.status("dawn")["status"] == "uploaded"
    errors = [d for d in run.json["lint"]["diagnostics"] if d["severity"] == "error"]
    assert [d["code"] for d in errors] == ["SC002"]


def test_nothing_passing_means_no_connection(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    (project / "templates/dawn/main.wav").write_bytes(b"ID3not a wav")

    run = upload()

    assert run.code == 1
    assert "blocked-by-lint  dawn" in run.out
    assert fake.seen == []


def test_an_unchanged_template_is_not_sent_again(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    first = upload("--output-format", "json")
    assert first.code == 0
    fake.seen.clear()

    second = upload("--output-format", "json")

    assert second.code == 0
    assert second.status("dawn")["status"] == "skipped-unchanged"
    assert second.status("dawn")["segments"] == first.status("dawn")["segments"]
    assert fake.lines() == [f"GET {TEMPLATES}"]
    assert fake.lines("upload") == []


def test_a_changed_template_of_this_project_is_replaced(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    old_ids = set(fake.templates["dawn"]["segments"].values())
    write_wav(project / "templates/dawn/main.wav", level_db=-15.0)
    fake.seen.clear()

    run = upload("--output-format", "json")

    assert run.code == 0
    assert run.status("dawn")["status"] == "replaced"
    lines = fake.lines()
    files_done = max(i for i, line in enumerate(lines) if line.startswith("GET /files/"))
    assert files_done < lines.index("DELETE /production/sound/template/dawn"), "new files first"
    assert lines.index("DELETE /production/sound/template/dawn") < lines.index(f"POST {TEMPLATES}")
    assert not old_ids & set(fake.templates["dawn"]["segments"].values())


def test_a_template_deleted_on_the_server_goes_up_again(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    del fake.templates["dawn"]

    run = upload("--output-format", "json")

    assert run.status("dawn")["status"] == "uploaded"
    assert "dawn" in fake.templates


def test_a_name_taken_on_the_server_is_skipped(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.add_template("dawn", field_name="alias")

    run = upload()

    assert run.code == 1
    assert (
        "skipped-exists  dawn: a template named 'dawn' is on the server but not recorded in "
        "this checkout's .soundlint/uploads.json; if it is this project's (uploaded from "
        "another checkout), --adopt dawn records it as such; --replace deletes and re-creates it"
    ) in run.out
    assert fake.lines() == [f"GET {TEMPLATES}"]
    assert fake.templates["dawn"]["description"] == "someone else's"


def test_replace_deletes_and_recreates_a_taken_name(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.add_template("dawn", field_name="soundTemplateId")

    run = upload("--replace", "--output-format", "json")

    assert run.code == 0
    assert run.status("dawn")["status"] == "replaced"
    lines = fake.lines()
    assert lines[1:].count("DELETE /production/sound/template/dawn") == 1
    assert lines.index("DELETE /production/sound/template/dawn") < lines.index(f"POST {TEMPLATES}")
    assert fake.templates["dawn"]["description"] == "The dawn template"


def test_dry_run_connects_to_nothing(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIOSTACK_API_KEY")
    write_template(project, "noon", description="")

    text = upload("--dry-run")
    run = upload("--dry-run", "--output-format", "json")

    assert fake.seen == []
    assert not (project / ".soundlint").exists()
    assert text.code == run.code == 1
    assert run.status("noon")["status"] == "blocked-by-lint"
    entry = run.status("dawn")
    assert entry["status"] == "planned"
    assert entry["action"] == "upload"
    assert run.json["mode"] == "dry-run"
    assert run.json["target"] == {"api_base": fake.api_base, "organisation": None}
    assert [s["file_id"] for s in entry["segments"]] == [None, None]
    requests = entry["requests"]
    assert requests[0] == 'POST /files {"file_name": "dawn_intro.wav"}'
    assert requests[1].startswith("PUT <uploadUrl of intro> (intro.wav, 96044 bytes, no key)")
    assert requests[-3:] == [
        'POST /production/sound/template {"templateName": "dawn", '
        '"description": "The dawn template"}',
        'POST /production/sound/segment {"templateName": "dawn", "segmentName": "intro", '
        '"mediaId": "<fileId of intro>"}',
        'POST /production/sound/segment {"templateName": "dawn", "segmentName": "main", '
        '"mediaId": "<fileId of main>"}',
    ]
    assert f"Dry run for {fake.api_base}: " in text.out
    assert f"GET {TEMPLATES}\n" in text.out
    assert "upload           dawn\n    (if the server has no template of that name" in text.out
    assert ")\n    POST /files" in text.out


def test_dry_run_of_an_uploaded_project(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    fake.seen.clear()
    write_template(project, "noon")

    run = upload("--dry-run", "--output-format", "json")

    assert run.code == 0
    assert fake.seen == []
    assert run.status("dawn")["status"] == "skipped-unchanged"
    assert run.status("noon")["status"] == "planned"

    write_wav(project / "templates/dawn/main.wav", level_db=-15.0)
    changed = upload("--dry-run", "--output-format", "json").status("dawn")
    assert changed["status"] == "planned"
    assert changed["action"] == "replace"
    delete = changed["requests"].index("DELETE /production/sound/template/dawn")
    assert changed["requests"][delete - 1].startswith("GET /files/<fileId of main>")
    assert changed["requests"][delete + 1].startswith("POST /production/sound/template ")
    assert fake.seen == []


def test_state_file_records_what_went_up(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0

    state = json.loads((project / ".soundlint/uploads.json").read_text())
    entry = state["targets"][fake.api_base]["dawn"]
    assert entry["directory"] == "templates/dawn"
    assert entry["segments"] == {
        name: {"fileId": file_id} for name, file_id in fake.templates["dawn"]["segments"].items()
    }
    assert len(entry["fingerprint"]) == 64
    assert sorted(p.name for p in (project / ".soundlint").iterdir()) == ["uploads.json"]


def test_state_is_kept_per_api(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert upload().code == 0
    other = FakeAudioStack(key=fake.key)
    try:
        monkeypatch.setenv("AUDIOSTACK_API_BASE", other.api_base)
        run = upload("--output-format", "json")
        assert run.status("dawn")["status"] == "uploaded"
        assert "dawn" in other.templates
    finally:
        other.stop()


def test_upload_from_a_subdirectory(upload: Upload, fake: FakeAudioStack, project: Path) -> None:
    write_template(project, "noon")

    run = upload(".", "--output-format", "json", cwd=project / "templates/noon")

    assert run.code == 0
    assert [t["name"] for t in run.json["templates"]] == ["noon"]
    assert run.status("noon")["path"] == "."
    assert (project / ".soundlint/uploads.json").is_file()
    assert not (project / "templates/noon/.soundlint").exists()


def test_a_plugin_that_failed_holds_every_template_back(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """Its rules did not run, so no template was fully checked."""
    (project / "broken_rules.py").write_text(
        "import soundlint\n\n"
        "@soundlint.hookimpl\n"
        "def soundlint_check_template(template, context):\n"
        "    raise RuntimeError('boom')\n"
    )
    config = project / "soundlint.toml"
    config.write_text('plugins = ["broken_rules"]\n' + config.read_text())

    run = upload("--output-format", "json")

    assert run.code == 1
    assert run.status("dawn") == {
        "name": "dawn",
        "path": "templates/dawn",
        "status": "blocked-by-lint",
        "action": "block",
        "lint_errors": 1,
    }
    assert [d["code"] for d in run.json["lint"]["diagnostics"]] == ["SL001"]
    assert fake.seen == []


def test_a_state_file_that_cannot_be_written(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soundlint import atomic

    def full(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_text", full)

    run = upload()

    assert run.code == 2
    assert run.out.splitlines()[2] == (
        f"failed  dawn: cannot write {project}/.soundlint/uploads.json "
        "(No space left on device); nothing was changed"
    )
    assert fake.templates == {}, "no template is touched before the journal is written"


def test_a_state_directory_that_is_a_file_is_refused(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    (project / ".soundlint").write_text("")

    run = upload()

    assert run.code == 2
    assert run.err.startswith("soundlint: error: cannot read ")
    assert fake.seen == []


def test_dry_run_and_plan_list_the_registrations_in_the_order_sent(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    write_template(project, "dusk", segments=("outro", "intro", "main"))

    def registered(requests: list[str]) -> list[str]:
        return [
            json.loads(line.split(" ", 2)[2])["segmentName"]
            for line in requests
            if line.startswith("POST /production/sound/segment ")
        ]

    dry = upload("--dry-run", "--output-format", "json")
    planned = upload("--plan", "--output-format", "json")
    assert upload().code == 0

    sent = [
        seen.json["segmentName"]
        for seen in fake.requests("POST /production/sound/segment")
        if seen.json["templateName"] == "dusk"
    ]
    assert sent == ["intro", "main", "outro"]
    assert registered(dry.status("dusk")["requests"]) == sent
    assert registered(planned.status("dusk")["requests"]) == sent
