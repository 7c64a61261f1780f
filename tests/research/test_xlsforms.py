"""The field XLSForms: built from the country pack, valid for pyxform, consent first, and
named as the KoBo/ODK import reads them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from django.core.management import call_command
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from civharm.core.taxonomy import load_taxonomy
from civharm.ingest.kobo import INCIDENT_FIELDS, INTERVIEW_FIELDS
from civharm.research.xlsforms import BM, FR, INCIDENT_FILE, INTERVIEW_FILE

XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forms")
    out = StringIO()
    call_command("forms", "build", "-o", str(folder), stdout=out)
    assert INTERVIEW_FILE in out.getvalue() and INCIDENT_FILE in out.getvalue()
    return folder


def _xform(path: Path) -> Element:
    """pyxform's own checks (ODK Validate needs a Java jar fetched from the network: not here)."""
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings, validate=False)
    assert not [w for w in warnings if "error" in w.lower()]
    return fromstring(result.xform)


def _survey(path: Path) -> list[dict[str, str]]:
    sheet = load_workbook(path, read_only=True)["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], (c or "" for c in row), strict=True)) for row in rows[1:]]


def test_both_forms_convert_with_pyxform_in_french_and_bambara(forms: Path) -> None:
    for name in (INTERVIEW_FILE, INCIDENT_FILE):
        root = _xform(forms / name)
        languages = {t.get("lang") for t in root.iter(f"{XF}translation")}
        assert languages == {"Français (fr)", "Bambara (bm)"}
        assert root.find(f".//{XF}instance[@id='admin2']") is not None  # cascading cercles
    book = load_workbook(forms / INTERVIEW_FILE, read_only=True)
    assert set(book.sheetnames) == {"survey", "choices", "settings"}
    choices = list(book["choices"].iter_rows(values_only=True))
    header = choices[0]
    yes = next(row for row in choices if row[0] == "yes_no" and row[1] == "yes")
    assert (yes[header.index(FR)], yes[header.index(BM)]) == ("Oui", "Ɔwɔ")


def test_consent_comes_first_and_gates_every_other_question(forms: Path) -> None:
    survey = _survey(forms / INTERVIEW_FILE)
    names = [row["name"] for row in survey]
    assert names.index("consent_research") < min(
        names.index(q) for q in ("interviewee_name", "narrative", "photo", "audio")
    )
    groups = [row for row in survey if row["type"] == "begin_group" and row["name"] != "consent"]
    assert groups and all(row["relevant"] == "${consent_research} = 'yes'" for row in groups)
    cercle = next(row for row in survey if row["name"] == "admin2")
    assert cercle["choice_filter"] == "admin1=${admin1}"
    kinds = {row["name"]: row["type"] for row in survey}
    assert kinds["photo"] == "image" and kinds["audio"] == "audio"
    assert kinds["harms"] == "select_multiple harm_types"


def test_forms_ask_every_question_the_import_reads(forms: Path) -> None:
    interview = {row["name"] for row in _survey(forms / INTERVIEW_FILE)}
    incident = {row["name"] for row in _survey(forms / INCIDENT_FILE)}
    assert set(INTERVIEW_FIELDS) <= interview
    assert set(INCIDENT_FIELDS) <= incident
    choices = list(load_workbook(forms / INCIDENT_FILE, read_only=True)["choices"].values)
    actors = {row[1] for row in choices if row[0] == "actors"}
    assert actors == set(load_taxonomy().keys("actors"))


def test_a_recording_is_asked_only_after_consent_to_it_and_follow_ups_skip_identity(
    forms: Path,
) -> None:
    for name in (INTERVIEW_FILE, INCIDENT_FILE):
        survey = _survey(forms / name)
        names = [row["name"] for row in survey]
        audio = survey[names.index("audio")]
        assert names.index("consent_audio") < names.index("audio")
        assert audio["relevant"] == "${consent_audio} = 'yes'"
    survey = {row["name"]: row for row in _survey(forms / INTERVIEW_FILE)}
    pseudonym = survey["interviewee_pseudonym"]
    assert pseudonym["type"] == "text" and not pseudonym["required"]
    assert "regex" in pseudonym["constraint"]
    for question in ("interviewee_name", "interviewee_contact", "community", "sex"):
        assert survey[question]["relevant"] == "${interviewee_pseudonym} = ''"
