"""The bundled data files are validated by strict schemas: a misspelt or missing key is an
error naming the file and the field, never a silently empty list."""

from pathlib import Path

import pytest
import yaml

from booth.apps.fitcheck.datafile import DataFileError
from booth.apps.fitcheck.lexicon import DEFAULT_LEXICON, load_lexicon
from booth.apps.fitcheck.ontology import DEFAULT_ONTOLOGY, load_ontology


def _copy_with(source: Path, target: Path, change) -> Path:
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(raw)
    target.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return target


def test_an_unknown_key_in_the_ontology_names_file_and_field(tmp_path):
    def typo(raw):
        raw["domains"]["embedded"]["marker"] = raw["domains"]["embedded"].pop("markers")

    bad = _copy_with(DEFAULT_ONTOLOGY, tmp_path / "ontology.yaml", typo)
    with pytest.raises(DataFileError, match=r"ontology.yaml: domains.embedded.marker: Extra"):
        load_ontology(bad)


def test_a_missing_section_of_the_ontology_is_an_error(tmp_path):
    bad = _copy_with(DEFAULT_ONTOLOGY, tmp_path / "ontology.yaml", lambda raw: raw.pop("roles"))
    with pytest.raises(DataFileError, match=r"ontology.yaml: roles: Field required"):
        load_ontology(bad)


def test_a_role_naming_an_unknown_competency_is_an_error(tmp_path):
    def stray(raw):
        raw["roles"]["developer relations"]["activities"].append("juggling")

    bad = _copy_with(DEFAULT_ONTOLOGY, tmp_path / "ontology.yaml", stray)
    with pytest.raises(ValueError, match="unknown competencies"):
        load_ontology(bad)


def test_the_lexicon_rejects_unknown_and_missing_keys(tmp_path):
    extra = _copy_with(
        DEFAULT_LEXICON, tmp_path / "extra.yaml", lambda raw: raw["query"].update(filer=["a"])
    )
    with pytest.raises(DataFileError, match=r"extra.yaml: query.filer: Extra inputs"):
        load_lexicon(extra)
    missing = _copy_with(DEFAULT_LEXICON, tmp_path / "missing.yaml", lambda raw: raw.pop("degrees"))
    with pytest.raises(DataFileError, match=r"missing.yaml: degrees: Field required"):
        load_lexicon(missing)


def test_a_word_yaml_reads_as_a_boolean_is_caught(tmp_path):
    def boolean(raw):
        raw["query"]["filler"].append(True)  # what an unquoted `on` or `no` becomes

    bad = _copy_with(DEFAULT_LEXICON, tmp_path / "bool.yaml", boolean)
    with pytest.raises(DataFileError, match=r"query.filler"):
        load_lexicon(bad)
