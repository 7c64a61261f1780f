"""Research services: record an interview with its consent, read its protected fields (audited),
code excerpts and handle quotes for publication.

Writers take the acting username (the pages check capabilities first, as elsewhere); readers of
protected text take the User and check `view_interviews` themselves. Decrypted names and
narratives are returned to the caller only: never logged, never put in audit details or errors.
Withdrawal of consent and the outputs (quotes, theme frequencies) live in withdrawal.py and
outputs.py and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.core.protection import new_pseudonym
from civharm.incidents.models import Incident, Person
from civharm.incidents.protection import field_cipher
from civharm.research.errors import (
    ConsentWithdrawnError,
    ExcerptOutOfRangeError,
    NotAllowedError,
    PublicationNotAllowedError,
    ResearchError,
)
from civharm.research.models import (
    CodedExcerpt,
    Consent,
    Interview,
    Interviewee,
    Quote,
    Theme,
)
from civharm.research.outputs import (
    draw_published_name,
    published_quotes,
    reveals_identity,
    theme_frequencies,
)

if TYPE_CHECKING:
    from civharm.accounts.models import User

VIEW_CAPABILITY = "view_interviews"
APPROVE_CAPABILITY = "approve_quotes"


class QuoteRevealsIdentityError(ResearchError):
    """A quote holds the interviewee's name (or a part of it), contact or community."""


class UnknownIntervieweeError(ResearchError):
    """A follow-up interview names a pseudonym no interviewee has."""


class IntervieweeMismatchError(ResearchError):
    """A follow-up interview gives identity fields that differ from the stored interviewee."""


@dataclass
class InterviewInput:
    """One interview as entered on the page or read from a KoBo/ODK submission."""

    interviewed_on: date
    interviewer: str
    language: str = "fr"
    place_name: str = ""
    admin1_pcode: str = ""
    admin1_name: str = ""  # filled from the gazetteer when only the P-code is given
    admin2_pcode: str = ""
    admin2_name: str = ""
    name: str = ""
    contact: str = ""
    community: str = ""
    sex: str = "unknown"
    age_band: str = ""
    displacement_status: str = "unknown"
    narrative: str = ""
    harms: list[str] = field(default_factory=list)
    incidents: Sequence[Incident | int] = ()  # objects or primary keys
    persons: Sequence[Person | int] = ()
    register_person: Person | int | None = None  # the interviewee as a register victim
    legal_basis: str = "consent"
    consent_method: str = "oral_witnessed"
    for_research: bool = True
    for_publication: bool = False
    for_sharing: bool = False
    submission_uuid: str | None = None  # KoBo/ODK instanceID: the idempotency key
    # A follow-up interview: the pseudonym (T-…) of an interviewee already recorded. Their
    # identity is not re-entered: identity fields given must match what is stored (see
    # _existing_interviewee), so a follow-up is withdrawn together with the first interview.
    interviewee_pseudonym: str = ""


def record_interview(data: InterviewInput, *, actor: str) -> Interview:
    """Create the interviewee, the interview and its consent, encrypted and audited.

    A submission UUID seen before returns the existing interview unchanged (also after a
    withdrawal of consent, so that re-importing an old export never brings the person back).
    """
    return record_interview_once(data, actor=actor)[0]


def record_interview_once(data: InterviewInput, *, actor: str) -> tuple[Interview, bool]:
    """As record_interview, also saying whether the interview was created (False: seen before)."""
    with transaction.atomic():
        if data.submission_uuid:
            existing = Interview.objects.filter(submission_uuid=data.submission_uuid).first()
            if existing is not None:
                return existing, False
        if data.interviewee_pseudonym.strip():
            interviewee = _existing_interviewee(data)
        else:
            interviewee = _create_interviewee(data)
        interview = _create_interview(data, interviewee, actor)
        Consent.objects.create(
            interview=interview,
            legal_basis=data.legal_basis,
            method=data.consent_method,
            for_research=data.for_research,
            for_publication=data.for_publication,
            for_sharing=data.for_sharing,
            recorded_by=actor,
        )
        audit.record(
            actor,
            "create",
            "Interview",
            interview.pk,
            fields=_filled_fields(data),
            details={"interview": interview.code, "pseudonym": interviewee.pseudonym},
        )
    return interview, True


