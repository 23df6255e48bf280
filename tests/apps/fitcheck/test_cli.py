import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from booth.apps.fitcheck.cli import fit_check
from tests.apps.fitcheck.profiles import EMBEDDED_ENGINEER

app = typer.Typer()
app.command()(fit_check)
runner = CliRunner()


def test_json_prints_only_the_result():
    outcome = runner.invoke(app, ["Datadog backend engineer", "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout)
    assert result["company"] == "Datadog" and result["tier"] in {"HIGH", "MEDIUM"}
    assert {"score", "strengths", "gaps", "matched", "unmatched", "sources", "flags"} <= set(result)


def test_terminal_output_shows_phases_and_the_answer():
    outcome = runner.invoke(app, ["Stripe"])
    assert outcome.exit_code == 0, outcome.output
    assert "skeptical_comparison" in outcome.stdout
    assert "Stripe Fit Analysis" in outcome.stdout and "Growth Opportunities" in outcome.stdout


def test_profile_option_changes_the_candidate(tmp_path: Path):
    path = tmp_path / "embedded.yaml"
    path.write_text(EMBEDDED_ENGINEER)
    query = "Lockheed Martin embedded software engineer"
    theirs = json.loads(runner.invoke(app, [query, "--json", "--profile", str(path)]).stdout)
    ours = json.loads(runner.invoke(app, [query, "--json"]).stdout)
    assert theirs["score"] > ours["score"] + 20


def test_bad_input_exits_with_a_clear_message(tmp_path: Path):
    missing = runner.invoke(app, ["Stripe", "--profile", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read the profile" in missing.output
    short = runner.invoke(app, ["ab"])
    assert short.exit_code == 2 and "invalid query" in short.output
