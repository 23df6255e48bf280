import pytest

from booth.apps.fitcheck.examples import generate_example
from booth.apps.fitcheck.service import FitCheckRequest, start_fit_check


async def analyse(host, resources, text: str) -> dict:
    opened = await host.open_session(None, None)
    run, subscriber = await start_fit_check(
        host, opened, FitCheckRequest(query=text), "test", resources=resources
    )
    events = [e async for e in host.events(run, subscriber)]
    return next(e.data for e in events if e.type.value == "result")


def test_examples_are_reproducible_postings(resources):
    first = generate_example("good", resources, seed=3)
    assert first == generate_example("good", resources, seed=3)
    assert "Requirements:" in first["job_description"]
    assert first["company"] in first["job_description"]


@pytest.mark.parametrize("seed", range(4))
async def test_good_examples_fit_and_bad_ones_do_not(host, resources, seed):
    good = generate_example("good", resources, seed)
    bad = generate_example("bad", resources, seed)
    good_result = await analyse(host, resources, good["job_description"])
    bad_result = await analyse(host, resources, bad["job_description"])
    assert good_result["query_type"] == bad_result["query_type"] == "job_description"
    assert good_result["tier"] in {"HIGH", "MEDIUM"} and good_result["score"] >= 60, good
    assert bad_result["tier"] == "LOW", bad
    assert "fundamental_domain_mismatch" in bad_result["flags"]
