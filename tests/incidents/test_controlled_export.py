"""The controlled persons extract: k-anonymous, no pseudonym, name or id, audited, refused
with identities."""

from __future__ import annotations

import csv
import datetime
import random
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from civharm.accounts.models import AuditEntry
from civharm.core.protection import new_pseudonym
from civharm.incidents.models import Incident, Person
from civharm.incidents.protection import field_cipher
from tests.conftest import run_cli

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> object:
    """The assertions read the English texts (French is the default language)."""
    with translation.override("en"):
        yield


K = 5  # settings.CIVHARM["SMALL_CELL_THRESHOLD"] in the test settings
COLUMNS = ["sex", "age_band", "civilian_status", "harm_type", "region", "cercle", "period_of_harm"]
# (region, cercle) of generated incidents: two Ségou cercles, one of Mopti.
PLACES = [("ML04", "ML0401"), ("ML04", "ML0405"), ("ML05", "ML0502")]


def _incident(region: str, cercle: str, day: datetime.date) -> Incident:
    return Incident.objects.create(admin1_pcode=region, admin2_pcode=cercle, date_start=day)


def _person(incident: Incident | None, number: int, **fields: object) -> Person:
    return Person.objects.create(
        pseudonym=new_pseudonym(),
        name_encrypted=field_cipher().encrypt(f"Generated Person{number:03d}"),
        incident=incident,
        **fields,
    )


@pytest.fixture
def register() -> list[Person]:
    """60 generated people over 6 incidents, and two outliers (a 90-year-old combatant, a
    person with a unique harm) that a k-anonymous extract must hide."""
    chance = random.Random(6)
    incidents = [
        _incident(region, cercle, datetime.date(2022, month, 10 + month))
        for region, cercle in PLACES
        for month in (3, 4)
    ]
    persons = [
        _person(
            chance.choice(incidents),
            number,
            sex=chance.choice(["female", "male"]),
            age=chance.randint(18, 40),
            civilian_status="civilian",
            harm_type=chance.choice(["killed", "injured"]),
            date_of_harm=None,
        )
        for number in range(60)
    ]
    persons.append(
        _person(incidents[0], 60, sex="male", age=90, civilian_status="combatant", harm_type="x")
    )
    persons.append(_person(incidents[1], 61, sex="female", age=33, harm_type="abducted"))
    return persons


def _read_csv(path: Path) -> tuple[str, list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        note = handle.readline().strip()
        return note, list(csv.DictReader(handle))


def _classes(rows: list[dict[str, str]]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(str(row[name] or "") for name in COLUMNS) for row in rows)


def test_csv_extract_is_k_anonymous_and_carries_no_identifier(
    register: list[Person], tmp_path: Path
) -> None:
    out = tmp_path / "shared.csv"
    call_command("export", "persons", "--controlled", "-o", str(out))
    note, rows = _read_csv(out)
    assert "controlled extract" in note and f"k = {K}" in note
    assert list(rows[0]) == COLUMNS  # no pseudonym, name, incident or source_record_ids
    text = out.read_text(encoding="utf-8")
    for person in register:
        assert person.pseudonym not in text
    assert "Generated" not in text and "INC-" not in text
    assert min(_classes(rows).values()) >= K
    assert all(row["period_of_harm"] in {"2022-03", "2022-04", "2022", "*"} for row in rows)
    assert {row["age_band"] for row in rows} <= {"18-29", "30-44", "*"}
    entry = AuditEntry.objects.get(action="export", object_type="persons")
    details = entry.details
    assert details["controlled"] is True and details["k"] == K
    assert details["rows"] == len(rows) and details["rows"] + details["suppressed"] == 62
    # The 90-year-old combatant and the one abducted person are generalised or withheld.
    assert "combatant" not in text and "60+" not in text and "abducted" not in text
    assert f"{details['generalised']} rows were generalised" in note
    assert f"{details['suppressed']} were withheld" in note


def test_rows_do_not_follow_the_register_order(tmp_path: Path) -> None:
    """Row positions must not line up with a normal export's pseudonyms: rows are sorted."""
    incident = _incident("ML04", "ML0401", datetime.date(2022, 3, 1))
    for number, sex in enumerate(["male", "female"] * 5):
        _person(incident, number, sex=sex, age=25, civilian_status="civilian", harm_type="killed")
    out = tmp_path / "shared.csv"
    call_command("export", "persons", "--controlled", "-o", str(out))
    _note, rows = _read_csv(out)
    assert [row["sex"] for row in rows] == ["female"] * 5 + ["male"] * 5


def test_xlsx_extract_opens_with_its_note(register: list[Person], tmp_path: Path) -> None:
    out = tmp_path / "shared.xlsx"
    call_command("export", "persons", "--controlled", "-o", str(out))
    sheet = load_workbook(out, read_only=True).worksheets[0]
    note, header, *values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "controlled extract" in str(note[0])
    assert header == COLUMNS
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in values]
    assert rows and min(_classes(rows).values()) >= K


def test_menaka_cercle_is_generalised_to_the_menaka_region(tmp_path: Path) -> None:
    """Ménaka (cercle ML0704) became region ML10 in 2016: generalising its cercle must give
    ML10, where it joins people known only by that region, not Gao (ML07)."""
    day = datetime.date(2023, 1, 20)
    places = [("ML07", "ML0701")] * 5 + [("ML10", "ML0704")] * 3 + [("ML10", "")] * 2
    for number, (region, cercle) in enumerate(places):
        incident = _incident(region, cercle, day)
        _person(incident, number, sex="male", age=40, civilian_status="civilian", harm_type="x")
    out = tmp_path / "menaka.csv"
    call_command("export", "persons", "--controlled", "-o", str(out))
    _note, rows = _read_csv(out)
    assert Counter((row["region"], row["cercle"]) for row in rows) == {
        ("ML07", "*"): 5,
        ("ML10", "*"): 5,
    }


def test_controlled_with_identities_is_refused_and_writes_nothing(
    register: list[Person], tmp_path: Path
) -> None:
    out = tmp_path / "both.csv"
    with pytest.raises(CommandError, match="--with-identities"):
        call_command("export", "persons", "--controlled", "--with-identities", "-o", str(out))
    with pytest.raises(CommandError, match="persons"):
        call_command("export", "incidents", "--controlled", "-o", str(out))
    with pytest.raises(CommandError, match="csv or xlsx"):
        call_command("export", "persons", "--controlled", "-o", str(tmp_path / "p.geojson"))
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.exists()


def test_cli_refuses_controlled_with_identities(cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "both.csv"
    result = run_cli(
        cli_env,
        "export",
        "persons",
        "--controlled",
        "--with-identities",
        "-o",
        str(out),
        check=False,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--with-identities" in result.stderr and not out.exists()
