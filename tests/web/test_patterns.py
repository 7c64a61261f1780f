"""The training patterns page (exact, for staff) and its export (disclosure-controlled for
everyone, and saying so), on the small register of test_dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from civharm.accounts.models import AuditEntry
from tests.web.test_dashboard import _fresh_snapshot, register  # noqa: F401 - fixtures

ClientFor = Callable[[str], Client]
pytestmark = pytest.mark.usefixtures("_fresh_snapshot", "register")


def test_the_national_forces_come_first_with_contexts_and_harms(client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:patterns"))
    assert response.status_code == 200
    tables = response.context["tables"]
    assert response.context["actor"] == "Malian defence and security forces"
    assert tables.context_harm[("ground_operation", "killed")] == (8, 24)
    assert tables.context_harm[("checkpoint", "killed")] == (2, 2)  # staff see small figures
    assert ("attack_on_village", "killed") not in tables.context_harm  # another actor's
    assert tables.year_context[("2022", "ground_operation")] == 8
    assert [cercle for cercle, _n in tables.cercles] == ["ML0501", "ML0502", "ML0701"]
    page = response.content.decode()
    assert "Ground operation" in page and "Bandiagara" in page


def test_another_actor_can_be_chosen(client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:patterns"), {"actor": "jnim"})
    tables = response.context["tables"]
    assert tables.context_harm[("attack_on_village", "injured")] == (6, 6)
    assert ("ground_operation", "killed") not in tables.context_harm


def test_the_xlsx_export_is_controlled_and_says_so(client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:patterns_export", args=["xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    readme = book[book.sheetnames[0]]
    assert "Disclosure-controlled" in readme["B1"].value
    assert readme["B2"].value == "Malian defence and security forces"
    matrix = book["Contexts and harms"]
    assert "Disclosure-controlled" in matrix["A1"].value
    rows = {row[0]: row for row in matrix.iter_rows(min_row=3, values_only=True)}
    header = next(matrix.iter_rows(min_row=2, max_row=2, values_only=True))
    killed = header.index("Killed: incidents")
    assert rows["Checkpoint"][killed] == "—"  # 2 incidents: withheld even for an analyst
    # Other contexts are withheld too as needed, or the total would give Checkpoint away.
    assert rows["Ground operation"][killed] in {8, "—"} and rows["Patrol"][killed] in {6, "—"}
    assert AuditEntry.objects.filter(action="export", object_type="patterns").count() == 1
    may = client_for("trainer").get(
        reverse("web:patterns_export", args=["xlsx"]), {"date_from": "2022-05"}
    )
    patrol = load_workbook(io.BytesIO(may.content))["Contexts and harms"]
    assert next(patrol.iter_rows(min_row=3, values_only=True))[:2] == ("Patrol", 6)


def test_the_csv_export_starts_with_its_note(client_for: ClientFor) -> None:
    response = client_for("trainer").get(
        reverse("web:patterns_export", args=["csv"]), {"date_from": "2022-01"}
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == "Note" and "Disclosure-controlled" in lines[0][1]
    data = lines[
        lines.index(["table", "category", "harm type", "incidents", "people (best estimate)"]) + 1 :
    ]
    shown = {(row[1], row[2]): row[3] for row in data if row[0] == "contexts and harms"}
    assert shown[("Checkpoint", "Killed")] == "—"
    assert shown[("Ground operation", "Killed")] in {"8", "—"}
    assert all(not value.isdigit() or not 0 < int(value) < 5 for row in data for value in row[3:])


def test_partners_have_no_patterns_page(client_for: ClientFor) -> None:
    partner = client_for("partner")
    assert partner.get(reverse("web:patterns")).status_code == 403
    assert partner.get(reverse("web:patterns_export", args=["csv"])).status_code == 403
