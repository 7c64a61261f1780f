"""The report entry form and the upload form. Dates and tolls are read by the importers' own
parsers, so a value the form accepts is a value an import would accept.

Messages name the field and the shape expected; they never echo a person's name.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import CREDIBILITY, RELIABILITY, Source
from civharm.incidents.services.importing import DEFAULT_SOURCES
from civharm.incidents.services.manual_reports import (
    DEFAULT_SOURCE_NAME,
    DEFAULT_SOURCE_TYPE,
    ManualReport,
)
from civharm.ingest.counts import CountParseError, parse_count
from civharm.ingest.dates import DateParseError, DateRange, parse_date
from civharm.ingest.incident_fields import HARM_FIELDS
from civharm.ingest.pipeline import FORMATS

DATE_PRECISION_CHOICES = [
    ("", _lazy("as written")),
    ("jour", _lazy("day")),
    ("semaine", _lazy("week")),
    ("mois", _lazy("month")),
    ("annee", _lazy("year")),
]
LANGUAGE_CHOICES = [
    ("", "—"),
    ("fr", _lazy("French")),
    ("en", _lazy("English")),
    ("bm", _lazy("Bambara")),
    ("ff", _lazy("Fulfulde (Peul)")),
    ("ses", _lazy("Songhay")),
    ("tmh", _lazy("Tamasheq")),
    ("dts", _lazy("Dogon")),
    ("ar", _lazy("Arabic")),
]
RELIABILITY_HELP = _lazy("A completely reliable … E unreliable, F cannot be judged")
CREDIBILITY_HELP = _lazy("1 confirmed … 5 improbable, 6 cannot be judged")
_NEGATIVE = re.compile(r"^\s*-\s*\d")
# Form fields that are not part of the report's original payload.
NOT_PAYLOAD = ("csrfmiddlewaretoken",)


def _labels(part: str) -> list[tuple[str, str]]:
    return load_taxonomy(settings.CIVHARM["COUNTRY_PACK"]).choices(part, get_language() or "fr")


class ReportEntryForm(forms.Form):
    """The incident-report template, one field per column."""

    date = forms.CharField(
        label=_lazy("Date of the incident"),
        required=False,
        max_length=40,
        help_text=_lazy("14/03/2022, 2022-03-14, 14 mars 2022 or mars 2022"),
    )
    date_end = forms.CharField(
        label=_lazy("End date (if it lasted)"), required=False, max_length=40
    )
    date_precision = forms.ChoiceField(
        label=_lazy("Date precision"), choices=DATE_PRECISION_CHOICES, required=False
    )
    place = forms.CharField(label=_lazy("Locality"), required=False, max_length=200)
    admin3 = forms.CharField(label=_lazy("Commune"), required=False, max_length=100)
    admin2 = forms.CharField(label=_lazy("Cercle"), required=False, max_length=100)
    admin1 = forms.CharField(label=_lazy("Region"), required=False, max_length=100)
    latitude = forms.FloatField(
        label=_lazy("Latitude"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_lazy("Longitude"), required=False, min_value=-180, max_value=180
    )
    perpetrator = forms.MultipleChoiceField(
        label=_lazy("Alleged perpetrator(s)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    context = forms.ChoiceField(label=_lazy("Interaction context"), required=False)
    description = forms.CharField(
        label=_lazy("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    source_reference = forms.CharField(
        label=_lazy("Source reference"), required=False, max_length=300
    )
    source_name = forms.CharField(
        label=_lazy("Source"), max_length=200, initial=DEFAULT_SOURCE_NAME
    )
    source_type = forms.ChoiceField(label=_lazy("Source type"), initial=DEFAULT_SOURCE_TYPE)
    language = forms.ChoiceField(label=_lazy("Language"), choices=LANGUAGE_CHOICES, required=False)
    reliability = forms.ChoiceField(
        label=_lazy("Source reliability"), choices=RELIABILITY, initial="F",
        help_text=RELIABILITY_HELP,
    )  # fmt: skip
    credibility = forms.ChoiceField(
        label=_lazy("Information credibility"), choices=CREDIBILITY, initial="6",
        help_text=CREDIBILITY_HELP,
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["perpetrator"].choices = _labels("actors")
        self.fields["context"].choices = [("", "—"), *_labels("interaction_contexts")]
        self.fields["source_type"].choices = _labels("source_types")
        for key, label in _labels("harm_types"):
            if key in HARM_FIELDS:
                self.fields[key] = forms.CharField(
                    label=label, required=False, max_length=40, validators=[_valid_toll]
                )
        self.fields["place"].widget.attrs.update(
            {
                "hx-get": reverse("web:place_suggest"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#place-suggestions",
                "hx-sync": "this:replace",
                "autocomplete": "off",
                "aria-controls": "place-suggestions",
            }
        )

    def harm_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in HARM_FIELDS if name in self.fields]

    def clean_date(self) -> str:
        return _checked_date(self.cleaned_data["date"])

    def clean_date_end(self) -> str:
        return _checked_date(self.cleaned_data["date_end"])

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date"), data.get("date_end")
        if start and end and parse_date(str(end)).end < parse_date(str(start)).start:
            self.add_error("date_end", _("The end date is before the start date."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        places = ("place", "admin3", "admin2", "admin1", "latitude")
        if not data.get("date") and not any(data.get(name) for name in places):
            raise forms.ValidationError(_("Give at least a date or a place."))
        return data

    def manual_report(self) -> ManualReport:
        """The cleaned form as the service takes it; the payload is the submitted data."""
        data = self.cleaned_data
        payload = {
            key: ", ".join(values) for key, values in self.data.lists() if key not in NOT_PAYLOAD
        }
        payload["perpetrator"] = "; ".join(data.get("perpetrator") or [])
        payload["source"] = data.get("source_reference") or ""
        payload.pop("source_reference", None)
        return ManualReport(
            payload={k: v.strip() for k, v in payload.items()},
            perpetrators=list(data.get("perpetrator") or []),
            interaction_context=data.get("context") or "",
            reliability=data["reliability"],
            credibility=data["credibility"],
        )


def _checked_date(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        found: DateRange = parse_date(text)
    except DateParseError:
        raise forms.ValidationError(
            _(
                "« {value} » is not a date we can read: write 14/03/2022, 2022-03-14, "
                "14 mars 2022 or mars 2022."
            ).format(value=text[:40])
        ) from None
    if found.start > timezone.localdate() + dt.timedelta(days=1):
        raise forms.ValidationError(_("This date is in the future."))
    return text


def _valid_toll(text: str) -> None:
    if _NEGATIVE.match(text):
        raise forms.ValidationError(_("A toll cannot be negative."))
    try:
        parse_count(text)
    except CountParseError:
        raise forms.ValidationError(
            _(
                "Write a number (12), a range (20-30), « environ 20 », « au moins 20 », "
                "or leave it empty if unknown."
            )
        ) from None


def max_upload_bytes() -> int:
    return int(settings.CIVHARM.get("MAX_UPLOAD_MB", 20)) * 1024 * 1024


class UploadForm(forms.Form):
    """Which reader, which source, which file."""

    source_format = forms.ChoiceField(label=_lazy("Format"))
    source_name = forms.CharField(
        label=_lazy("Source"),
        required=False,
        max_length=200,
        help_text=_lazy("The organisation or list the file comes from."),
    )
    source_type = forms.ChoiceField(label=_lazy("Source type"), required=False)
    file = forms.FileField(label=_lazy("File (CSV or XLSX)"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["source_format"].choices = [(key, key.upper()) for key in FORMATS]
        self.fields["source_type"].choices = [
            ("", _("default for the format")),
            *_labels("source_types"),
        ]
        names = Source.objects.order_by("name").values_list("name", flat=True)[:200]
        self.fields["source_name"].widget.attrs["list"] = "known-sources"
        self.known_sources = list(names)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is {size} MB; the limit is {limit} MB. Split it and import each part.")
                .format(size=round(upload.size / 1024 / 1024, 1), limit=limit // 1024 // 1024)
            )  # fmt: skip
        return upload

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        fmt = data.get("source_format")
        if fmt and fmt not in DEFAULT_SOURCES and not (data.get("source_name") or "").strip():
            self.add_error("source_name", _("Name the source of this file."))
        return data