def _create_interviewee(data: InterviewInput) -> Interviewee:
    cipher = field_cipher()
    pseudonym = new_pseudonym("T")
    while Interviewee.objects.filter(pseudonym=pseudonym).exists():  # 50 random bits: rare
        pseudonym = new_pseudonym("T")
    person = data.register_person
    return Interviewee.objects.create(
        pseudonym=pseudonym,
        name_encrypted=cipher.encrypt(data.name.strip()),
        contact_encrypted=cipher.encrypt(data.contact.strip()),
        community_encrypted=cipher.encrypt(data.community.strip()),
        sex=data.sex or "unknown",
        age_band=data.age_band,
        displacement_status=data.displacement_status or "unknown",
        person_id=person.pk if isinstance(person, Person) else person,
    )


def _existing_interviewee(data: InterviewInput) -> Interviewee:
    """The interviewee of a follow-up interview, locked; refused when unknown, withdrawn, or
    when an identity field given differs from what is stored (never overwritten silently)."""
    pseudonym = data.interviewee_pseudonym.strip().upper()
    interviewee = Interviewee.objects.select_for_update().filter(pseudonym=pseudonym).first()
    if interviewee is None:
        raise UnknownIntervieweeError(_("No interviewee has this pseudonym."))
    if interviewee.withdrawn_at is not None:
        raise ConsentWithdrawnError(
            _("This interviewee withdrew consent: no further interview can be recorded.")
        )
    if _identity_differs(data, interviewee):
        raise IntervieweeMismatchError(
            _(
                "The identity given does not match the interviewee with this pseudonym; "
                "leave it blank for a follow-up interview."
            )
        )
    return interviewee


def _same_text(given: str, stored: str) -> bool:
    """Equal ignoring case and spacing (field teams retype names)."""
    return " ".join(given.split()).casefold() == " ".join(stored.split()).casefold()


def _identity_differs(data: InterviewInput, interviewee: Interviewee) -> bool:
    """Whether a non-blank identity field of the input differs from the stored one."""
    cipher = field_cipher()
    for name in Interviewee.PROTECTED_FIELDS:
        given = getattr(data, name).strip()
        stored = cipher.decrypt(getattr(interviewee, f"{name}_encrypted"))
        if given and not _same_text(given, stored):
            return True
    given_facts = {
        "sex": data.sex if data.sex != "unknown" else "",
        "age_band": data.age_band,
        "displacement_status": (
            data.displacement_status if data.displacement_status != "unknown" else ""
        ),
    }
    for name, given in given_facts.items():
        if given and given != getattr(interviewee, name):
            return True
    person = data.register_person
    person_id = person.pk if isinstance(person, Person) else person
    return person_id is not None and person_id != interviewee.person_id


def _create_interview(data: InterviewInput, interviewee: Interviewee, actor: str) -> Interview:
    admin1_name, admin2_name = _admin_names(data)
    interview = Interview.objects.create(
        interviewee=interviewee,
        interviewed_on=data.interviewed_on,
        place_name=data.place_name.strip(),
        admin1_pcode=data.admin1_pcode,
        admin1_name=admin1_name,
        admin2_pcode=data.admin2_pcode,
        admin2_name=admin2_name,
        interviewer=data.interviewer or actor,
        language=data.language or "fr",
        narrative_encrypted=field_cipher().encrypt(data.narrative),
        harms=list(data.harms),
        submission_uuid=data.submission_uuid or None,
        created_by=actor,
    )
    interview.incidents.set(list(data.incidents))
    interview.persons.set(list(data.persons))
    return interview


