"""The judge's numbers are validated data: a typo in tuning.yaml is an error, never a default."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from booth.apps.music.models import Intent
from booth.apps.music.tuning import TUNING_FILE, TuningError, default_tuning, load_tuning


def write(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(TUNING_FILE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "tuning.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_the_bundled_tuning_names_a_weight_row_per_intent():
    tuning = default_tuning()
    assert set(tuning.weights) == set(Intent)
    for row in tuning.weights.values():
        assert abs(sum(row.as_dict().values()) - 1.0) < 1e-6


def test_an_unknown_key_is_an_error_naming_the_file_and_field(tmp_path):
    path = write(tmp_path, lambda raw: raw["match"].update({"neighbour_genra": 0.4}))
    with pytest.raises(TuningError, match=r"tuning.yaml: match.neighbour_genra"):
        load_tuning(path)


def test_a_missing_key_is_an_error(tmp_path):
    path = write(tmp_path, lambda raw: raw["feedback"].pop("down_factor"))
    with pytest.raises(TuningError, match=r"feedback.down_factor: Field required"):
        load_tuning(path)


def test_weights_that_do_not_sum_to_one_are_refused(tmp_path):
    path = write(tmp_path, lambda raw: raw["weights"]["by_artist"].update({"relevance": 0.9}))
    with pytest.raises(TuningError, match="weights.by_artist"):
        load_tuning(path)
