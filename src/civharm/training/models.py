"""Training of the armed forces in civilian-harm mitigation: curriculum, partners, units,
sessions, participants, question banks, test attempts and field-based scenarios.

A participant's service number and name are stored encrypted; the service number is found
again by a keyed hash (`service_number_key`), never by its clear value. Everywhere else a
participant is shown by pseudonym.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

PARTNER_KINDS = [
    ("local", _("local")),
    ("regional", _("regional")),
    ("international", _("international")),
]
RANKS = [
    ("soldat", _("private")),
    ("caporal", _("corporal")),
    ("sergent", _("sergeant")),
    ("adjudant", _("warrant officer")),
    ("lieutenant", _("lieutenant")),
    ("capitaine", _("captain")),
    ("commandant", _("major")),
    ("other", _("other rank")),
]
ATTEMPT_KINDS = [
    ("pre", _("pre-test")),
    ("post", _("post-test")),
]


class TrainingModule(models.Model):
    """A module of the curriculum; its content (objectives, materials) is versioned."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")

    def __str__(self) -> str:
        return self.key

    def title(self, language: str = "fr") -> str:
        """The title in the given language code (French unless English is asked for)."""
        return self.title_en if language.startswith("en") else self.title_fr

    @property
    def current_version(self) -> ModuleVersion | None:
        return self.versions.order_by("-version").first()


class ModuleVersion(models.Model):
    """One version of a module's content; the current one is the highest version."""

    module = models.ForeignKey(
        TrainingModule,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("module"),
    )
    version = models.PositiveIntegerField(_("version"))
    objectives = models.TextField(_("learning objectives"), blank=True, help_text=_("one per line"))
    materials = models.TextField(
        _("materials"), blank=True, help_text=_("one per line: title — reference, URL or file name")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["module", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["module", "version"], name="training_unique_version")
        ]
        verbose_name = _("module version")
        verbose_name_plural = _("module versions")

    def __str__(self) -> str:
        return f"{self.module.key} v{self.version}"

    @property
    def objective_lines(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    @property
    def material_lines(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class TrainingPartner(models.Model):
    """A local, regional or international training programme, and the modules it delivers."""

    name = models.CharField(_("name"), max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PARTNER_KINDS)
    description = models.TextField(_("description"), blank=True)
    modules = models.ManyToManyField(
        TrainingModule, blank=True, related_name="partners", verbose_name=_("modules delivered")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("training partner")
        verbose_name_plural = _("training partners")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of the armed forces and its area of operations (region and cercles)."""

    name = models.CharField(_("name"), max_length=300, unique=True)
    area_admin1_pcode = models.CharField(_("region P-code"), max_length=16, blank=True)
    area_admin2_pcodes = models.JSONField(
        _("cercle P-codes of the area of operations"), default=list, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One training session of a module version, for a unit, with a partner."""

    module_version = models.ForeignKey(
        ModuleVersion,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("module version"),
    )
    held_on = models.DateField(_("held on"), db_index=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    place_name = models.CharField(_("place"), max_length=300, blank=True)
    admin1_pcode = models.CharField(_("region P-code"), max_length=16, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("unit")
    )
    partner = models.ForeignKey(
        TrainingPartner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("partner"),
    )
    # Trainers are staff or partner trainers acting in a professional capacity: not protected.
    trainers = models.TextField(_("trainers"), blank=True)
    # The ids of the questions both tests are scored on, frozen when the first test is recorded
    # (None before): retiring or adding a question later never changes what a session measures.
    question_ids = models.JSONField(_("questions of its tests"), null=True, blank=True)
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"FOR-{self.pk:06d}"

    @property
    def module(self) -> TrainingModule:
        return self.module_version.module


class Participant(models.Model):
    """A trainee, shown by pseudonym; service number and name are encrypted. Rank and unit are
    those first recorded; each attendance keeps the rank and unit at that session."""

    pseudonym = models.CharField(_("pseudonym"), max_length=16, unique=True)
    # HMAC-SHA256 of the normalised service number (key derived from the field key): finds the
    # same trainee again without storing the number in clear or as a guessable plain hash.
    service_number_key = models.CharField(max_length=64, unique=True)
    service_number_encrypted = models.TextField(blank=True)
    name_encrypted = models.TextField(blank=True)
    rank = models.CharField(_("rank"), max_length=16, choices=RANKS, default="other")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("unit"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    PROTECTED_FIELDS = ("service_number", "name")

    class Meta:
        ordering = ["pseudonym"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.pseudonym


class Attendance(models.Model):
    """Whether a participant registered for a session attended it, with their rank and unit at
    the time (a certificate prints these; the participant's own are those first recorded)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("participant"),
    )
    attended = models.BooleanField(_("attended"), default=True)
    rank = models.CharField(_("rank"), max_length=16, choices=RANKS, default="other")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("unit"),
    )

    class Meta:
        ordering = ["session", "participant__pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="training_unique_attendance"
            )
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self) -> str:
        return f"{self.session.code} {self.participant.pseudonym}"


class Question(models.Model):
    """A multiple-choice question of a module's bank; `choices` is a list of {key, fr, en}."""

    module = models.ForeignKey(
        TrainingModule,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("module"),
    )
    text_fr = models.TextField(_("question (French)"))
    text_en = models.TextField(_("question (English)"))
    choices = models.JSONField(_("choices"), default=list)
    correct = models.CharField(_("correct choice"), max_length=16)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["module", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.module.key} Q{self.pk}"

    def text(self, language: str = "fr") -> str:
        return self.text_en if language.startswith("en") else self.text_fr

    def choice_labels(self, language: str = "fr") -> list[tuple[str, str]]:
        """(key, label) pairs in the given language (French unless English is asked for)."""
        field = "en" if language.startswith("en") else "fr"
        return [(str(choice["key"]), str(choice.get(field, ""))) for choice in self.choices]


class TestAttempt(models.Model):
    """A participant's pre- or post-test in a session, scored against the module's bank."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("session")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("test"), max_length=8, choices=ATTEMPT_KINDS)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.PositiveIntegerField(_("score"), default=0)
    max_score = models.PositiveIntegerField(_("maximum score"), default=0)
    scored_at = models.DateTimeField(_("scored at"))

    # Not a pytest test class despite its name.
    __test__ = False

    class Meta:
        ordering = ["session", "participant__pseudonym", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant", "kind"], name="training_unique_attempt"
            )
        ]
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")

    def __str__(self) -> str:
        return f"{self.session.code} {self.participant.pseudonym} {self.kind}"

    @property
    def percent(self) -> float | None:
        return 100.0 * self.score / self.max_score if self.max_score else None


class Scenario(models.Model):
    """A case-study scenario built from anonymised, disclosure-controlled incident patterns."""

    module = models.ForeignKey(
        TrainingModule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios",
        verbose_name=_("module"),
    )
    title = models.CharField(_("title"), max_length=300)
    region_pcode = models.CharField(_("region P-code"), max_length=16, blank=True)
    period_from = models.DateField(_("period from"), null=True, blank=True)
    period_to = models.DateField(_("period to"), null=True, blank=True)
    context = models.CharField(_("interaction context"), max_length=64, blank=True)
    # "" for scenarios built before the category was stored (the overlap check treats it as
    # any category).
    actor_category = models.CharField(_("actor category"), max_length=64, blank=True, default="")
    text = models.TextField(_("case study"))
    # Only figures that passed disclosure control; never a person.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    built_by = models.CharField(_("built by"), max_length=150)
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        ordering = ["-built_at", "-id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.title
