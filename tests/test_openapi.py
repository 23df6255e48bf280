"""The OpenAPI schema is complete: a bounded schemathesis run against a real server finds nothing.

Every route documents the statuses it can return with booth's error body, `text/event-stream`
where it streams, and its inputs' rules (session ids, user text, Last-Event-ID), so a request
the schema allows is served and one it forbids is refused.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ThreadServer

EXAMPLES_PER_OPERATION = 25  # bounded: the whole run takes well under a minute

# /feedback takes its fields from a JSON body or, as the seed's client sends them, from query
# parameters; OpenAPI cannot say "one of the two", so a request with neither is refused (422)
# although the schema, which marks each optional, allows it.
EITHER_BODY_OR_QUERY = {"/feedback"}


@pytest.fixture(scope="module")
def api_schema():
    settings_ = Settings(store="memory", ui=False, max_runs=1000, max_runs_per_client=1000)
    server = ThreadServer(create_app(settings_)).start()
    yield schemathesis.openapi.from_url(server.url + "/openapi.json")
    server.stop()


def conformance_failures(operation, mode: GenerationMode) -> list[str]:
    """Run `EXAMPLES_PER_OPERATION` generated requests against one operation."""
    excluded = []
    if operation.path in EITHER_BODY_OR_QUERY:
        excluded.append(schemathesis.checks.positive_data_acceptance)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same cases every run: a failure here is reproducible
    )
    def check(case) -> None:
        case.call_and_validate(excluded_checks=excluded, timeout=60)

    try:
        check()
    except Unsatisfiable:  # nothing to negate: the operation takes no input
        return []
    except Exception as failure:  # schemathesis reports failed checks as exceptions
        found = failure.exceptions if isinstance(failure, ExceptionGroup) else [failure]
        return [f"{operation.label}: {problem}" for problem in found]
    return []


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_to_its_schema(api_schema, mode):
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        failures += conformance_failures(result.ok(), mode)
    assert not failures, "\n\n".join(failures)
