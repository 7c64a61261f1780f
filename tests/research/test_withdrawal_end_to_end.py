"""Withdrawal of consent, end to end: an interviewee who is also a victim in the register, coded
by two coders and quoted in a brief; after the withdrawal nothing the interview brought in is in
an export, a brief, a findings output, a page or the database; a tombstone and an audit entry
remain. The register's own record of the person (from an NGO list) stays: see docs/research.md.

Generated people only (names from the demo's name lists, with a test suffix)."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.advocacy.brief_render import render_html
from civharm.advocacy.briefs import archive_path, brief_context, brief_request, make_brief
from civharm.advocacy.models import Brief
from civharm.incidents.models import HarmCount, Incident, Person
from civharm.incidents.protection import field_cipher
from civharm.incidents.services.importing import import_file
from civharm.research.models import ConsentWithdrawal, Interview, Interviewee, Quote, Theme
from civharm.research.outputs import double_coded_agreement
from civharm.research.services import (
    InterviewInput,
    add_coded_excerpt,
    approve_quote,
    propose_quote,
    published_quotes,
    record_interview,
    theme_frequencies,
    withdraw_consent,
)
from tests.web.conftest import PASSWORD, logged_in, make_user

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Yakoromo", "Tapily-Essai"  # a generated name, never a real person
NAME = f"{GIVEN} {FAMILY}"
CONTACT = "+223 76 41 97 03"
COMMUNITY = "Quartier Essai-Sud"
QUOTE = "Nous voulons que les écoles rouvrent et que les enfants reviennent."
NARRATIVE = (
    f"J'ai été blessée quand ils ont attaqué le marché ; mon voisin {GIVEN} m'a portée. "
    f"Nous avons peur des représailles. {QUOTE}"
)
# What only the interview brought in: none of it may be found anywhere afterwards.
FROM_THE_INTERVIEW = (CONTACT, COMMUNITY, "blessée quand ils ont attaqué", QUOTE)
LIST_HEADER = ["NOM", "Prénom", "Sexe", "Âge", "Date de l'incident", "Préjudice", "Lieu", "Cercle",
               "Région"]  # fmt: skip
LIST_ROWS = [
    [FAMILY.upper(), GIVEN, "F", "34", "12/02/2024", "blessée", "Sévaré", "Mopti", "Mopti"],
    ["DOLO-ESSAI", "Antandou", "M", "41", "12/02/2024", "tué", "Sévaré", "Mopti", "Mopti"],
]


def _register(tmp_path: Path) -> tuple[Incident, Person, Person]:
    """An NGO victim list naming the interviewee (injured) and a neighbour (killed), and the
    incident of that day in Mopti."""
    path = tmp_path / "liste.csv"
    with open(path, "w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([LIST_HEADER, *LIST_ROWS])
    import_file(path, "victims", source_name="ONG test", source_type="ngo")
    cipher = field_cipher()
    by_given = {cipher.decrypt(p.name_encrypted).split()[0]: p for p in Person.objects.all()}
    incident = Incident.objects.create(
        date_start=date(2024, 2, 12), admin1_pcode="ML05", admin1_name="Mopti",
        admin2_pcode="ML0506", admin2_name="Mopti", interaction_context="market_attack",
    )  # fmt: skip
    HarmCount.objects.create(incident=incident, harm_type="injured", low=1, best=1, high=1)
    return incident, by_given[GIVEN], by_given["Antandou"]


def _interview(incident: Incident, herself: Person, neighbour: Person) -> Interview:
    interview = record_interview(
        InterviewInput(
            interviewed_on=date(2024, 5, 2), interviewer="field-e2e", language="ff",
            place_name="Sévaré", admin1_pcode="ML05", admin2_pcode="ML0506", name=NAME,
            contact=CONTACT, community=COMMUNITY, sex="female", age_band="30-44",
            displacement_status="displaced", narrative=NARRATIVE, harms=["injured"],
            incidents=[incident], persons=[neighbour], register_person=herself,
            for_publication=True, for_sharing=True,
        ),
        actor="field-e2e",
    )  # fmt: skip
    fear, need = Theme.objects.get(key="fear_of_reprisals"), Theme.objects.get(key="need_education")
    start = NARRATIVE.index("Nous avons peur")
    quote_start = NARRATIVE.index(QUOTE)
    for coder in ("coder-a", "coder-b"):
        add_coded_excerpt(interview, fear, start, quote_start - 1, coder=coder)
    excerpt = add_coded_excerpt(
        interview, need, quote_start, quote_start + len(QUOTE), coder="coder-a"
    )
    quote = propose_quote(interview, QUOTE, proposer="coder-a", excerpt=excerpt)
    approve_quote(quote, approver="advocacy-e2e")
    return interview


def _brief_html() -> str:
    request = brief_request("Mopti", "2024-01", "2024-12", "fr", ("--from", "--to"))
    with translation.override("fr"):
        return render_html(brief_context(request))


def _archived_brief(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Brief:
    """A brief made as on the page (HTML only: PDF drawing is not what is tested here)."""
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "weasyprint", None)  # as when Pango cannot be loaded
        request = brief_request("Mopti", "2024-01", "2024-12", "fr", ("--from", "--to"))
        return make_brief(request, actor="advocacy-e2e").brief


def _export(tmp_path: Path, name: str, *identities: str) -> list[dict[str, str]]:
    out = tmp_path / name
    call_command("export", "persons", "-o", str(out), *identities, stdout=io.StringIO())
    with open(out, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pages(client: Client, interview: Interview, incident: Incident) -> str:
    """The research pages and the register's page of the incident she was harmed in."""
    urls = [
        reverse("web:incident", args=[incident.pk]),
        reverse("web:interviews"),
        reverse("web:interview", args=[interview.pk]),
        reverse("web:quotes"),
        reverse("web:agreement"),
        reverse("web:findings") + "?region=ML05",
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    return "\n".join(texts)


def test_withdrawal_removes_the_person_from_exports_briefs_findings_pages_and_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings, django_capture_on_commit_callbacks
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    incident, herself, neighbour = _register(tmp_path)
    interview = _interview(incident, herself, neighbour)
    pseudonym = interview.interviewee.pseudonym
    analyst = logged_in(make_user("analyst", "analyst-e2e"))
    monkeypatch.setenv("CIVHARM_PASSWORD", PASSWORD)
    identities = ("--with-identities", "--user", "analyst-e2e", "--reason", "verify claims")

    # Before: the quote is in the brief, the findings outputs and pages, under a published
    # name of its own (never the internal pseudonym, never hers).
    published_name = Quote.objects.get(interview=interview).published_name
    assert published_name and published_name not in (pseudonym, GIVEN)
    brief = _brief_html()
    assert QUOTE in brief and published_name in brief and pseudonym not in brief
    assert GIVEN not in brief
    archived = _archived_brief(tmp_path, monkeypatch)
    assert archived.quote_ids == [Quote.objects.get(interview=interview).pk]
    assert QUOTE in archive_path(archived, "html").read_text(encoding="utf-8")
    assert [q["text"] for q in published_quotes("ML05")] == [QUOTE]
    assert theme_frequencies("ML05") and double_coded_agreement()
    assert QUOTE in _pages(analyst, interview, incident)

    with django_capture_on_commit_callbacks(execute=True):
        tombstone = withdraw_consent(
            interview, actor="field-e2e", reason="asked at a follow-up visit"
        )

    # The archived brief that quoted her is gone; its row says so, and the page answers it.
    archived.refresh_from_db()
    assert archived.withdrawn_at is not None and archived.html_sha256
    assert not archive_path(archived, "html").exists()
    assert tombstone.brief_ids == [archived.pk] and tombstone.removed["briefs"] == 1
    download = analyst.get(reverse("web:brief_download", args=[archived.pk, "html"]))
    assert download.status_code == 410

    brief = _brief_html()
    for text in (*FROM_THE_INTERVIEW, pseudonym, published_name, GIVEN, FAMILY):
        assert text not in brief
    assert published_quotes() == [] and theme_frequencies() == [] and double_coded_agreement() == []
    pages = _pages(analyst, interview, incident)
    for text in (*FROM_THE_INTERVIEW, GIVEN, FAMILY):
        assert text not in pages

    # Exports: by pseudonym, the name is nowhere; with identities, only the NGO list's own
    # record of her (the register's, from another source) names her, and nothing of the
    # interview is there.
    plain = json.dumps(_export(tmp_path, "persons.csv"), ensure_ascii=False).casefold()
    assert GIVEN.casefold() not in plain and FAMILY.casefold() not in plain
    rows = _export(tmp_path, "ids.csv", *identities)
    dump = json.dumps(rows, ensure_ascii=False)
    for text in (*FROM_THE_INTERVIEW, pseudonym):
        assert text not in dump
    naming = [row for row in rows if FAMILY.casefold() in row["name"].casefold()]
    assert {row["source_record_ids"].split(":")[0] for row in naming} == {"ONG test"}
    assert [row["pseudonym"] for row in naming] == [herself.pseudonym]

    # The database: nothing of the interview's personal data is left, in any column.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name_encrypted, contact_encrypted, community_encrypted, person_id, sex "
            "FROM research_interviewee WHERE id = %s",
            [interview.interviewee_id],
        )
        assert cursor.fetchone() == ("", "", "", None, "unknown")
        cursor.execute(
            "SELECT narrative_encrypted, place_name, admin2_pcode FROM research_interview "
            "WHERE id = %s",
            [interview.pk],
        )
        assert cursor.fetchone() == ("", "", "")
        for table in ("research_codedexcerpt", "research_quote"):
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE interview_id = %s", [interview.pk])  # noqa: S608
            assert cursor.fetchone() == (0,), table
        for table in ("research_interview_incidents", "research_interview_persons"):
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE interview_id = %s", [interview.pk])  # noqa: S608
            assert cursor.fetchone() == (0,), table
    assert Person.objects.filter(pk=herself.pk).exists()  # the register's own record stays

    # What remains: the tombstone and its audit entry, neither holding anything personal.
    assert ConsentWithdrawal.objects.get() == tombstone
    assert (
        tombstone.interview_code == interview.code and tombstone.interviewee_pseudonym == pseudonym
    )
    assert tombstone.removed["quotes"] == 1 and tombstone.removed["excerpts"] == 3
    assert tombstone.removed["register_person_link"] == 1
    entry = AuditEntry.objects.get(
        action="delete", object_type="Interview", object_id=str(interview.pk)
    )
    assert entry.details["consent_withdrawn"] is True
    trail = json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)
    for text in (*FROM_THE_INTERVIEW, GIVEN, FAMILY):
        assert text not in trail
    assert Interviewee.objects.get(pk=interview.interviewee_id).withdrawn_at is not None
