"""Shared fixtures: the bundled resources (read-only, loaded once) and an in-process host."""

from __future__ import annotations

import pytest

from booth.apps.fitcheck.knowledge import KnowledgeBase
from booth.apps.fitcheck.ontology import Ontology, load_ontology
from booth.apps.fitcheck.phases import Resources
from booth.apps.fitcheck.service import load_resources
from booth.config import Settings
from booth.server import build_host


@pytest.fixture(scope="session")
def resources() -> Resources:
    return load_resources()


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="session")
def kb(resources: Resources) -> KnowledgeBase:
    return resources.kb


@pytest.fixture
async def host():
    """booth's real runtime with a memory store, in this test's event loop."""
    host = build_host(Settings(store="memory", ui=False))
    await host.runtime.startup()
    yield host
    await host.runtime.shutdown()
    await host.close()
