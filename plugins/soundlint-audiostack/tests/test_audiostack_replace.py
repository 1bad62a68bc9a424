"""Replacing a live template: whatever fails, the template ends whole, old or new."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from audiostack_helpers import Run, write_wav
from fake_audiostack import TEMPLATES, FakeAudioStack

Upload = Callable[..., Run]
DELETE = f"DELETE {TEMPLATES}/dawn"
SEGMENT = "POST /production/sound/segment"
OLD, NEW = "The dawn template", "The new dawn"


def state_of(project: Path) -> dict:
    return json.loads((project / ".soundlint/uploads.json").read_text())


def edit(project: Path, old: str, new: str) -> None:
    manifest = project / "templates/dawn/template.toml"
    manifest.write_text(manifest.read_text().replace(old, new))


def new_version(project: Path) -> None:
    """A second version of 'dawn': a new description and new audio for 'main'."""
    edit(project, OLD, NEW)
    write_wav(project / "templates/dawn/main.wav", level_db=-15.0)


def whole(fake: FakeAudioStack, project: Path, old_ids: dict[str, str]) -> str:
    """Which version of 'dawn' the server holds, whole ('old' or 'new'); fails otherwise.
    The state file must record it, with no journal left."""
    template = fake.templates.get("dawn")
    assert template is not None, "the template is absent from the server"
    ids = template["segments"]
    if template["description"] == OLD:
        assert ids == old_ids, "the old version, whole"
        which = "old"
    else:
        assert template["description"] == NEW
        segments = {wav.stem for wav in (project / "templates/dawn").glob("*.wav")}
        assert set(ids) == segments, "the new version, whole"
        for name, file_id in ids.items():
            audio = (project / f"templates/dawn/{name}.wav").read_bytes()
            assert fake.files[file_id]["data"] == audio
        which = "new"
    state = state_of(project)
    assert "journal" not in state
    recorded = state["targets"][fake.api_base]["dawn"]["segments"]
    assert {name: entry["fileId"] for name, entry in recorded.items()} == ids
    return which


def replace_with_a_fault(
    upload: Upload, fake: FakeAudioStack, project: Path, number: int, kind: str
) -> tuple[Run, dict[str, str]]:
    """Upload 'dawn', change it, and replace it with a fault at the run's request ``number``."""
    config = project / "soundlint.toml"
    config.write_text(config.read_text().replace("read-timeout = 0.5", "read-timeout = 0.2"))
    config.write_text(config.read_text() + "attempts = 2\n")
    fake.polls_to_upload = 0
    assert upload().code == 0
    old_ids = dict(fake.templates["dawn"]["segments"])
    new_version(project)
    fake.fault_at(len(fake.seen) + number, kind, times=2)
    return upload(), old_ids


@pytest.mark.parametrize("kind", ["500", "timeout", "drop"])
@pytest.mark.parametrize("number", range(1, 12))
def test_a_fault_at_any_request_leaves_the_template_whole(
    upload: Upload, fake: FakeAudioStack, project: Path, number: int, kind: str
) -> None:
    """Each of the 11 requests of a replacement fails for good in turn (both attempts): the
    server ends with the old version or the new, whole, and the state file records it."""
    run, old_ids = replace_with_a_fault(upload, fake, project, number, kind)

    assert fake.faults_left == 0, "the request failed for good"
    which = whole(fake, project, old_ids)
    if which == "new":
        assert run.code == 0
        assert "replaced  dawn (2 segments)" in run.out
    else:
        assert run.code != 0
        assert "failed  dawn: " in run.out
        assert "nothing was left" not in run.out and "nothing is left" not in run.out
        if DELETE in fake.lines():
            restored = "'dawn' was restored to its previous version (2 segments)" in run.out
            assert restored or "'dawn' was left as it was" in run.out, "a 500 to the DELETE"


