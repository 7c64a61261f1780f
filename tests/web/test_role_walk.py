"""Walk every URL and API route as every role (and as nobody, and on another user's object):
zero unauthorised successes.

Every page must declare the capability it needs (`capability_required`); a new page without
one fails here until it declares one or is listed as open to everybody.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from civharm.accounts.roles import ROLES, can
from civharm.api.tokens import issue_token
from civharm.incidents.services.import_preview import save_upload
from civharm.incidents.services.importing import import_file
from tests.incidents.factories import write_acled
from tests.web.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db

# Pages anyone may reach (log-in and its second factor, the language switch, the schema).
OPEN = {
    "accounts:login",
    "accounts:logout",
    "accounts:verify",
    "accounts:setup_2fa",
    "set_language",
}
POST_ONLY = {
    "web:incident_review",
    "web:estimates_new",
    "web:import_confirm",
    "web:import_cancel",
    "web:linkage_decide",
    "web:linkage_split",
    "web:linkage_change",
    "web:recommendation_status",
    "web:brief_new",
    "web:interview_narrative",
    "web:interview_code",
    "web:quote_propose",
    "web:interview_withdraw",
    "web:quote_approve",
    "web:consultation_followup",
    "web:followup_done",
    "web:training_participant_add",
    "web:training_attendance",
    "web:training_participant_reveal",
}
API_CAPABILITY = {
    "api:list_incidents": "view_incidents",
    "api:get_incident": "view_incidents",
    "api:incident_reports": "view_incidents",
    "api:incident_persons": "view_persons",
    "api:aggregates_by_region": "view_aggregates",
    "api:taxonomies": None,  # any valid token
}


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _patterns(entry, inner)
        else:
            yield (f"{namespace}:{entry.name}" if namespace else str(entry.name)), entry


def _web_routes() -> list[tuple[str, str]]:
    """(view name, capability) of every page; fails on a page that declares none."""
    routes, undeclared = [], []
    for name, pattern in _patterns(get_resolver()):
        if name.startswith("api:") or name in OPEN:
            continue
        capability = getattr(pattern.callback, "required_capability", None)
        if capability is None:
            undeclared.append(name)
        routes.append((name, capability))
    assert not undeclared, f"pages without a declared capability: {undeclared}"
    return routes


@pytest.fixture
def objects(tmp_path: Path) -> dict[str, object]:
    """An incident, a linkage pair, and an upload belonging to someone else (an analyst)."""
    import_file(write_acled(tmp_path / "a.csv"), "acled")
    from civharm.incidents.models import Incident, LinkCandidate, LinkRun, Report

    first, second = Report.objects.order_by("pk")[:2]
    run = LinkRun.objects.create(kind="incident", engine="duckdb", started_by="test")
    pair = LinkCandidate.objects.create(
        kind="incident", left=first, right=second, probability=0.5, run=run
    )

    owner = make_user("analyst", "upload-owner")
    upload = save_upload(
        [b"event_id_cnty,event_date\n"],
        owner_id=owner.pk,
        source_format="acled",
        source_name="ACLED",
        source_type="dataset",
        original_name="a.csv",
    )
    from civharm.analysis.models import EstimateRun

    estimate = EstimateRun.objects.create(started_by="test", status="complete", methods=[])
    from civharm.advocacy.models import Brief

    brief = Brief.objects.create(
        region_pcode="ML05",
        region_name="Mopti",
        date_from=date(2022, 1, 1),
        date_to=date(2022, 12, 31),
        created_by="test",
    )
    return {
        "brief": brief.pk,
        "estimate": estimate.pk,
        "recommendation": _recommendation(),
        "pk": Incident.objects.order_by("id").first().pk,  # type: ignore[union-attr]
        "token": upload.token,
        "pair": pair.pk,
        "report": first.pk,
        **_research_objects(),
        **_training_objects(),
    }


def _research_objects() -> dict[str, int]:
    """An interview with an excerpt and a proposed quote, a consultation with a follow-up."""
    from civharm.research.models import StakeholderConsultation, Theme
    from civharm.research.services import (
        InterviewInput,
        add_coded_excerpt,
        propose_quote,
        record_interview,
    )

    data = InterviewInput(
        interviewed_on=date(2025, 1, 1), interviewer="t", narrative="x" * 20, for_publication=True
    )
    interview = record_interview(data, actor="test")
    theme = Theme.objects.order_by("key").first()
    excerpt = add_coded_excerpt(interview, theme, 0, 5, coder="test")  # type: ignore[arg-type]
    quote = propose_quote(interview, "words", proposer="test", excerpt=excerpt)
    consultation = StakeholderConsultation.objects.create(
        held_on=date(2025, 1, 1), kind="un", recorded_by="test"
    )
    follow_up = consultation.follow_ups.create(action="a")
    return {
        "interview": interview.pk,
        "quote": quote.pk,
        "consultation": consultation.pk,
        "follow_up": follow_up.pk,
    }


def _training_objects() -> dict[str, int]:
    """A session of a module with one generated participant (attending)."""
    from tests.web.test_training_pages import make_curriculum, make_session

    curriculum = make_curriculum()
    session, people = make_session(curriculum)
    return {
        "training_module": curriculum.module.pk,
        "training_session": session.pk,
        "training_participant": people[0].pk,
    }


def _recommendation() -> int:
    from civharm.advocacy.recommendations import RecommendationInput, create_recommendation

    data = RecommendationInput(title="t", addressee="government", made_on=date(2022, 1, 1))
    return create_recommendation(data, actor="test").pk


def _url(name: str, objects: dict[str, object]) -> str:
    kwargs = {
        "web:incident": {"pk": objects["pk"]},
        "web:incident_review": {"pk": objects["pk"], "kind": "comment"},
        "web:boundaries": {"level": 2},
        "web:import_preview": {"token": objects["token"]},
        "web:import_confirm": {"token": objects["token"]},
        "web:import_cancel": {"token": objects["token"]},
        "web:linkage_pair": {"pk": objects["pair"]},
        "web:linkage_decide": {"pk": objects["pair"]},
        "web:linkage_split": {"kind": "incident", "report_id": objects["report"]},
        "web:estimates_run": {"pk": objects["estimate"]},
        "web:estimates_csv": {"pk": objects["estimate"]},
        "web:dashboard_csv": {"chart": "by_region"},
        "web:patterns_export": {"fmt": "xlsx"},
        "web:recommendation": {"pk": objects["recommendation"]},
        "web:recommendation_edit": {"pk": objects["recommendation"]},
        "web:recommendation_status": {"pk": objects["recommendation"]},
        "web:brief_download": {"pk": objects["brief"], "kind": "pdf"},
        "web:interview": {"pk": objects["interview"]},
        "web:interview_narrative": {"pk": objects["interview"]},
        "web:interview_code": {"pk": objects["interview"]},
        "web:quote_propose": {"pk": objects["interview"]},
        "web:interview_withdraw": {"pk": objects["interview"]},
        "web:quote_approve": {"pk": objects["quote"]},
        "web:consultation": {"pk": objects["consultation"]},
        "web:consultation_followup": {"pk": objects["consultation"]},
        "web:followup_done": {"pk": objects["follow_up"]},
        **_training_urls(objects),
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


def _training_urls(objects: dict[str, object]) -> dict[str, dict[str, object]]:
    session, person = objects["training_session"], objects["training_participant"]
    return {
        "web:training_module": {"pk": objects["training_module"]},
        "web:training_module_version_new": {"pk": objects["training_module"]},
        "web:training_session": {"pk": session},
        "web:training_participant_add": {"pk": session},
        "web:training_attendance": {"pk": session},
        "web:training_participant_reveal": {"pk": session, "participant": person},
        "web:training_attempt": {"pk": session, "participant": person, "kind": "pre"},
        "web:training_certificate": {"pk": session, "participant": person},
    }


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_answers_each_role_as_its_capabilities_say(
    role: str, objects: dict[str, object]
) -> None:
    client = logged_in(make_user(role))
    for name, capability in _web_routes():
        url = _url(name, objects)
        response = client.post(url, {"text": "x"}) if name in POST_ONLY else client.get(url)
        allowed = can(role, capability)
        if not allowed:
            assert response.status_code == 403, f"{role} reached {name}: {response.status_code}"
            continue
        if name in {"web:import_preview", "web:import_confirm", "web:import_cancel"}:
            # The upload belongs to another user: it does not exist for this one.
            assert response.status_code == 404, f"{role} opened another user's upload"
            continue
        assert response.status_code in {200, 302}, f"{role} on {name}: {response.status_code}"


def test_nobody_logged_in_reaches_no_page(objects: dict[str, object]) -> None:
    client = Client()
    for name, _capability in _web_routes():
        response = client.get(_url(name, objects))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_api_route_answers_each_role_as_its_capabilities_say(
    role: str, objects: dict[str, object]
) -> None:
    user = make_user(role, f"api-{role}")
    secret = issue_token(user, issued_by="test", by_administrator=True).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    anonymous = Client()
    for name, capability in API_CAPABILITY.items():
        kwargs = {"incident_id": objects["pk"]} if "incident" in name and "list" not in name else {}
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        expected = 200 if capability is None or can(role, capability) else 403
        assert response.status_code == expected, f"{role} on {name}: {response.status_code}"
        assert anonymous.get(url).status_code == 401, f"anonymous on {name}"
    assert set(API_CAPABILITY) | {"api:openapi-json", "api:api-root", "api:create_own_token"} >= {
        name for name, _ in _patterns(get_resolver()) if name.startswith("api:")
    }, "an API route is missing from this walk"