def _admin_names(data: InterviewInput) -> tuple[str, str]:
    """Region and cercle names: as given, else from the gazetteer by P-code."""
    admin1_name, admin2_name = data.admin1_name, data.admin2_name
    if (data.admin1_pcode and not admin1_name) or (data.admin2_pcode and not admin2_name):
        from civharm.core.gazetteer import Gazetteer

        gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
        regions = dict(gazetteer.admin1_units())
        cercles = {pcode: name for pcode, name, _region in gazetteer.admin2_units()}
        admin1_name = admin1_name or regions.get(data.admin1_pcode, "")
        admin2_name = admin2_name or cercles.get(data.admin2_pcode, "")
    return admin1_name, admin2_name


def _filled_fields(data: InterviewInput) -> list[str]:
    """Names of the protected fields given (names only, never values)."""
    values = {
        "name": data.name,
        "contact": data.contact,
        "community": data.community,
        "narrative": data.narrative,
    }
    return [name for name, value in values.items() if value.strip()]


# -- reading protected fields ---------------------------------------------------------


def _check_readable(interview: Interview, user: User) -> None:
    if not user.can(VIEW_CAPABILITY):
        raise NotAllowedError(_("Your role may not read interviews."))
    if is_withdrawn(interview):
        raise ConsentWithdrawnError(
            _("Consent was withdrawn: this interview's personal data has been removed.")
        )


def is_withdrawn(interview: Interview) -> bool:
    consent = Consent.objects.filter(interview=interview).first()
    interviewee = Interviewee.objects.get(pk=interview.interviewee_id)
    return interviewee.withdrawn_at is not None or (
        consent is not None and consent.withdrawn_at is not None
    )


def reveal_narrative(interview: Interview, *, user: User) -> str:
    """The decrypted narrative; the reading is written to the audit trail first."""
    _check_readable(interview, user)
    with transaction.atomic():
        audit.record(
            user.get_username(),
            "read",
            "Interview",
            interview.pk,
            fields=["narrative"],
            details={"interview": interview.code},
        )
    return field_cipher().decrypt(interview.narrative_encrypted)


def reveal_interviewee_name(interview: Interview, *, user: User) -> str:
    """The interviewee's name (empty if none was given), audited like a victim's name."""
    _check_readable(interview, user)
    interviewee = interview.interviewee
    with transaction.atomic():
        audit.record(
            user.get_username(),
            "read",
            "Interviewee",
            interviewee.pk,
            fields=["name"],
            details={"interview": interview.code, "pseudonym": interviewee.pseudonym},
        )
    return field_cipher().decrypt(interviewee.name_encrypted)


# -- coding ---------------------------------------------------------------------------


def add_coded_excerpt(
    interview: Interview, theme: Theme, start: int, end: int, *, coder: str
) -> CodedExcerpt:
    """Code narrative[start:end] with a theme; the offsets must fall within the narrative."""
    if is_withdrawn(interview):
        raise ConsentWithdrawnError(_("Consent was withdrawn: this interview cannot be coded."))
    length = len(field_cipher().decrypt(interview.narrative_encrypted))
    if not 0 <= start < end <= length:
        raise ExcerptOutOfRangeError(
            _("An excerpt must lie within the narrative (0 to {length} characters).").format(
                length=length
            )
        )
    with transaction.atomic():
        excerpt = CodedExcerpt.objects.create(
            interview=interview, theme=theme, coder=coder, start=start, end=end
        )
        audit.record(
            coder,
            "create",
            "CodedExcerpt",
            excerpt.pk,
            details={"interview": interview.code, "theme": theme.key, "start": start, "end": end},
        )
    return excerpt


def excerpt_text(excerpt: CodedExcerpt, *, user: User) -> str:
    """The words of a coded excerpt, read from the decrypted narrative (audited)."""
    interview = excerpt.interview
    _check_readable(interview, user)
    with transaction.atomic():
        audit.record(
            user.get_username(),
            "read",
            "CodedExcerpt",
            excerpt.pk,
            fields=["narrative"],
            details={"interview": interview.code},
        )
    narrative = field_cipher().decrypt(interview.narrative_encrypted)
    return narrative[excerpt.start : excerpt.end]


# -- quotes ---------------------------------------------------------------------------


def _check_publishable(interview: Interview) -> None:
    if is_withdrawn(interview):
        raise ConsentWithdrawnError(_("Consent was withdrawn: no quote can be published."))
    consent = Consent.objects.filter(interview=interview).first()
    if consent is None or not consent.for_publication:
        raise PublicationNotAllowedError(
            _("The interviewee did not agree to the publication of anonymised quotes.")
        )


