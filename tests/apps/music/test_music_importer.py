"""`booth music import`: the user's CSV merged into their catalog folder, then loaded."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from booth.apps.music.catalog import load_catalog
from booth.apps.music.cli import import_catalog
from booth.apps.music.importer import import_csv, parse_similar

HEADER = (
    "artist,title,album,year,genres,moods,tags,popularity,energy,valence,tempo,listeners,similar\n"
)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_an_import_adds_tracks_and_artists_the_loader_then_reads(small_dir, tmp_path):
    source = write(
        tmp_path / "mine.csv",
        HEADER + "Basement Tapes,First Light,Demos,2021,bedroom pop;lo-fi,dreamy,home,30,"
        "0.3,0.6,92,1200,Glass Harbor:0.8;Velvet Lanterns\n"
        + "Basement Tapes,Second Light,Demos,2022,bedroom pop,calm,,25,,,,,\n"
        + "Glass Harbor,Glass Song 1,,,,,,97,,,,,\n",
    )
    user = tmp_path / "user"
    report = import_csv(source, user)
    assert (report.read, report.added, report.updated, report.skipped) == (3, 3, 0, [])
    assert report.artists_updated == 1

    merged = load_catalog(small_dir, user)
    tapes = merged.artist("basement tapes")
    assert tapes.listeners == 1200 and tapes.genres == ("bedroom pop", "lo fi")
    assert tapes.similar == (("glass harbor", 0.8), ("velvet lanterns", 0.5))
    assert merged.track("basement tapes||first light").tempo == 92
    harbor = merged.track("glass harbor||glass song 1")
    assert harbor.popularity == 97 and harbor.album == "Glass Harbor LP1"


def test_importing_again_updates_instead_of_duplicating(tmp_path):
    source = write(tmp_path / "mine.csv", "artist,title,popularity\nA Band,A Song,10\n")
    user = tmp_path / "user"
    import_csv(source, user)
    write(source, "artist,title,popularity,moods\na band,A  Song,40,happy\n")
    report = import_csv(source, user)
    assert (report.added, report.updated) == (0, 1)
    track = load_catalog(user).track("a band||a song")
    assert track.popularity == 40 and track.moods == ("happy",)
    assert len(load_catalog(user).tracks) == 1


def test_bad_rows_are_skipped_with_their_line_numbers(tmp_path):
    source = write(
        tmp_path / "mine.csv",
        "Artist,Title,Year,Energy,Colour\n"
        "Good,Row,1999,0.5,red\n,No Artist,,,\nBad,Year,19x9,,\nBad,Energy,,7,\n",
    )
    report = import_csv(source, tmp_path / "user")
    assert report.added == 1
    assert [s.split(":")[0] for s in report.skipped] == ["line 3", "line 4", "line 5"]
    assert report.ignored_columns == ["colour"]


def test_a_file_without_artist_and_title_is_refused(tmp_path):
    source = write(tmp_path / "mine.csv", "name,song\nx,y\n")
    with pytest.raises(ValueError, match="artist and title"):
        import_csv(source, tmp_path / "user")


def test_similar_cells():
    assert parse_similar("A;B:0.8; C:1.5 ;") == [
        {"name": "A", "weight": 0.5},
        {"name": "B", "weight": 0.8},
        {"name": "C", "weight": 1.0},
    ]
    assert parse_similar("Sunn O))):x") == [{"name": "Sunn O))):x", "weight": 0.5}]


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("import")(import_catalog)
    app.command("noop")(lambda: None)  # keeps "import" a subcommand
    return app


def test_the_import_command(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTH_MUSIC_CATALOG", str(tmp_path / "catalog"))
    source = write(
        tmp_path / "mine.csv", "artist,title,genres\nHome Taper,Kitchen,lo-fi\nHome Taper,,lo-fi\n"
    )
    result = CliRunner().invoke(cli(), ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "skipped line 3" in result.output
    assert (tmp_path / "catalog" / "tracks_user.csv").exists()
    assert not (tmp_path / "catalog" / "artists_user.json").exists()

    empty = write(tmp_path / "empty.csv", "artist,title\n")
    assert CliRunner().invoke(cli(), ["import", str(empty)]).exit_code == 1
    wrong = write(tmp_path / "wrong.csv", "x,y\n1,2\n")
    refused = CliRunner().invoke(cli(), ["import", str(wrong), "--into", str(tmp_path / "o")])
    assert refused.exit_code == 1 and "artist and title" in refused.output
