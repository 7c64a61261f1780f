"""Exports: provenance on every row, pseudonyms only, audited identity exports, safe cells."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from civharm.accounts.models import AuditEntry, User
from civharm.incidents.models import Incident, Report, VictimRecord
from civharm.incidents.services.exporting import ExportDenied, export, neutralise
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.merging import apply_clusters
from tests.conftest import run_cli
from tests.incidents.factories import VICTIM_ROWS, write_acled, write_victims

pytestmark = pytest.mark.django_db
NAMES = [part for row in VICTIM_ROWS for part in (row[1], row[2])]


@pytest.fixture
def register(tmp_path: Path) -> None:
    import_file(write_acled(tmp_path / "acled.csv"), "acled")
    import_file(write_victims(tmp_path / "ong.csv"), "victims", source_name="ONG test")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("kind", ["incidents", "reports", "persons"])
def test_every_row_carries_its_source_record_ids(register: None, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.csv"
    count = export(kind, "csv", out, actor="test")
    rows = _csv_rows(out)
    assert count == len(rows) > 0
    assert all(row["source_record_ids"] for row in rows)


def test_persons_export_has_pseudonyms_and_no_names(register: None, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "geojson", "hxl"):
        out = tmp_path / f"persons.{fmt}"
        export("persons", fmt, out, actor="test")
        text = out.read_bytes().decode("utf-8", "replace") if fmt != "xlsx" else _xlsx_text(out)
        assert "P-" in text
        for name in NAMES:
            assert name not in text, f"a real name leaked into the {fmt} export"


def _xlsx_text(path: Path) -> str:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return json.dumps([list(row) for row in sheet.iter_rows(values_only=True)], default=str)


def test_identity_export_needs_an_authorised_user_and_a_reason(
    register: None, tmp_path: Path
) -> None:
    out = tmp_path / "ids.csv"
    trainer = User.objects.create_user("trainer1", password="x" * 16, role="trainer")
    analyst = User.objects.create_user("analyst1", password="x" * 16, role="analyst")
    with pytest.raises(ExportDenied):
        export(
            "persons", "csv", out, actor="test", with_identities=True, reason="assistance payments"
        )
    with pytest.raises(ExportDenied):
        export(
            "persons", "csv", out, actor="t", user=trainer, with_identities=True, reason="x" * 20
        )
    with pytest.raises(ExportDenied):
        export("persons", "csv", out, actor="t", user=analyst, with_identities=True, reason="")
    export(
        "persons", "csv", out, actor="t", user=analyst, with_identities=True, reason="verify claims"
    )
    assert {row["name"] for row in _csv_rows(out)} == {f"{r[2]} {r[1]}" for r in VICTIM_ROWS}
    assert {row["father_name"] for row in _csv_rows(out)} == {""}  # the list gives none
    entry = AuditEntry.objects.get(action="export_identities")
    assert entry.actor == "analyst1" and entry.reason == "verify claims"
    assert entry.fields == ["contact", "father_name", "name"]
    assert not any(name in json.dumps(entry.details) for name in NAMES)


def test_identity_export_gives_the_fathers_names_a_persons_lists_wrote(tmp_path: Path) -> None:
    """The assistance programme tells namesakes apart by their father: the identity export
    gives the father's name as each of a person's lists wrote it (a mother named there is kept)
    and the pseudonymous export never gives it."""
    header = ["NOM", "Prénom", "Nom du père", "Sexe", "Date du décès", "Cercle", "Région"]
    rows = [
        ("KONATÉ", "Fatoumata", "Bakary", "F", "14/03/2022", "Niono", "Ségou"),
        ("SANGARÉ", "Boubacar", "fils de Modibo et de Awa", "M", "14/03/2022", "Niono", "Ségou"),
        ("DIALLO", "Hamadoun", "inconnu", "M", "20/01/2023", "Ménaka", "Gao"),
    ]
    with open(tmp_path / "liste.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *rows])
    import_file(tmp_path / "liste.csv", "victims", source_name="Association test")
    analyst = User.objects.create_user("analyst2", password="x" * 16, role="analyst")

    export("persons", "csv", tmp_path / "ids.csv", actor="t", user=analyst,
           with_identities=True, reason="verify claims")  # fmt: skip

    # each after the record it comes from, as source_record_ids names it
    fathers = {
        row["name"]: row["father_name"].removeprefix(row["source_record_ids"] + ": ")
        for row in _csv_rows(tmp_path / "ids.csv")
    }
    assert fathers == {
        "Fatoumata KONATÉ": "Bakary",
        "Boubacar SANGARÉ": "fils de Modibo et de Awa",
        "Hamadoun DIALLO": "inconnu",
    }
    for fmt in ("csv", "xlsx", "geojson", "hxl"):
        export("persons", fmt, tmp_path / f"plain.{fmt}", actor="t")
        out = tmp_path / f"plain.{fmt}"
        text = _xlsx_text(out) if fmt == "xlsx" else out.read_text(encoding="utf-8")
        assert "P-" in text and "Bakary" not in text and "Modibo" not in text, fmt
        assert "father" not in text, fmt


def test_incidents_and_persons_merged_by_linkage_are_not_exported_as_rows(
    register: None, tmp_path: Path
) -> None:
    """A merged incident (person) counts in the one it joined: a row of its own would count it
    twice, and with identities would give a victim's name on a row without records."""
    events = list(Report.objects.filter(kind="event").order_by("id").values_list("id", flat=True))
    victims = list(VictimRecord.objects.order_by("report_id").values_list("report_id", flat=True))
    apply_clusters("incident", pd.DataFrame({"record_id": events[:2], "cluster_id": 1}))
    apply_clusters("person", pd.DataFrame({"record_id": victims[:2], "cluster_id": 1}))
    analyst = User.objects.create_user("analyst3", password="x" * 16, role="analyst")

    export("incidents", "csv", tmp_path / "i.csv", actor="t")
    export("persons", "csv", tmp_path / "p.csv", actor="t", user=analyst,
           with_identities=True, reason="verify claims")  # fmt: skip

    incidents, persons = _csv_rows(tmp_path / "i.csv"), _csv_rows(tmp_path / "p.csv")
    assert len(incidents) == len(events) - 1 == Incident.objects.filter(merged_into=None).count()
    assert len(persons) == len(victims) - 1 and all(row["sources"] for row in persons)
    assert len({row["name"] for row in persons}) == len(persons)