def propose_quote(
    interview: Interview, text: str, *, proposer: str, excerpt: CodedExcerpt | None = None
) -> Quote:
    """Propose edited, anonymised words for publication (only with publication consent).

    The words are a copy of the narrative until approved: they are stored encrypted."""
    _check_publishable(interview)
    if not text.strip():
        raise ResearchError(_("A quote cannot be empty."))
    if excerpt is not None and excerpt.interview_id != interview.pk:
        raise ResearchError(_("The excerpt belongs to another interview."))
    with transaction.atomic():
        quote = Quote.objects.create(
            interview=interview,
            excerpt=excerpt,
            text_encrypted=field_cipher().encrypt(text.strip()),
            proposed_by=proposer,
        )
        audit.record(proposer, "create", "Quote", quote.pk, details={"interview": interview.code})
    return quote


def quote_text(quote: Quote, *, user: User) -> str:
    """A quote's words for the team (audited): needs view_interviews or approve_quotes.
    An approved quote's words are public and returned as published."""
    if not (user.can(VIEW_CAPABILITY) or user.can(APPROVE_CAPABILITY)):
        raise NotAllowedError(_("Your role may not read proposed quotes."))
    if quote.status == "approved":
        return quote.text
    with transaction.atomic():
        audit.record(
            user.get_username(),
            "read",
            "Quote",
            quote.pk,
            fields=["text"],
            details={"interview": quote.interview.code},
        )
    return field_cipher().decrypt(quote.text_encrypted)


def approve_quote(quote: Quote, *, approver: str, approve: bool = True) -> Quote:
    """Approve (or reject) a proposed quote. Approval needs publication consent, still valid,
    and words that do not give the person away; it publishes the words in clear under a
    first name drawn for this quote. A rejected quote stays encrypted."""
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        fields = ["status", "approved_by", "approved_at"]
        if approve:
            _publish(quote)
            fields += ["text", "text_encrypted", "published_name"]
        quote.status = "approved" if approve else "rejected"
        quote.approved_by = approver
        quote.approved_at = timezone.now()
        quote.save(update_fields=fields)
        audit.record(
            approver,
            "update",
            "Quote",
            quote.pk,
            fields=["status"],
            details={"interview": quote.interview.code, "status": quote.status},
        )
    return quote


def _publish(quote: Quote) -> None:
    """Check the words and fill the published text and name (the caller saves)."""
    interview = quote.interview
    _check_publishable(interview)
    interviewee = Interviewee.objects.get(pk=interview.interviewee_id)
    cipher = field_cipher()
    text = cipher.decrypt(quote.text_encrypted) if quote.text_encrypted else quote.text
    name = cipher.decrypt(interviewee.name_encrypted)
    if reveals_identity(
        text,
        name=name,
        contact=cipher.decrypt(interviewee.contact_encrypted),
        community=cipher.decrypt(interviewee.community_encrypted),
    ):
        # one sentence, and never the words found: the approver re-reads the quote
        raise QuoteRevealsIdentityError(
            _("This quote gives away the interviewee's name, contact or community: edit it.")
        )
    quote.text, quote.text_encrypted = text, ""
    quote.published_name = quote.published_name or draw_published_name(
        interviewee.sex, name, settings.CIVHARM["COUNTRY_PACK"]
    )


from civharm.research.withdrawal import withdraw_consent  # noqa: E402

__all__ = [
    "APPROVE_CAPABILITY",
    "InterviewInput",
    "IntervieweeMismatchError",
    "QuoteRevealsIdentityError",
    "UnknownIntervieweeError",
    "add_coded_excerpt",
    "approve_quote",
    "excerpt_text",
    "is_withdrawn",
    "propose_quote",
    "published_quotes",
    "quote_text",
    "record_interview",
    "record_interview_once",
    "reveal_interviewee_name",
    "reveal_narrative",
    "theme_frequencies",
    "withdraw_consent",
]
