"""The demo's research: generated interviews with consent, two coders, approved quotes under a
published name, one withdrawal and consultations with follow-ups; a second run adds nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from civharm.demo.names import FAMILY, GIVEN_FEMALE, GIVEN_MALE
from civharm.incidents.models import Incident
from civharm.incidents.protection import field_cipher
from civharm.research.demo import INTERVIEWS, seed_demo_research
from civharm.research.models import (
    CodedExcerpt,
    Consent,
    ConsentWithdrawal,
    FollowUp,
    Interview,
    Interviewee,
    StakeholderConsultation,
)
from civharm.research.outputs import double_coded_agreement, published_quotes, theme_frequencies

pytestmark = pytest.mark.django_db
REGIONS = {"ML04", "ML05", "ML06", "ML07"}
LANGUAGES = {"fr", "bm", "ff", "son", "tmh", "dgo"}


def _name_words() -> set[str]:
    lists = (*GIVEN_MALE.values(), *GIVEN_FEMALE.values(), *FAMILY.values())
    return {word for names in lists for word in names}


def test_demo_research_fills_every_research_page_and_runs_once() -> None:
    for pcode, name in (("ML05", "Mopti"), ("ML07", "Gao")):
        for year in (2021, 2022, 2023, 2024):
            Incident.objects.create(
                date_start=date(year, 3, 1), admin1_pcode=pcode, admin1_name=name
            )
    added = seed_demo_research(actor="demo:test")
    assert (added["interviews"], added["withdrawals"], added["consultations"]) == (INTERVIEWS, 1, 6)
    assert 20 <= Interview.objects.count() == INTERVIEWS <= 30

    interviews = list(Interview.objects.all())
    assert {i.admin1_pcode for i in interviews} == REGIONS
    assert {i.language for i in interviews} <= LANGUAGES and len(
        {i.language for i in interviews}
    ) >= 5
    assert {i.interviewed_on.year for i in interviews} <= {2021, 2022, 2023, 2024}
    assert (
        sum(1 for i in interviews if i.incidents.exists()) >= 6
    )  # linked to same-region incidents
    assert all(
        i.admin1_pcode == incident.admin1_pcode
        for i in interviews
        for incident in i.incidents.all()
    )
    standing = [i for i in interviews if i.narrative_encrypted]
    for interview in standing:
        sentences = field_cipher().decrypt(interview.narrative_encrypted).count(".")
        assert 3 <= sentences <= 7  # 3 to 6 sentences (a name may hold no dot)

    consents = Consent.objects.all()
    assert consents.filter(for_publication=True, withdrawn_at=None).count() >= 15
    assert consents.filter(for_publication=False).count() >= 3  # research only
    [tombstone] = ConsentWithdrawal.objects.all()
    assert tombstone.removed["narrative"] == 1 and tombstone.removed["quotes"] == 1
    assert added["excerpts"] == CodedExcerpt.objects.count() + tombstone.removed["excerpts"]
    assert Interviewee.objects.filter(withdrawn_at__isnull=False, name_encrypted="").count() == 1

    agreement = double_coded_agreement()
    assert len(agreement) >= 6
    assert any(a.kappa < 1 for a in agreement) and any(a.kappa > 0.5 for a in agreement)

    quotes = published_quotes()
    assert len(quotes) >= 4 and {q["region"] for q in published_quotes("ML05")} == {"Mopti"}
    assert len({q["text"] for q in quotes}) == len(quotes)  # several voices, not one
    names = _name_words()
    pseudonyms = set(Interviewee.objects.values_list("pseudonym", flat=True))
    for quote in quotes:  # a published first name of its own, never the internal pseudonym
        assert quote["pseudonym"] and quote["pseudonym"] not in pseudonyms
        assert not names & set(str(quote["text"]).replace(",", " ").replace(".", " ").split())
    assert theme_frequencies(by="sex")

    kinds = set(StakeholderConsultation.objects.values_list("kind", flat=True))
    assert {"government_official", "traditional_leader", "civil_society", "un", "eu"} <= kinds
    assert "security_forces" in kinds
    today = timezone.localdate()
    assert FollowUp.objects.filter(done_on__isnull=False).exists()
    assert FollowUp.objects.filter(done_on__isnull=True, due_on__lt=today).exists()  # overdue

    again = seed_demo_research(actor="demo:test")
    assert set(again.values()) == {0}
    assert Interview.objects.count() == INTERVIEWS
    assert StakeholderConsultation.objects.count() == 6