def test_geojson_points_and_hxl_tags(register: None, tmp_path: Path) -> None:
    export("incidents", "geojson", tmp_path / "i.geojson", actor="t")
    collection = json.loads((tmp_path / "i.geojson").read_text(encoding="utf-8"))
    points = [f for f in collection["features"] if f["geometry"]]
    assert len(points) == Incident.objects.exclude(latitude=None).count() > 0
    lon, lat = points[0]["geometry"]["coordinates"]
    assert -13 < lon < 5 and 10 < lat < 25
    export("incidents", "hxl", tmp_path / "i.csv", actor="t")
    with open(tmp_path / "i.csv", encoding="utf-8") as handle:
        tags = next(iter(list(csv.reader(handle))[1:2]))
    assert "#adm2+code" in tags and "#affected+killed" in tags


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_cells_a_spreadsheet_would_execute_are_neutralised(cell: str) -> None:
    assert str(neutralise(cell)).startswith("'")
    assert neutralise(-5) == -5 and neutralise("Mopti") == "Mopti"


def test_formula_in_a_source_is_neutralised_in_every_format(tmp_path: Path) -> None:
    from tests.incidents.factories import ACLED_EVENTS

    event = list(ACLED_EVENTS[0])
    event[6] = "=cmd|' /C calc'!A0"
    import_file(write_acled(tmp_path / "evil.csv", [tuple(event)]), "acled")
    export("incidents", "csv", tmp_path / "e.csv", actor="t")
    assert _csv_rows(tmp_path / "e.csv")[0]["place_name"].startswith("'=")
    export("incidents", "xlsx", tmp_path / "e.xlsx", actor="t")
    sheet = load_workbook(tmp_path / "e.xlsx").worksheets[0]
    place = sheet.cell(row=2, column=5)
    assert place.value == "=cmd|' /C calc'!A0" and place.data_type == "s"  # text, not formula


def test_cli_export_writes_and_audits(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    result = run_cli(cli_env, "export", "incidents", "-o", str(tmp_path / "out.xlsx"))
    assert "3 incidents written" in result.stdout
    sheet = load_workbook(tmp_path / "out.xlsx", read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 4
    denied = run_cli(
        cli_env,
        "export",
        "persons",
        "--with-identities",
        "-o",
        str(tmp_path / "p.csv"),
        check=False,
    )
    assert denied.returncode != 0 and "Traceback" not in denied.stderr


def test_a_failed_identity_export_leaves_no_file_and_no_entry(
    register: None, tmp_path: Path
) -> None:
    from civharm.core.protection import ProtectedFieldError
    from civharm.incidents.models import Person

    analyst = User.objects.create_user("analyst1", password="x" * 16, role="analyst")
    Person.objects.filter(pk=Person.objects.order_by("id").last().pk).update(  # type: ignore[union-attr]
        name_encrypted="gAAAA-not-a-token-made-with-this-key"
    )
    out = tmp_path / "ids.csv"
    with pytest.raises(ProtectedFieldError):
        export(
            "persons",
            "csv",
            out,
            actor="t",
            user=analyst,
            with_identities=True,
            reason="verify claims",
        )
    assert list(tmp_path.glob("*ids*")) == [] and list(tmp_path.glob(".civharm-export-*")) == []
    assert not AuditEntry.objects.filter(action="export_identities").exists()


def test_identity_export_file_is_private(register: None, tmp_path: Path) -> None:
    analyst = User.objects.create_user("analyst1", password="x" * 16, role="analyst")
    out = tmp_path / "ids.csv"
    export(
        "persons", "csv", out, actor="t", user=analyst, with_identities=True, reason="verify claims"
    )
    assert out.stat().st_mode & 0o077 == 0
