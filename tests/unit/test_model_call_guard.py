"""The check before every model call (vpr.generation.guard): installed per thread, run before each call."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.fakes import fixtures
from tests.fakes.anthropic_server import FakeAnthropicServer, answer
from vpr.errors import JobStopped
from vpr.generation.guard import before_model_call, checked_model_calls
from vpr.models import Application
from vpr.sections.models import SectionJob
from vpr.sections.writers import CheckedSectionWriter, OfflineSectionWriter

fake_anthropic = fixtures.fake_anthropic  # the fixture, for this module


def test_the_check_runs_only_inside_its_block_and_only_in_its_thread():
    seen: list[str] = []
    elsewhere: list[str] = []

    def other_thread() -> None:
        before_model_call()  # no check installed here: nothing runs
        elsewhere.append("ran")

    with checked_model_calls(lambda: seen.append("checked")):
        before_model_call()
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    before_model_call()

    assert seen == ["checked"] and elsewhere == ["ran"]


def test_a_checked_writer_checks_before_the_section_and_stops_it():
    from tests.unit.test_sections import _application

    application: Application = _application()
    job = SectionJob(id="culture", kind="culture")
    calls: list[str] = []
    writer = CheckedSectionWriter(OfflineSectionWriter(), lambda: calls.append("check"))

    assert writer.write(application, job).content is not None and calls == ["check"]
    assert writer.name == "offline"

    def stopped() -> None:
        raise JobStopped()

    with pytest.raises(JobStopped):
        CheckedSectionWriter(OfflineSectionWriter(), stopped).write(application, job)


def test_the_claude_generator_runs_the_check_before_sending(fake_anthropic: FakeAnthropicServer):
    """With the real SDK against the fake: a stopped job sends nothing; a running one sends its call."""
    from tests.unit.test_sections import _application
    from vpr.sections.writers import ClaudeSectionWriter
    from vpr.settings import Settings

    settings = Settings(generator="claude", model="claude-sonnet-5-5", claude_max_retries=0)
    claude = ClaudeSectionWriter(settings)
    job = SectionJob(id="culture", kind="culture")
    state = {"stopped": True}

    def check() -> Any:
        if state["stopped"]:
            raise JobStopped()

    with pytest.raises(JobStopped), checked_model_calls(check):
        claude.write(_application(), job, timeout=30)
    assert fake_anthropic.calls == 0

    state["stopped"] = False
    fake_anthropic.enqueue(answer({"cultural_fit": "A good fit, by the CV's own account."}))
    with checked_model_calls(check):
        claude.write(_application(), job, timeout=30)
    assert fake_anthropic.calls == 1
