"""axe-core in the page under test, loaded from the npm package on disk (nothing is fetched)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")  # the impacts WCAG AA conformance must not have


def axe_problem() -> str | None:
    if not AXE.exists():
        return f"{AXE} is missing; run `make ui-tools` (npm install in tests/ui/js)"
    return None


def require_axe() -> None:
    """Skip without axe-core; fail instead where the browser tools are required (CI)."""
    problem = axe_problem()
    if problem:
        if os.environ.get("BOOTH_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)


def violations(page, *, context: str = "body") -> list[dict]:
    """axe's serious and critical violations on the page as it is now, one dict per rule."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (ctx) => {
            const r = await axe.run(ctx, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                    (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 160))}));
        }""",
        context,
    )
    return [v for v in found if v["impact"] in BLOCKING]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)
