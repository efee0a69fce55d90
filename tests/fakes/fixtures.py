"""Pytest fixtures for the fakes. Import them into a conftest:

from tests.fakes.fixtures import fake_anthropic  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.anthropic_server import FAKE_API_KEY, FakeAnthropicServer


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropicServer]:
    """A started strict fake Messages API; the SDK is pointed at it (``ANTHROPIC_BASE_URL``), fake key.

    At teardown the test fails if the fake rejected a request the real API would reject and the test did
    not say it expected that (``fake.expect_rejections()``): such a request fails the test that sends it.
    """
    server = FakeAnthropicServer().start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_API_KEY)
    try:
        yield server
    finally:
        server.stop()
    unexpected = server.unexpected_rejections()
    assert not unexpected, "the real API would reject: " + "; ".join(r.message for r in unexpected)
