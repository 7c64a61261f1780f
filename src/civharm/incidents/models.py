"""The register's records: Source, ImportRun, Report (immutable), Incident, HarmCount, Actor,
Person and VictimRecord.

Names, contacts and raw payloads of personal-data sources are stored encrypted; everything
else refers to people by pseudonym only.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

DATE_PRECISIONS = [
    ("day", _("day")),
    ("week", _("week")),
    ("month", _("month")),
    ("year", _("year")),
    ("unknown", _("unknown")),
]
GEO_PRECISIONS = [
    ("exact", _("exact locality")),
    ("near", _("within about 25 km")),
    ("admin3", _("commune only")),
    ("admin2", _("cercle only")),
    ("admin1", _("region only")),
    ("country", _("country only")),
    ("unknown", _("unknown")),
]
RELIABILITY = [(c, c) for c in "ABCDEF"]  # Admiralty: A completely reliable … F cannot be judged
CREDIBILITY = [(str(n), str(n)) for n in range(1, 7)]  # 1 confirmed … 6 cannot be judged
SEXES = [("female", _("female")), ("male", _("male")), ("unknown", _("unknown"))]
CIVILIAN_STATUSES = [
    ("civilian", _("civilian")),
    ("combatant", _("combatant")),
    ("unknown", _("unknown")),
]


class Actor(models.Model):
    """An entry of the country pack's actor taxonomy (synchronised from the pack)."""

    key = models.CharField(max_length=64, unique=True)
    category = models.CharField(_("category"), max_length=64)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    def __str__(self) -> str:
        return self.name_fr