def test_an_edit_of_fields_audiostack_does_not_store_sends_nothing(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    manifest = project / "templates/dawn/template.toml"
    text = manifest.read_text().replace('tags = ["test"]', 'tags = ["test", "morning"]')
    manifest.write_text("# the morning cut\n" + text.replace("cinematic", "ambient"))
    fake.seen.clear()

    run = upload("--output-format", "json")

    assert run.code == 0
    assert run.status("dawn")["status"] == "skipped-unchanged"
    assert run.status("dawn")["notes"] == [
        "template.toml changed only in fields AudioStack does not store (style, genre, tags, "
        "comments): nothing to send"
    ]
    assert fake.lines() == [f"GET {TEMPLATES}"]
    state = (project / ".soundlint/uploads.json").read_bytes()

    again = upload("--output-format", "json")

    assert "notes" not in again.status("dawn"), "said once"
    assert (project / ".soundlint/uploads.json").read_bytes() == state


def test_a_record_the_listing_disagrees_with_deletes_nothing(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """Someone re-created 'dawn' since this project uploaded it: the record is stale, and
    neither an unchanged nor an edited template touches theirs without --replace."""
    assert upload().code == 0
    fake.add_template("dawn")
    fake.seen.clear()

    unchanged = upload("--output-format", "json")
    new_version(project)
    edited = upload("--output-format", "json")

    for run in (unchanged, edited):
        assert run.code == 1
        assert run.status("dawn")["status"] == "skipped-exists"
        assert run.status("dawn")["error"] == (
            "the server's 'dawn' no longer matches what this checkout's .soundlint/uploads.json "
            "records (its description or segments differ), so it is taken for someone else's; "
            "--adopt dawn records it as it is now, --replace deletes and re-creates it"
        )
    assert fake.lines() == [f"GET {TEMPLATES}"] * 2
    assert fake.templates["dawn"]["description"] == "someone else's"

    replaced = upload("--replace", "--output-format", "json")

    assert replaced.status("dawn")["status"] == "replaced"
    assert fake.templates["dawn"]["description"] == NEW


def test_a_record_not_written_after_the_upload_is_written_by_the_next_run(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soundlint import atomic

    write = atomic.write_text

    def full_once_the_journal_ends(path: Path, text: str) -> None:
        if '"journal"' not in text:
            raise OSError(28, "No space left on device")
        write(path, text)

    monkeypatch.setattr(atomic, "write_text", full_once_the_journal_ends)
    run = upload()
    monkeypatch.setattr(atomic, "write_text", write)

    assert run.code == 0
    assert "could not be written (No space left on device); the next run records it" in run.out
    fake.seen.clear()

    again = upload()

    assert again.code == 0
    assert again.err == (
        "soundlint: repaired 'dawn': a run stopped while uploading it (at: register) once its "
        "new version was up; recorded it\n"
    )
    assert "skipped-unchanged  dawn" in again.out
    assert fake.lines() == [f"GET {TEMPLATES}"]


@pytest.mark.parametrize("refusals", [5, 10])
def test_a_delete_refused_with_5xx_leaves_the_old_version_as_it_was(
    upload: Upload, fake: FakeAudioStack, project: Path, refusals: int
) -> None:
    """A DELETE answered 500 (every attempt) may or may not have been carried out: the
    listing says it was not, so the restore deletes nothing and the run is not 'left-broken'
    (it used to delete the intact old version, then fail to re-create it)."""
    assert upload().code == 0
    old_ids = dict(fake.templates["dawn"]["segments"])
    new_version(project)
    fake.fault("DELETE", f"{TEMPLATES}/dawn", 500, times=refusals)
    fake.fault("POST", TEMPLATES, 500, times=5)

    run = upload()

    assert run.code == 2, run.out + run.err
    assert "failed  dawn: delete template 'dawn': 500" in run.out
    assert "; 'dawn' was left as it was" in run.out
    assert len(fake.requests(DELETE)) == 5, "no second DELETE"
    assert whole(fake, project, old_ids) == "old"
