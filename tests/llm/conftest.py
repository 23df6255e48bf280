"""One loopback model server per test module; each test starts with no faults, echo answers."""

from __future__ import annotations

import pytest

from tests.support.openai_server import OpenAIServer, echo_responder


@pytest.fixture(scope="module")
def model_server():
    with OpenAIServer(models=["test-model", "other-model"]) as server:
        yield server


@pytest.fixture
def model(model_server: OpenAIServer) -> OpenAIServer:
    model_server.clear_faults()
    model_server.responder = echo_responder
    model_server.chunk_delay = 0.0
    model_server.calls.clear()
    return model_server
