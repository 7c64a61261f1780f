"""The linkage review pages: the queue of uncertain pairs, one pair side by side, verdicts, the
"Linked reports" section of an incident and its split-off — on real imported reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import ROLES, can
from civharm.incidents.models import (
    Incident,
    LinkCandidate,
    LinkDecision,
    LinkRun,
    Person,
    Report,
    VictimRecord,
)
from civharm.incidents.protection import field_cipher
from civharm.incidents.services.importing import import_file
from civharm.web.linkage import comparison
from tests.incidents.factories import ACLED_EVENTS, a_finished_process, write_acled, write_victims
from tests.web.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db

REVIEWERS = sorted(role for role in ROLES if can(role, "review"))
OTHERS = sorted(role for role in ROLES if not can(role, "review"))


def _pair(kind: str, a: Report, b: Report, probability: float, **extra: object) -> LinkCandidate:
    left, right = sorted((a, b), key=lambda report: report.pk)
    run, _created = LinkRun.objects.get_or_create(
        kind=kind, defaults={"engine": "duckdb", "started_by": "test", "status": "complete"}
    )
    return LinkCandidate.objects.create(
        kind=kind, left=left, right=right, probability=probability, run=run, **extra
    )


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, list[Report]]:
    """Three ACLED events and three victim records, imported through the real importers."""
    import_file(write_acled(tmp_path / "acled.csv"), "acled", in_background=False)
    import_file(
        write_victims(tmp_path / "ong.csv"), "victims", source_name="ONG test", in_background=False
    )
    events = list(Report.objects.filter(kind="event").order_by("record_id"))
    victims = list(Report.objects.filter(kind="victim").order_by("row_number"))
    assert len(events) == 3 and len(victims) == 3
    return {"events": events, "victims": victims}


@pytest.fixture
def pairs(reports: dict[str, list[Report]]) -> dict[str, LinkCandidate]:
    e1, e2, e3 = reports["events"]
    v1, v2, _v3 = reports["victims"]
    return {
        "near_half": _pair("incident", e1, e2, 0.55),
        "low": _pair("incident", e2, e3, 0.2),
        "chained": _pair("incident", e1, e3, 0.9, reason="chained"),
        "person": _pair("person", v1, v2, 0.48),
    }


def _listed(response: object) -> list[int]:
    """Candidate ids in the order the queue lists them."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return [int(pk) for pk in re.findall(r'href="/linkage/(\d+)/', html)]


