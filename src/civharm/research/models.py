"""Research from the field: interviews and their consent, stakeholder consultations, the codebook,
coded excerpts, quotes for publication and field attachments.

Names, contacts, communities and narratives are stored encrypted (narratives name people);
everything else refers to an interviewee by pseudonym only. An excerpt's text is never stored:
it is read from the decrypted narrative by its offsets.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civharm.incidents.models import SEXES

DISPLACEMENT_STATUSES = [
    ("resident", _("resident")),
    ("displaced", _("internally displaced")),
    ("returnee", _("returnee")),
    ("refugee", _("refugee")),
    ("host", _("host community")),
    ("unknown", _("unknown")),
]
INTERVIEW_LANGUAGES = [
    ("fr", _("French")),
    ("bm", _("Bambara")),
    ("ff", _("Fulfulde")),
    ("son", _("Songhay")),
    ("tmh", _("Tamasheq")),
    ("dgo", _("Dogon")),
    ("other", _("other language")),
]
LEGAL_BASES = [
    ("consent", _("consent")),
    ("legitimate_interest", _("legitimate interest")),
    ("vital_interest", _("vital interest")),
]
CONSENT_METHODS = [
    ("oral_recorded", _("oral, recorded")),
    ("oral_witnessed", _("oral, witnessed")),
    ("written", _("written")),
    ("digital", _("digital")),
]
CONSULTATION_KINDS = [
    ("government_official", _("government official")),
    ("traditional_leader", _("traditional leader")),
    ("religious_leader", _("religious leader")),
    ("civil_society", _("civil society")),
    ("un", _("United Nations")),
    ("eu", _("European Union")),
    ("other_international", _("other international")),
    ("security_forces", _("security forces")),
    ("other", _("other")),
]
THEME_GROUPS = [
    ("experiences", _("experiences")),
    ("fears", _("fears")),
    ("wants", _("wants")),
    ("needs", _("needs")),
    ("protection_gaps", _("protection gaps")),
    ("views_security_forces", _("views of security forces")),
    ("views_armed_groups", _("views of armed groups")),
    ("expectations_assistance", _("expectations of assistance")),
    ("revenge_reconciliation", _("revenge and reconciliation")),
    ("other", _("other")),
]
QUOTE_STATUSES = [
    ("proposed", _("proposed")),
    ("approved", _("approved for publication")),
    ("rejected", _("rejected")),
]
CUSTODY_ACTIONS = [
    ("received", _("received")),
    ("stored", _("stored")),
    ("viewed", _("viewed")),
    ("published_copy", _("published copy made")),
    ("deleted", _("file deleted")),
]


class Interviewee(models.Model):
    """A person the team interviewed, protected like a register Person; shown by pseudonym."""

    pseudonym = models.CharField(_("pseudonym"), max_length=16, unique=True)
    name_encrypted = models.TextField(blank=True)
    contact_encrypted = models.TextField(blank=True)
    community_encrypted = models.TextField(blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=SEXES, default="unknown")
    age_band = models.CharField(_("age band"), max_length=16, blank=True)
    displacement_status = models.CharField(
        _("displacement status"), max_length=16, choices=DISPLACEMENT_STATUSES, default="unknown"
    )
    # When the interviewee is also a victim in the register; that Person comes from other
    # sources and is never altered by a withdrawal of consent here.
    person = models.ForeignKey(
        "incidents.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviewees",
        verbose_name=_("register person"),
    )
    withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)

    PROTECTED_FIELDS = ("name", "contact", "community")

    class Meta:
        verbose_name = _("interviewee")
        verbose_name_plural = _("interviewees")

    def __str__(self) -> str:
        return self.pseudonym


class Interview(models.Model):
    """One interview: where, when, in which language, by whom; the narrative is encrypted."""

    interviewee = models.ForeignKey(
        Interviewee,
        on_delete=models.PROTECT,
        related_name="interviews",
        verbose_name=_("interviewee"),
    )
    interviewed_on = models.DateField(_("interviewed on"), db_index=True)
    place_name = models.CharField(_("place"), max_length=300, blank=True)
    admin1_pcode = models.CharField(_("region P-code"), max_length=16, blank=True, db_index=True)
    admin1_name = models.CharField(_("region"), max_length=100, blank=True)
    admin2_pcode = models.CharField(_("cercle P-code"), max_length=16, blank=True)
    admin2_name = models.CharField(_("cercle"), max_length=100, blank=True)
    interviewer = models.CharField(_("interviewer"), max_length=150)
    language = models.CharField(
        _("language"), max_length=8, choices=INTERVIEW_LANGUAGES, default="fr"
    )
    narrative_encrypted = models.TextField(blank=True)
    harms = models.JSONField(_("harms experienced"), default=list, blank=True)
    incidents = models.ManyToManyField(
        "incidents.Incident", blank=True, related_name="interviews", verbose_name=_("incidents")
    )
    persons = models.ManyToManyField(
        "incidents.Person", blank=True, related_name="interviews", verbose_name=_("persons")
    )
    # The KoBo/ODK instanceID: a submission re-sent ten times is one interview.
    submission_uuid = models.CharField(
        _("submission UUID"), max_length=64, unique=True, null=True, blank=True
    )
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-interviewed_on", "-id"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"ENT-{self.pk:06d}"


class Consent(models.Model):
    """What the interviewee agreed to, on which legal basis, and how it was given."""

    interview = models.OneToOneField(
        Interview, on_delete=models.CASCADE, related_name="consent", verbose_name=_("interview")
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=24, choices=LEGAL_BASES, default="consent"
    )
    method = models.CharField(_("how consent was given"), max_length=16, choices=CONSENT_METHODS)
    for_research = models.BooleanField(_("for research"), default=True)
    for_publication = models.BooleanField(_("for publication of anonymised quotes"), default=False)
    for_sharing = models.BooleanField(_("for sharing with partners"), default=False)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk}"


class ConsentWithdrawal(models.Model):
    """The audited tombstone of a withdrawal: what was removed, never who the person was."""

    interview_code = models.CharField(_("interview"), max_length=16, db_index=True)
    interviewee_pseudonym = models.CharField(_("pseudonym"), max_length=16)
    withdrawn_at = models.DateTimeField(_("withdrawn at"))
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    reason = models.CharField(_("reason"), max_length=300, blank=True)  # never personal
    removed = models.JSONField(_("removed"), default=dict)
    # advocacy.Brief ids whose archived files were deleted because they quoted the person
    brief_ids = models.JSONField(_("briefs withdrawn"), default=list, blank=True)

    class Meta:
        ordering = ["-withdrawn_at", "-id"]
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")

    def __str__(self) -> str:
        return f"withdrawal {self.interview_code}"


class StakeholderConsultation(models.Model):
    """A meeting with an official, a leader, civil society or a partner, and what they raised."""

    held_on = models.DateField(_("held on"), db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=CONSULTATION_KINDS)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    admin1_pcode = models.CharField(_("region P-code"), max_length=16, blank=True)
    admin1_name = models.CharField(_("region"), max_length=100, blank=True)
    points_raised = models.TextField(_("points raised"), blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("stakeholder consultation")
        verbose_name_plural = _("stakeholder consultations")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"CON-{self.pk:06d}"


class FollowUp(models.Model):
    """An action agreed at a consultation, with its owner and due date."""

    consultation = models.ForeignKey(
        StakeholderConsultation,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("consultation"),
    )
    action = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"follow-up {self.pk}"


class Theme(models.Model):
    """A theme of the codebook (seeded from the country pack; analysts can add more)."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    group = models.CharField(_("group"), max_length=32, choices=THEME_GROUPS, default="other")
    description = models.TextField(_("description"), blank=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        ordering = ["group", "key"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.key

    def label(self, language: str) -> str:
        """The label in the given language code (French unless English is asked for)."""
        return self.label_en if language.startswith("en") else self.label_fr


class CodedExcerpt(models.Model):
    """A span of an interview's narrative coded with a theme, by character offsets."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="excerpts", verbose_name=_("interview")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="excerpts", verbose_name=_("theme")
    )
    coder = models.CharField(_("coder"), max_length=150)
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["interview", "start", "id"]
        verbose_name = _("coded excerpt")
        verbose_name_plural = _("coded excerpts")

    def __str__(self) -> str:
        return f"excerpt {self.pk}"


class Quote(models.Model):
    """Edited, anonymised words proposed for publication under a published name of their own.

    Until approved the words are a copy of the narrative and stay encrypted (text_encrypted,
    read through services.quote_text); once approved they are public and kept in clear in
    `text`, with `published_name`, a first name drawn at approval that is neither the person's
    name nor their pseudonym (a pseudonym would link their quotes across briefs).
    """

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("interview")
    )
    excerpt = models.ForeignKey(
        CodedExcerpt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("excerpt"),
    )
    text = models.TextField(_("published text"), blank=True)  # only once approved
    text_encrypted = models.TextField(blank=True)  # the words until approval
    published_name = models.CharField(_("published name"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=QUOTE_STATUSES, default="proposed"
    )
    proposed_by = models.CharField(_("proposed by"), max_length=150)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["interview", "id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self) -> str:
        return f"quote {self.pk}"


class Attachment(models.Model):
    """A photo or recording received with an interview or a report, stored by its SHA-256."""

    interview = models.ForeignKey(
        Interview,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("interview"),
    )
    report = models.ForeignKey(
        "incidents.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("report"),
    )
    file_name = models.CharField(_("file name"), max_length=300)  # stored name, never a path
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    stored_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    submission_uuid = models.CharField(_("submission UUID"), max_length=64, blank=True)

    class Meta:
        ordering = ["-stored_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class AttachmentCustody(models.Model):
    """One step of an attachment's chain of custody (append-only)."""

    # SET_NULL: the custody log outlives a deleted attachment (consent withdrawal).
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="custody",
        verbose_name=_("attachment"),
    )
    action = models.CharField(_("action"), max_length=16, choices=CUSTODY_ACTIONS)
    by = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("attachment custody step")
        verbose_name_plural = _("attachment custody steps")

    def __str__(self) -> str:
        return f"custody {self.pk}"
