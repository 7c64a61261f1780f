"""Victim lists: French cp1252 CSV and English XLSX; no name ever in a message; stable ids."""

from __future__ import annotations

import datetime as dt

import pytest

from civharm.core.precision import Count
from civharm.ingest.records import RowError, UnreadableFile
from civharm.ingest.victims import parse_age, read_victims

from .conftest import FIXTURES

FR = FIXTURES / "victims_fr_cp1252.csv"
EN = FIXTURES / "victims_en.xlsx"


def _records(path, **kwargs):
    items = list(read_victims(path, **kwargs))
    assert not [item for item in items if isinstance(item, RowError)]
    return items


def test_french_cp1252_list_gives_one_victim_per_row():
    records = _records(FR)
    assert len(records) == 11
    first = records[0]
    assert first.kind == "victim" and first.record_id == "1"
    assert first.victim.family_name and first.victim.given_name
    assert first.victim.full_name == f"{first.victim.given_name} {first.victim.family_name}"
    assert first.victim.sex in ("male", "female")
    assert first.victim.civilian_status == "civilian"
    assert first.date_start == dt.date(2019, 3, 23)
    assert first.harm == {"killed": Count.exact(1)}  # date-of-death list, no harm column


def test_identical_rows_are_two_people_with_distinct_stable_ids():
    first_read = [r.record_id for r in _records(FR)]
    second_read = [r.record_id for r in _records(FR)]
    assert first_read == second_read
    twins = first_read[8:10]
    assert twins[0].startswith("sha256:") and twins[1] == twins[0] + "#2"


def test_bad_date_keeps_the_person_and_never_echoes_a_name():
    last = _records(FR)[-1]
    assert last.date_start is None
    assert last.victim.age_band == "0-17" and last.victim.sex == "female"
    # The cell's shape, not its text: a misplaced name in a date column must not be echoed.
    assert any(w.startswith("date (a value of 10 characters") for w in last.warnings)
    for warning in last.warnings:
        assert last.victim.family_name not in warning
        assert last.victim.given_name not in warning


def test_english_xlsx_with_harm_column():
    records = _records(EN)
    assert [r.victim.harm_type for r in records] == [
        "killed", "injured", "abducted", "arbitrary_detention", "killed", "killed",
    ]  # fmt: skip
    assert records[1].harm == {"injured": Count.exact(1)}
    assert records[-1].victim.age_band == "18-59" and records[-1].victim.sex == "male"


def test_no_message_of_the_files_contains_a_name_or_contact():
    for record in _records(FR) + _records(EN):
        personal = [record.victim.full_name, record.victim.contact]
        for warning in record.warnings:
            assert not any(value and value in warning for value in personal)


def test_columns_override(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Identité;Genre;Années\nAwa Diallo;F;30\n", encoding="utf-8")
    (record,) = _records(path, columns={"full_name": "Identité", "sex": "Genre", "age": "Années"})
    assert (record.victim.full_name, record.victim.sex, record.victim.age) == (
        "Awa Diallo",
        "female",
        30,
    )
    assert record.harm == {}


def test_parse_age_shapes():
    warnings: list[str] = []
    assert parse_age("40", warnings) == (40, None)
    assert parse_age("env. 40", warnings) == (40, None)
    assert parse_age("40 ans", warnings) == (40, None)
    assert parse_age("18-59", warnings) == (None, "18-59")
    assert parse_age("adulte", warnings) == (None, "18+")
    assert parse_age("60+", warnings) == (None, "60+")
    assert warnings == []
    assert parse_age("vieux?", warnings) == (None, None) and warnings


def test_rejected_victim_rows_never_echo_names_or_contacts(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text(
        "Nom;Prénom;Téléphone\nZerbo;Awa;70 11 22 33\nKonaté;Issa;65 44 55 66;extra\n",
        encoding="utf-8",
    )
    items = list(read_victims(path))
    (error,) = [item for item in items if isinstance(item, RowError)]
    assert error.row == 3
    for secret in ("Konaté", "Issa", "65 44 55 66"):
        assert secret not in error.message


def test_unknown_field_in_columns_is_one_sentence(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Nom;Sexe\nZerbo;F\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="Unknown field « surname »"):
        list(read_victims(path, columns={"surname": "Nom"}))


def test_a_name_in_the_wrong_column_is_never_echoed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from civharm.ingest.pipeline import read_source

    path = tmp_path / "liste.csv"
    path.write_text(
        "Nom complet;Sexe;Âge;Date du décès;Statut;Type de préjudice\n"
        "Awa Sangaré;Oumar Diallo fils de Hamadoun;Fanta Keita;Ali Keita;"
        "Ali Keita (frère);Bakary\n",
        encoding="utf-8",
    )
    items = list(read_source("victims", path))
    text = repr([getattr(i, "warnings", None) for i in items]) + repr(
        [i for i in items if not hasattr(i, "warnings")]
    )
    for name in ("Oumar", "Diallo", "Fanta", "Keita", "Ali", "Bakary"):
        assert name not in text, f"{name} echoed in a warning or error"
    assert any("not understood" in w for i in items for w in getattr(i, "warnings", []))


def test_the_fathers_name_is_read_from_its_own_column_and_never_echoed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "liste.csv"
    path.write_text(
        "Nom;Prénom;Nom du père;Âge\nZerbo;Awa;Hamadoun Zerbo;30\nKonaté;Issa;;vieux?\n",
        encoding="utf-8",
    )
    first, second = _records(path)
    assert (first.victim.father_name, second.victim.father_name) == ("Hamadoun Zerbo", None)
    assert "Hamadoun" not in repr(second.warnings) and second.warnings  # the age's warning


def test_a_fathers_name_in_two_columns_is_joined(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "liste.csv"
    path.write_text(
        "Nom;Prénom;Nom du père;Prénom du père\nKonaté;Awa;KONATE;Sidiki\n", encoding="utf-8"
    )
    (record,) = _records(path)
    assert record.victim.father_name == "Sidiki KONATE"
