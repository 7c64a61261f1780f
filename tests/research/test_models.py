"""Interviews are recorded encrypted under a pseudonym, read only through audited services,
coded by offsets within the narrative, and counted per theme for disclosure control."""

from __future__ import annotations

import json

import pytest

from civharm.accounts.models import AuditEntry
from civharm.disclosure import TableSpec, protect_counts
from civharm.research.codebook import load_codebook
from civharm.research.errors import ExcerptOutOfRangeError, NotAllowedError
from civharm.research.models import THEME_GROUPS, Interview, Interviewee, Theme
from civharm.research.services import (
    IntervieweeMismatchError,
    InterviewInput,
    UnknownIntervieweeError,
    add_coded_excerpt,
    excerpt_text,
    record_interview_once,
    reveal_interviewee_name,
    reveal_narrative,
    theme_frequencies,
)
from tests.research.helpers import NAME, NARRATIVE, make_interview, make_user

pytestmark = pytest.mark.django_db


def test_codebook_is_seeded_from_the_pack_in_both_languages() -> None:
    pack = load_codebook()
    assert 25 <= len(pack) <= 40
    assert Theme.objects.filter(created_by="country pack").count() == len(pack)
    groups = {theme.group for theme in pack}
    assert groups == {key for key, _label in THEME_GROUPS} - {"other"}
    fear = Theme.objects.get(key="fear_of_reprisals")
    assert (fear.label("fr"), fear.label("en")) == ("Peur des représailles", "Fear of reprisals")


def test_an_interview_is_stored_encrypted_and_audited_without_the_name() -> None:
    interview = make_interview()
    interviewee = interview.interviewee
    assert interviewee.pseudonym.startswith("T-")
    assert NAME not in interviewee.name_encrypted and interviewee.name_encrypted
    assert "fui" not in interview.narrative_encrypted and interview.narrative_encrypted
    assert interview.admin1_name == "Mopti"  # from the gazetteer by P-code
    assert interview.consent.for_publication and interview.consent.recorded_by
    assert interview.code == f"ENT-{interview.pk:06d}"
    entry = AuditEntry.objects.get(action="create", object_type="Interview")
    assert set(entry.fields) == {"name", "contact", "community", "narrative"}
    assert NAME not in json.dumps(entry.details) and "fui" not in json.dumps(entry.details)


def test_reading_the_narrative_and_name_is_audited_and_needs_the_capability() -> None:
    interview = make_interview()
    researcher = make_user("field_researcher")
    assert reveal_narrative(interview, user=researcher) == NARRATIVE
    assert reveal_interviewee_name(interview, user=researcher) == NAME
    reads = AuditEntry.objects.filter(action="read", actor=researcher.username)
    assert sorted(e.object_type for e in reads) == ["Interview", "Interviewee"]
    with pytest.raises(NotAllowedError):
        reveal_narrative(interview, user=make_user("partner"))
    with pytest.raises(NotAllowedError):
        reveal_interviewee_name(interview, user=make_user("trainer"))
    assert AuditEntry.objects.filter(action="read").count() == 2


def test_a_submission_sent_again_is_one_interview() -> None:
    first = make_interview(submission_uuid="uuid:0d6c-test")
    again, created = record_interview_once(
        InterviewInput(
            interviewed_on=first.interviewed_on, interviewer="x", submission_uuid="uuid:0d6c-test"
        ),
        actor="importer",
    )
    assert (again.pk, created) == (first.pk, False)
    assert Interview.objects.count() == 1


def test_excerpts_are_coded_by_offsets_within_the_narrative_and_read_audited() -> None:
    interview = make_interview()
    theme = Theme.objects.get(key="fear_of_attack")
    start = NARRATIVE.index("Nous avons peur")
    excerpt = add_coded_excerpt(interview, theme, start, start + 31, coder="analyst-user")
    analyst = make_user("analyst")
    assert excerpt_text(excerpt, user=analyst) == "Nous avons peur de rentrer et n"
    assert AuditEntry.objects.filter(object_type="CodedExcerpt", action="read").count() == 1
    for start, end in [(-1, 4), (10, 10), (5, len(NARRATIVE) + 1)]:
        with pytest.raises(ExcerptOutOfRangeError):
            add_coded_excerpt(interview, theme, start, end, coder="analyst-user")


def test_theme_frequencies_give_one_record_per_interview_and_theme_for_protection() -> None:
    fear = Theme.objects.get(key="fear_of_attack")
    justice = Theme.objects.get(key="want_justice")
    for index in range(6):
        interview = make_interview(sex="male" if index % 2 else "female", age_band="")
        add_coded_excerpt(interview, fear, 0, 5, coder="a")
        add_coded_excerpt(interview, fear, 10, 20, coder="b")  # same theme twice: one presence
        if index == 0:
            add_coded_excerpt(interview, justice, 0, 5, coder="a")
    records = theme_frequencies(by="sex")
    assert len(records) == 7
    assert {"theme": "want_justice", "group": "wants", "sex": "female"} in records
    assert {r["age_band"] for r in theme_frequencies(by="age_band")} == {"unknown"}
    assert theme_frequencies(region_pcode="ML01") == []
    release = protect_counts(records, [TableSpec("themes", ("theme",))], threshold=5)
    themes = release.table("themes")
    assert themes.value("fear_of_attack") == 6 and themes.value("want_justice") is None
    with pytest.raises(ValueError):
        theme_frequencies(by="community")


def test_a_follow_up_interview_is_recorded_for_the_existing_interviewee() -> None:
    first = make_interview()
    pseudonym = first.interviewee.pseudonym
    # identity left blank, or given again (spacing and case ignored): the same interviewee
    follow_up = make_interview(
        interviewee_pseudonym=pseudonym.lower(), name="", contact="", community="", sex="unknown"
    )
    again = make_interview(interviewee_pseudonym=pseudonym, name=f"  {NAME.upper()} ")
    assert follow_up.interviewee_id == again.interviewee_id == first.interviewee_id
    assert Interviewee.objects.count() == 1
    with pytest.raises(UnknownIntervieweeError):
        make_interview(interviewee_pseudonym="T-00000-00000")
    with pytest.raises(IntervieweeMismatchError) as refused:
        make_interview(interviewee_pseudonym=pseudonym, name="Autre Nom-Testdata")
    assert "Autre" not in str(refused.value)
    with pytest.raises(IntervieweeMismatchError):
        make_interview(interviewee_pseudonym=pseudonym, name="", age_band="55-64")
    first.interviewee.refresh_from_db()
    assert first.interviewee.age_band == "25-34"  # never overwritten
    assert Interview.objects.count() == 3
