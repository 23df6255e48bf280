import asyncio

import pytest

from booth.core.errors import BoothError, ErrorCode
from booth.core.resilience import AdmissionControl, BreakerState, CircuitBreaker


async def test_admission_caps_total_and_per_client_runs():
    admission = AdmissionControl(max_runs=3, max_runs_per_client=2)
    first = await admission.admit("10.0.0.1")
    await admission.admit("10.0.0.1")
    with pytest.raises(BoothError) as per_client:
        await admission.admit("10.0.0.1")
    assert per_client.value.code is ErrorCode.RATE_LIMITED
    assert per_client.value.retry_after is not None
    await admission.admit("10.0.0.2")
    with pytest.raises(BoothError):
        await admission.admit("10.0.0.3")  # global cap
    await admission.release(first)
    await admission.admit("10.0.0.3")
    assert admission.active == 3


async def _fail():
    raise ConnectionError("upstream down")


async def _ok():
    return "fine"


async def test_breaker_opens_after_failures_and_half_opens_after_the_cool_down(clock):
    breaker = CircuitBreaker("llm", failure_threshold=2, reset_after=10, clock=clock)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            await breaker.call(_fail)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(BoothError) as refused:
        await breaker.call(_ok)
    assert refused.value.code is ErrorCode.UPSTREAM_UNAVAILABLE
    clock.advance(10)
    assert breaker.state is BreakerState.HALF_OPEN
    assert await breaker.call(_ok) == "fine"
    assert breaker.state is BreakerState.CLOSED


async def test_a_failed_probe_opens_the_breaker_again(clock):
    breaker = CircuitBreaker("search", failure_threshold=1, reset_after=5, clock=clock)
    with pytest.raises(ConnectionError):
        await breaker.call(_fail)
    clock.advance(5)
    with pytest.raises(ConnectionError):
        await breaker.call(_fail)
    assert breaker.state is BreakerState.OPEN


async def test_half_open_admits_one_probe_and_a_cancelled_probe_frees_the_slot(clock):
    breaker = CircuitBreaker("llm", failure_threshold=1, reset_after=5, clock=clock)
    with pytest.raises(ConnectionError):
        await breaker.call(_fail)
    clock.advance(5)
    started = asyncio.Event()

    async def slow():
        started.set()
        await asyncio.sleep(30)

    probe = asyncio.create_task(breaker.call(slow))
    await started.wait()
    with pytest.raises(BoothError):  # a second caller may not probe at the same time
        await breaker.call(_ok)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert breaker.state is BreakerState.HALF_OPEN  # neither success nor failure
    assert await breaker.call(_ok) == "fine"
    assert breaker.state is BreakerState.CLOSED


async def test_a_timeout_counts_as_a_failure(clock):
    breaker = CircuitBreaker("llm", failure_threshold=1, reset_after=5, clock=clock)
    with pytest.raises(TimeoutError):
        await breaker.call(lambda: asyncio.sleep(1), timeout=0.01)
    assert breaker.state is BreakerState.OPEN