class Source(models.Model):
    """Where reports come from: an organisation's list, a dataset, our own interviews."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    source_type = models.CharField(_("source type"), max_length=32)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    reliability = models.CharField(
        _("source reliability"), max_length=1, choices=RELIABILITY, default="F"
    )
    personal_data = models.BooleanField(
        _("holds personal data"),
        default=True,
        help_text=_("Raw rows of such sources are stored encrypted."),
    )
    licence = models.CharField(_("licence or terms"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One run of `civharm import`: what file, by whom, what came of it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="import_runs")
    source_format = models.CharField(max_length=16)
    file_name = models.CharField(max_length=500)  # base name only: paths can reveal people
    file_sha256 = models.CharField(max_length=64)
    started_by = models.CharField(max_length=150)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, default="running")  # running, complete, failed
    rows_read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error_report = models.CharField(max_length=500, blank=True)


class PlaceFields(models.Model):
    """Where something happened, as the source said it and as the gazetteer resolved it."""

    place_name = models.CharField(_("place"), max_length=300, blank=True)
    admin1_pcode = models.CharField(_("region P-code"), max_length=16, blank=True, db_index=True)
    admin1_name = models.CharField(_("region"), max_length=100, blank=True)
    admin2_pcode = models.CharField(_("cercle P-code"), max_length=16, blank=True, db_index=True)
    admin2_name = models.CharField(_("cercle"), max_length=100, blank=True)
    admin3_pcode = models.CharField(_("commune P-code"), max_length=16, blank=True)
    admin3_name = models.CharField(_("commune"), max_length=100, blank=True)
    locality_id = models.CharField(_("gazetteer locality"), max_length=32, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    geo_precision = models.CharField(
        _("location precision"), max_length=16, choices=GEO_PRECISIONS, default="unknown"
    )
    geocode_confidence = models.FloatField(_("geocoding confidence"), null=True, blank=True)
    outside_country = models.BooleanField(_("coordinates outside the country"), default=False)

    class Meta:
        abstract = True


class DateFields(models.Model):
    date_start = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    date_end = models.DateField(_("end date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=16, choices=DATE_PRECISIONS, default="unknown"
    )

    class Meta:
        abstract = True


def incident_code(incident_id: int | None) -> str:
    """How people name an incident: INC-000042 ("" for none)."""
    return f"INC-{incident_id:06d}" if incident_id else ""


class Incident(DateFields, PlaceFields):
    """One event of civilian harm; reports from many sources link to it."""

    interaction_context = models.CharField(_("interaction context"), max_length=32, blank=True)
    perpetrators = models.ManyToManyField(Actor, through="IncidentPerpetrator", blank=True)
    description = models.TextField(_("description"), blank=True)
    assessment_grade = models.CharField(_("assessment grade"), max_length=16, blank=True)
    review_status = models.CharField(_("review status"), max_length=16, default="new")
    # Set when linkage found this incident to be another one; kept, so the merge can be undone.
    # Indexed only where set: imports write NULL, and "IS NULL" matches most rows anyway.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The event report it was made from, whose place, date and description it shows: a split
    # gives it back to the reports with that one (merging._choose_owners). An id, not a foreign
    # key: an import writes the incident before its report. None: made before it was kept.
    founding_record = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_start", "-id"]
        indexes = [
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="incident_merged_into_idx",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return incident_code(self.pk)


class IncidentPerpetrator(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, db_index=False
    )  # see HarmCount
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT)
    attribution_status = models.CharField(_("attribution status"), max_length=16, default="alleged")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "actor"], name="one_attribution_per_actor")
        ]


class HarmCount(models.Model):
    """A toll of one harm type for one incident, as low/best/high (any part may be unknown)."""

    # No index of its own: the (incident, harm_type) constraint's index starts with it.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="harm_counts", db_index=False
    )
    harm_type = models.CharField(_("harm type"), max_length=32)
    low = models.PositiveIntegerField(_("low"), null=True, blank=True)
    best = models.PositiveIntegerField(_("best"), null=True, blank=True)
    high = models.PositiveIntegerField(_("high"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "harm_type"], name="one_count_per_harm_type"
            )
        ]


class Report(DateFields, PlaceFields):
    """One source's account of one event or one victim. The original is immutable."""

    # Indexes cost every import; reports are reached through their incident or their source,
    # so the place and date indexes of the abstract bases are not repeated here, and the
    # (source, record_id) constraint's index serves lookups by source.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="reports", db_index=False
    )
    date_start = models.DateField(_("start date"), null=True, blank=True)
    admin1_pcode = models.CharField(_("region P-code"), max_length=16, blank=True)
    admin2_pcode = models.CharField(_("cercle P-code"), max_length=16, blank=True)
    record_id = models.CharField(_("source record id"), max_length=128)
    kind = models.CharField(max_length=8)  # event, victim
    source_format = models.CharField(max_length=16)
    payload = models.TextField(_("original record"))  # JSON, or a Fernet token when encrypted
    payload_encrypted = models.BooleanField(default=False)
    payload_sha256 = models.CharField(max_length=64)
    # Never looked up by run (runs are read from their reports), and runs are never deleted.
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    row_number = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    actors = models.JSONField(_("actors named"), default=list, blank=True)
    interaction_context = models.CharField(_("interaction context"), max_length=32, blank=True)
    harm = models.JSONField(
        _("harm reported"), default=dict, blank=True
    )  # {type: [low, best, high]}
    description = models.TextField(_("description"), blank=True)
    source_reference = models.TextField(_("source reference"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    reliability = models.CharField(
        _("source reliability"), max_length=1, choices=RELIABILITY, default="F"
    )
    credibility = models.CharField(
        _("information credibility"), max_length=1, choices=CREDIBILITY, default="6"
    )
    warnings = models.JSONField(default=list, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    IMMUTABLE_FIELDS = ("payload", "payload_sha256", "payload_encrypted", "source_id", "record_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "record_id"], name="one_report_per_source_record"
            )
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = Report.objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in self.IMMUTABLE_FIELDS):
                raise ImmutableRecordError("a report's original record cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def shown_id(self) -> str:
        """How pages name the record: a victim record by its row in the list it came from,
        since its id is a keyed hash (a list's own id may be a national number)."""
        if self.record_id.startswith("hmac:") and self.row_number:
            return str(_("row {number}")).format(number=self.row_number)
        return self.record_id


class ImmutableRecordError(Exception):
    """Someone tried to alter what a source said."""


class Person(models.Model):
    """A victim (or claimant, interviewee) with a protected identity; shown by pseudonym."""

    pseudonym = models.CharField(_("pseudonym"), max_length=16, unique=True)
    name_encrypted = models.TextField(blank=True)
    contact_encrypted = models.TextField(blank=True)
    community_encrypted = models.TextField(blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=SEXES, default="unknown")
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=16, blank=True)
    civilian_status = models.CharField(
        _("civilian status"), max_length=16, choices=CIVILIAN_STATUSES, default="unknown"
    )
    harm_type = models.CharField(_("harm suffered"), max_length=32, blank=True)
    date_of_harm = models.DateField(_("date of harm"), null=True, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="persons"
    )
    # Set when linkage found this person to be another one; kept, so the merge can be undone.
    # Indexed only where set (see Incident.merged_into).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The victim record it was made from, whose name, sex and age it shows: a split gives it
    # back to the records with that one, so a pseudonym (and the interviews and payments tied to
    # it) never passes to another victim. None: made before it was kept.
    founding_record = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    PROTECTED_FIELDS = ("name", "contact", "community")

    class Meta:
        indexes = [
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="person_merged_into_idx",
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def incident_code(self) -> str:
        """The code of the incident this person counts towards, "" if none."""
        return incident_code(self.incident_id)


class VictimRecord(models.Model):
    """One victim-list row (via its Report) and the Person it is counted as."""

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="victim_record")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    name_encrypted = models.TextField(blank=True)  # the name exactly as this list wrote it
    father_name_encrypted = models.TextField(blank=True)  # the filiation, if the list gives it
    sex = models.CharField(max_length=8, choices=SEXES, default="unknown")
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_band = models.CharField(max_length=16, blank=True)
    # Its name's words are in NameWord (under the newest key): services/name_words.py
    name_words_indexed = models.BooleanField(default=False)

    class Meta:
        indexes = [  # the few records not yet indexed, found without reading the table
            models.Index(
                fields=["id"],
                condition=models.Q(name_words_indexed=False),
                name="victimrecord_words_pending",
            )
        ]


class NameWord(models.Model):
    """A word of some victim record's name or father's name, as a keyed hash (HMAC from the
    newest field key, `key_id` naming it), tied to no record: to tell whether a free text a
    person writes names a victim, without reading a name (services/name_words.py)."""

    digest = models.CharField(max_length=64, primary_key=True)  # no id: no insertion order
    key_id = models.CharField(max_length=16, db_index=True)


from civharm.incidents.linking import *  # noqa: E402, F403
from civharm.incidents.review import *  # noqa: E402, F403