def test_queue_lists_the_most_uncertain_pairs_first(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    response = client_for("analyst").get(reverse("web:linkage_queue"), {"kind": "incident"})
    assert response.status_code == 200
    order = [pairs["near_half"].pk, pairs["low"].pk, pairs["chained"].pk]
    assert _listed(response) == order
    assert "55%" in response.content.decode()


def test_queue_can_put_chained_pairs_first_and_counts_each_kind(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    response = client_for("analyst").get(reverse("web:linkage_queue"), {"sort": "chained"})
    assert _listed(response) == [
        pairs["chained"].pk,
        pairs["person"].pk,
        pairs["near_half"].pk,
        pairs["low"].pk,
    ]
    counts = {tab["kind"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"": 4, "incident": 3, "person": 1}


def test_decided_pairs_leave_the_queue(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    LinkCandidate.objects.filter(pk=pairs["low"].pk).update(status="decided")
    LinkCandidate.objects.filter(pk=pairs["chained"].pk).update(status="superseded")
    response = client_for("administrator").get(reverse("web:linkage_queue"))
    assert _listed(response) == [pairs["person"].pk, pairs["near_half"].pk]


def test_queue_is_paginated(client_for: Callable[[str], Client], tmp_path: Path) -> None:
    events = [(f"MLI8{n:04d}", *ACLED_EVENTS[0][1:]) for n in range(11)]
    import_file(write_acled(tmp_path / "many.csv", events), "acled", in_background=False)
    found = list(Report.objects.order_by("pk"))
    for i, left in enumerate(found):
        for right in found[i + 1 :]:
            _pair("incident", left, right, 0.5)
    client = client_for("analyst")
    first = client.get(reverse("web:linkage_queue"))
    second = client.get(reverse("web:linkage_queue"), {"page": 2})
    assert first.context["page"].paginator.count == 55
    assert len(_listed(first)) == 50 and len(_listed(second)) == 5
    assert not set(_listed(first)) & set(_listed(second))
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_only_reviewing_roles_reach_the_queue_and_pairs(
    role: str, pairs: dict[str, LinkCandidate]
) -> None:
    client = logged_in(make_user(role))
    pair = pairs["near_half"]
    pages = [reverse("web:linkage_queue"), reverse("web:linkage_pair", args=[pair.pk])]
    expected = 200 if role in REVIEWERS else 403
    for url in pages:
        assert client.get(url).status_code == expected, (role, url)
    if role in OTHERS:
        posted = client.post(reverse("web:linkage_decide", args=[pair.pk]), {"decision": "match"})
        assert posted.status_code == 403
        assert not LinkDecision.objects.exists()
        split = client.post(reverse("web:linkage_split", args=["incident", pair.left_id]))
        assert split.status_code == 403


def test_navigation_offers_the_queue_only_to_reviewers(client_for: Callable[[str], Client]) -> None:
    url = reverse("web:linkage_queue")
    assert f'href="{url}"' in client_for("analyst").get(reverse("web:home")).content.decode()
    page = client_for("field_researcher").get(reverse("web:home")).content.decode()
    assert f'href="{url}"' not in page


def test_incident_pair_shows_both_reports_with_differences_marked(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["near_half"]
    response = client_for("analyst").get(reverse("web:linkage_pair", args=[pair.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for report in (pair.left, pair.right):
        assert report.record_id in html
        assert report.admin2_name in html
    assert "55%" in html
    differing = {row.label for row in response.context["rows"] if row.differs}
    assert {"date", "cercle", "region", "coordinates"} <= differing
    assert "source" not in differing  # both from the same ACLED source
    assert html.count('class="differs"') == len(differing)
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Never write a name in a note." in html
    for incident in Incident.objects.filter(reports__in=[pair.left, pair.right]):
        assert reverse("web:incident", args=[incident.pk]) in html


def test_person_pair_shows_names_to_identity_roles_and_audits_each_read(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["person"]
    response = client_for("analyst").get(reverse("web:linkage_pair", args=[pair.pk]))
    html = response.content.decode()
    assert "KONAT" in html and "SANGAR" in html  # generated people of the factory list
    for report in (pair.left, pair.right):
        assert report.victim_record.person.pseudonym in html
    reads = AuditEntry.objects.filter(action="read", object_type="VictimRecord")
    records = VictimRecord.objects.filter(report__in=[pair.left, pair.right])
    assert sorted(reads.values_list("object_id", flat=True)) == sorted(
        str(record.pk) for record in records
    )
    assert all(
        entry.actor == "analyst-user" and entry.fields == ["father_name", "name"] for entry in reads
    )
    assert all(entry.details["link_candidate"] == pair.pk for entry in reads)
    assert "this reading is recorded in the audit trail" in html
    assert response["Cache-Control"] == "no-store"  # a shared computer's cache keeps no name
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [href for href in hrefs if "KONAT" in href.upper() or "SANGAR" in href.upper()]


def test_roles_without_identities_get_name_hidden_and_no_read_is_audited(
    pairs: dict[str, LinkCandidate],
) -> None:
    pair = pairs["person"]
    researcher = make_user("field_researcher")
    assert comparison.read_names(researcher, pair) is None
    rows = comparison.person_rows(pair.left, pair.right, None)
    name_row = next(row for row in rows if row.label == "name")
    assert (name_row.left, name_row.right, name_row.differs) == ("name hidden",) * 2 + (False,)
    assert not AuditEntry.objects.filter(action="read").exists()


def test_incident_pairs_read_no_name(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    response = client_for("administrator").get(reverse("web:linkage_pair", args=[pairs["low"].pk]))
    assert not AuditEntry.objects.filter(action="read").exists()
    assert "recorded in the audit trail" not in response.content.decode()


def test_a_verdict_needs_the_csrf_token(pairs: dict[str, LinkCandidate]) -> None:
    client = logged_in(make_user("analyst"))
    client.handler.enforce_csrf_checks = True
    pair = pairs["near_half"]
    url = reverse("web:linkage_decide", args=[pair.pk])
    assert client.post(url, {"decision": "no_match"}).status_code == 403
    assert not LinkDecision.objects.exists()


def test_an_unknown_verdict_changes_nothing(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["near_half"]
    client = client_for("analyst")
    response = client.post(
        reverse("web:linkage_decide", args=[pair.pk]),
        {"decision": "maybe", "note": "same date, other village"},
    )
    assert response.status_code == 200  # the pair again, with what was typed
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert "same date, other village</textarea>" in response.content.decode()
    assert not LinkDecision.objects.exists()


def test_pair_page_renders_in_french(pairs: dict[str, LinkCandidate], settings: object) -> None:
    settings.LANGUAGE_CODE = "fr"  # type: ignore[attr-defined]
    client = logged_in(make_user("analyst"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # type: ignore[attr-defined]
    response = client.get(reverse("web:linkage_pair", args=[pairs["near_half"].pk]))
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="fr">' in html
    with translation.override("fr"):
        expected = [
            translation.gettext("Linkage review"),
            translation.gettext("Reject: different"),
            translation.gettext("Why you decided so. Never write a name in a note."),
            translation.gettext("Register"),
        ]
    assert "Registre" in expected  # the catalogue is French
    for text in expected:
        assert escape(text) in html, text


def _decide(client: Client, pair: LinkCandidate, decision: str, **extra: str) -> object:
    return client.post(
        reverse("web:linkage_decide", args=[pair.pk]), {"decision": decision, **extra}
    )


def _incidents_of(pair: LinkCandidate) -> tuple[int | None, int | None]:
    left, right = Report.objects.filter(pk__in=[pair.left_id, pair.right_id]).order_by("pk")
    return left.incident_id, right.incident_id


def test_accepting_a_pair_records_it_merges_the_incidents_and_opens_the_next_pair(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["near_half"]
    client = client_for("analyst")
    waiting = LinkCandidate.objects.filter(kind="incident", status="pending").count()
    response = _decide(client, pair, "match", note="Same village, same day.", kind="incident")
    assert response.status_code == 302
    said = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert said == [  # what the verdict did beyond its pair
        "Decision recorded: same. The 2 records concerned now count towards 1 incident; pairs "
        f"of this kind waiting for review: {waiting - 1} (before: {waiting})."
    ]
    assert response["Location"] == reverse("web:linkage_pair", args=[pairs["low"].pk]) + (
        "?kind=incident"
    )
    decision = LinkDecision.objects.get()
    assert (decision.kind, decision.left_id, decision.right_id) == (
        "incident",
        pair.left_id,
        pair.right_id,
    )
    assert (decision.decision, decision.decided_by) == ("match", "analyst-user")
    assert decision.note == "Same village, same day."
    entry = AuditEntry.objects.filter(object_type="LinkDecision", object_id=str(decision.pk)).get()
    assert entry.actor == "analyst-user" and entry.details["decision"] == "match"
    pair.refresh_from_db()
    assert pair.status == "decided"
    left, right = _incidents_of(pair)
    assert left == right
    page = client.get(reverse("web:linkage_pair", args=[pair.pk])).content.decode()
    assert "analyst-user" in page and "Same village, same day." in page


def test_rejecting_a_merged_pair_undoes_the_merge(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["near_half"]
    client = client_for("administrator")
    _decide(client, pair, "match")
    response = _decide(client, pair, "no_match")
    assert response.status_code == 302
    left, right = _incidents_of(pair)
    assert left != right
    verdicts = list(LinkDecision.objects.order_by("id").values_list("decision", flat=True))
    assert verdicts == ["match", "no_match"]


def test_the_last_verdict_leads_back_to_an_empty_queue(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    client = client_for("analyst")
    response = _decide(client, pairs["person"], "no_match", kind="person")
    assert response["Location"] == reverse("web:linkage_queue") + "?kind=person"
    queue = client.get(response["Location"])
    assert _listed(queue) == [] and "No pair is waiting for review." in queue.content.decode()


def test_incident_page_lists_linked_reports_and_splits_one_off(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["near_half"]
    client = client_for("analyst")
    _decide(client, pair, "match")
    kept, _same = _incidents_of(pair)
    emptied = Incident.objects.get(merged_into__isnull=False)
    assert emptied.merged_into_id == kept
    page = client.get(reverse("web:incident", args=[kept])).content.decode()
    assert "Linked reports" in page and "Incidents merged into this one: " in page
    split_url = reverse("web:linkage_split", args=["incident", pair.right_id])
    assert f'action="{split_url}"' in page
    other = client.get(reverse("web:incident", args=[emptied.pk])).content.decode()
    assert "This incident was merged into another one:" in other
    assert reverse("web:incident", args=[kept]) in other
    researcher = client_for("field_researcher")
    assert split_url not in researcher.get(reverse("web:incident", args=[kept])).content.decode()

    asked = client.post(split_url, {"incident": str(kept)})  # one click asks first
    assert asked.status_code == 200 and 'id="linked-with">1<' in asked.content.decode()
    # switching language there goes back to the incident, not to the POST-only address
    assert asked.context["language_next"] == reverse("web:incident", args=[kept])
    switched = client.post(
        reverse("set_language"), {"language": "fr", "next": asked.context["language_next"]}
    )
    assert client.get(switched["Location"]).status_code == 200
    assert _incidents_of(pair)[0] == _incidents_of(pair)[1]
    response = client.post(split_url, {"incident": str(kept), "confirmed": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:incident", args=[kept]
    )
    left, right = _incidents_of(pair)
    assert left != right
    assert LinkDecision.objects.order_by("-id").first().decision == "no_match"  # type: ignore[union-attr]


def test_a_merged_person_can_be_split_off_from_the_incident_page(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["person"]
    client = client_for("analyst")
    _decide(client, pair, "match")
    records = VictimRecord.objects.filter(report__in=[pair.left_id, pair.right_id])
    assert len({record.person_id for record in records}) == 1
    incident = Incident.objects.order_by("pk").first()
    Person.objects.filter(pk=records[0].person_id).update(incident=incident)
    page = client.get(reverse("web:incident", args=[incident.pk])).content.decode()  # type: ignore[union-attr]
    split_url = reverse("web:linkage_split", args=["person", pair.left_id])
    assert records[0].person.pseudonym in page and f'action="{split_url}"' in page
    assert "KONAT" not in page  # the incident page never shows a name
    client.post(split_url, {"incident": str(incident.pk), "confirmed": "yes"})  # type: ignore[union-attr]
    assert len({record.person_id for record in records.all()}) == 2


def test_splitting_an_unknown_kind_is_not_found(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    url = reverse("web:linkage_split", args=["dataset", pairs["low"].left_id])
    assert client_for("analyst").post(url).status_code == 404


def test_splitting_a_victim_report_as_an_incident_report_says_why(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    client = client_for("analyst")
    url = reverse("web:linkage_split", args=["incident", pairs["person"].left_id])
    response = client.post(url, follow=True)
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    assert 'class="message error"' in response.content.decode()


def test_merged_persons_have_their_own_page_where_a_record_is_split_off(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    """Merges of victim records are listed (and undone) on a page of their own, with the
    incident each person is placed in: by pseudonym, source and record id, never a name."""
    pair = pairs["person"]
    client = client_for("analyst")
    _decide(client, pair, "match")
    records = VictimRecord.objects.filter(report__in=[pair.left_id, pair.right_id])
    person = records[0].person
    assert {record.person_id for record in records} == {person.pk}
    # the verdict placed the person: the records' day and cercle are an ACLED event's
    assert person.incident == Incident.objects.get(reports__record_id__endswith="MLI90001")
    incident_page = client.get(reverse("web:incident", args=[person.incident_id]))
    assert person.pseudonym in incident_page.content.decode()
    url = reverse("web:linkage_persons")
    assert url in client.get(reverse("web:linkage_queue")).content.decode()
    page = client.get(url).content.decode()
    split_url = reverse("web:linkage_split", args=["person", pair.left_id])
    assert person.pseudonym in page and f'action="{split_url}"' in page
    assert f'href="{reverse("web:incident", args=[person.incident_id])}"' in page
    assert "KONAT" not in page and "SANGAR" not in page
    for record in records:  # named by its row in its list (its id is a keyed hash), sex, age
        assert f"row {record.report.row_number}" in page
        assert f"{record.get_sex_display()} · age {record.age}" in page
    assert 'id="persons-count">1<' in page
    response = client.post(split_url, {"persons_page": "1", "confirmed": "yes"}, follow=True)
    assert response.redirect_chain == [(url + "?page=1", 302)]
    assert len({record.person_id for record in records.all()}) == 2
    assert "No person is counted from more than one victim record." in response.content.decode()
    for role in OTHERS:
        assert client_for(role).get(url).status_code == 403


def test_splitting_a_record_linked_to_nothing_says_so(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    url = reverse("web:linkage_split", args=["person", pairs["person"].left_id])
    response = client_for("analyst").post(url, follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        f"ONG test · {pairs['person'].left.record_id} is not linked to any other record: "
        "nothing to split."
    ]
    assert not LinkDecision.objects.exists()


def test_a_crafted_page_number_falls_back_instead_of_failing(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    """'²' passes str.isdigit() but not int(): the split is made and the page still answers."""
    pair = pairs["near_half"]
    client = client_for("analyst")
    _decide(client, pair, "match")
    url = reverse("web:linkage_split", args=["incident", pair.right_id])
    for crafted in ({"incident": "²"}, {"persons_page": "²"}, {"incident": "9" * 40}):
        response = client.post(url, {**crafted, "confirmed": "yes"})
        assert response.status_code == 302, crafted


def test_splitting_asks_first_and_cancelling_changes_nothing(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["person"]
    client = client_for("analyst")
    _decide(client, pair, "match")
    url = reverse("web:linkage_split", args=["person", pair.left_id])
    asked = client.post(url, {"persons_page": "1"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Split off this record?" in page
    assert 'name="confirmed" value="yes"' in page and 'name="persons_page" value="1"' in page
    assert f'href="{reverse("web:linkage_persons")}?page=1"' in page  # Cancel goes back
    assert "KONAT" not in page and "SANGAR" not in page
    records = VictimRecord.objects.filter(report__in=[pair.left_id, pair.right_id])
    assert len({record.person_id for record in records}) == 1
    assert LinkDecision.objects.count() == 1  # only the "same" above


def test_a_split_is_taken_back_on_the_page_of_decisions(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    """Split off, then 'Change to same' on the decisions page: one person again. The page
    lists verdicts by source, record id and pseudonym, never a name."""
    pair = pairs["person"]
    client = client_for("analyst")
    _decide(client, pair, "match")
    split = reverse("web:linkage_split", args=["person", pair.left_id])
    client.post(split, {"persons_page": "1", "confirmed": "yes"})
    records = VictimRecord.objects.filter(report__in=[pair.left_id, pair.right_id])
    assert len({record.person_id for record in records}) == 2
    url = reverse("web:linkage_decisions")
    assert url in client.get(reverse("web:linkage_queue")).content.decode()
    page = client.get(url).content.decode()
    assert "KONAT" not in page and "SANGAR" not in page
    assert page.count("Change to “same”") == 1  # the split's verdict, the latest on the pair
    assert "replaced by a later verdict" in page  # the first "same"
    response = client.post(
        reverse("web:linkage_change"),
        {"kind": "person", "left": pair.left_id, "right": pair.right_id, "decision": "match"},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert len({record.person_id for record in records.all()}) == 1
    assert list(LinkDecision.objects.order_by("id").values_list("decision", flat=True)) == [
        "match",
        "no_match",
        "match",
    ]
    for role in OTHERS:
        other = client_for(role)
        assert other.get(url).status_code == 403
        changed = {"kind": "person", "left": pair.left_id, "right": pair.right_id}
        assert (
            other.post(
                reverse("web:linkage_change"), {**changed, "decision": "no_match"}
            ).status_code
            == 403
        )
    assert LinkDecision.objects.count() == 3


def test_a_change_that_cannot_be_read_changes_nothing(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    client = client_for("analyst")
    url = reverse("web:linkage_change")
    unread = {"kind": "dataset", "left": "1", "right": "2", "decision": "x"}
    response = client.post(url, unread, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not LinkDecision.objects.exists()
    events = pairs["low"]
    bad_pair = {"kind": "person", "left": events.left_id, "right": events.right_id}
    followed = client.post(url, {**bad_pair, "decision": "match"}, follow=True)
    assert [m.level_tag for m in followed.context["messages"]] == ["error"]
    assert not LinkDecision.objects.exists()


def test_a_note_that_names_a_person_is_refused_and_nothing_is_recorded(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    """A note is stored and shown in clear: one holding a word of a victim's name is sent
    back to be mended, whether the victim is on the pair's records or on another row or
    list. The check reads no name: it looks up keyed hashes of the words
    (services/name_words.py)."""
    pair = pairs["person"]
    client = client_for("analyst")
    reads = AuditEntry.objects.filter(action="read", object_type="VictimRecord")
    response = _decide(client, pair, "no_match", note="Konaté is older than the other one")
    # the pair page again, the note kept to be mended, in this reply only and never cached
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Konaté is older than the other one</textarea>" in html
    back = reverse("web:linkage_pair", args=[pair.pk])  # switching language comes back here
    assert f'name="next" type="hidden" value="{back}' in html
    assert response["Cache-Control"] == "no-store"  # type: ignore[index]
    assert not LinkDecision.objects.exists()
    assert reads.count() == 2  # the page's two records, as any view of it; the check read none
    response = _decide(client, pair, "no_match", note="like Hamadoun's case, row 3")
    assert not LinkDecision.objects.exists()  # the third row's victim, not on this pair
    said = [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]
    assert any("word of a victim's name" in m and "nothing was recorded" in m for m in said)
    refusals = AuditEntry.objects.filter(action="lookup", object_type="LinkCandidate")
    assert refusals.count() == 2  # each refusal is on record, never the word
    assert not any("Hamadoun" in str(entry.details) + entry.reason for entry in refusals)
    assert _decide(client, pair, "no_match", note="ages 20 years apart").status_code == 302  # type: ignore[attr-defined]
    assert LinkDecision.objects.get().note == "ages 20 years apart"


def test_a_note_naming_a_parent_in_the_fathers_cell_is_refused_but_fils_is_a_word(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    pair = pairs["person"]
    cell = field_cipher().encrypt("fils de Testpere et de Testmere (dit Testsurnom)")
    VictimRecord.objects.filter(report=pair.left).update(  # as a list with the column would
        father_name_encrypted=cell, name_words_indexed=False
    )
    client = client_for("analyst")
    for named in ("Testmere", "Testpere", "Testsurnom"):  # the mother, the father, a nickname
        _decide(client, pair, "no_match", note=f"the list says {named} too")
        assert not LinkDecision.objects.exists()
    _decide(client, pair, "no_match", note="the fils de of one list is wrong")
    assert LinkDecision.objects.get().note == "the fils de of one list is wrong"


def test_only_a_decided_pair_can_be_changed_and_huge_ids_are_refused(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    client = client_for("analyst")
    url = reverse("web:linkage_change")
    never = pairs["low"]  # proposed, never decided
    undecided = {"kind": "incident", "left": never.left_id, "right": never.right_id}
    response = client.post(url, {**undecided, "decision": "match"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Only a pair already decided can be changed here."
    ]
    huge = {"kind": "incident", "left": 2**63, "right": 2**64, "decision": "match"}
    assert client.post(url, huge).status_code == 302
    _decide(client, never, "no_match")
    again = client.post(url, {**undecided, "decision": "no_match"}, follow=True)
    assert any("already has that verdict" in str(m) for m in again.context["messages"])
    assert LinkDecision.objects.count() == 1


def _grouped_table(html: str) -> str:
    found = re.search(r'<table class="pair-grouped".*?</table>', html, re.S)
    assert found, "the held-back pair lists no grouped record"
    return found.group(0)


def test_a_held_back_person_pair_shows_the_record_of_the_same_list_it_is_counted_with(
    client_for: Callable[[str], Client], tmp_path: Path
) -> None:
    """Two lists name the same three people. The first entries of the two lists are one person
    by a verdict: the second list's second entry can then not join that person, and its pair
    with the first list's first entry is held back. The page says which record of the second
    list stands in the way, by its row, and names nobody in that table."""
    from civharm.incidents.services import verdicts

    for file_name, source in (("ong.csv", "ONG test"), ("onu.csv", "ONU test")):
        import_file(
            write_victims(tmp_path / file_name), "victims", source_name=source, in_background=False
        )
    ong = list(Report.objects.filter(source__name="ONG test").order_by("row_number"))
    onu = list(Report.objects.filter(source__name="ONU test").order_by("row_number"))
    verdicts.decide("person", ong[0].pk, onu[0].pk, "match", user="analyst-user")
    held = _pair("person", ong[0], onu[1], 0.97, reason="chained")
    client = client_for("analyst")
    html = client.get(reverse("web:linkage_pair", args=[held.pk])).content.decode()
    assert "Why this pair was held back" in html and "one person" in html
    table = _grouped_table(html)
    assert table.count("<tr") == 2  # the header, and the second list's first entry (row 2)
    assert "ONU test" in table and "row 2" in table and "the other record's list" in table
    assert "the first record" in table and "34" in table  # whom it is counted with; its age
    assert "KONAT" not in table.upper() and "Fatoumata" not in table  # never a name here
    assert 'id="held-back-same-list"' not in html  # the pair's own two lists differ
    one_list = _pair("person", ong[1], ong[2], 0.97, reason="chained")
    html = client.get(reverse("web:linkage_pair", args=[one_list.pk])).content.decode()
    assert 'id="held-back-same-list"' in html and "as one form sent twice would" in html
    # a list known to repeat itself may name one person twice: its record is not marked
    held.run.settings = {"sources_with_duplicates": ["ONU test"]}
    held.run.save()
    html = client.get(reverse("web:linkage_pair", args=[held.pk])).content.decode()
    assert "ONU test" in _grouped_table(html) and "differs-mark" not in _grouped_table(html)


def test_a_held_back_pair_of_one_list_says_so_and_an_uncertain_pair_shows_no_such_section(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    client = client_for("analyst")
    chained = pairs["chained"]  # two ACLED reports, counted with nothing else
    html = client.get(reverse("web:linkage_pair", args=[chained.pk])).content.decode()
    assert "Why this pair was held back" in html and "one incident" in html
    assert 'id="held-back-same-list"' in html and 'id="pair-grouped-none"' in html
    assert 'id="held-back-one-entry"' not in html  # a dataset's two events: no form twice
    # a source the run held to repeat itself: two of its reports may be one incident
    chained.run.settings = {"sources_with_duplicates": [chained.left.source.name]}
    chained.run.save()
    html = client.get(reverse("web:linkage_pair", args=[chained.pk])).content.decode()
    assert "Why this pair was held back" in html and 'id="held-back-same-list"' not in html
    html = client.get(reverse("web:linkage_pair", args=[pairs["low"].pk])).content.decode()
    assert "Why this pair was held back" not in html


def test_the_queue_says_how_the_latest_run_of_each_kind_ended(
    client_for: Callable[[str], Client], pairs: dict[str, LinkCandidate]
) -> None:
    client = client_for("analyst")
    LinkRun.objects.create(  # a run killed outright: its process is gone
        kind="person",
        engine="duckdb",
        started_by="analyst-test",
        settings={"process": a_finished_process()},
    )
    html = client.get(reverse("web:linkage_queue")).content.decode()
    runs = re.search(r'<ul class="linkage-runs".*?</ul>', html, re.S)
    assert runs, "the queue shows no run"
    incident, person = re.findall(r'<li data-kind="(\w+)">(.*?)</li>', runs.group(0), re.S)
    assert incident[0] == "incident" and "complete" in incident[1]
    assert person[0] == "person" and "stopped without finishing" in person[1]


def test_the_queue_says_when_nothing_was_linked_yet(client_for: Callable[[str], Client]) -> None:
    html = client_for("analyst").get(reverse("web:linkage_queue")).content.decode()
    assert 'id="linkage-runs-none"' in html and "civharm link" in html
