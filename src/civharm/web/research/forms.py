"""Forms of the research pages: filters, the new-interview form (consent included), coding,
quotes, consultations with their follow-ups, and the codebook.

A name, contact or community typed into the interview form is never rendered back: the
widgets below drop their value, so an error page cannot echo it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import SEXES, Person
from civharm.research.models import (
    CONSENT_METHODS,
    CONSULTATION_KINDS,
    DISPLACEMENT_STATUSES,
    INTERVIEW_LANGUAGES,
    LEGAL_BASES,
    THEME_GROUPS,
    Interviewee,
    Theme,
)

DATE_INPUT = forms.DateInput({"type": "date"}, format="%Y-%m-%d")
AGE_BANDS = [
    ("", _lazy("unknown")),
    ("0-17", _lazy("under 18")),
    ("18-29", "18-29"),
    ("30-44", "30-44"),
    ("45-59", "45-59"),
    ("60+", _lazy("60 and over")),
]
PERIODS = [
    ("", _lazy("any time")),
    ("30", _lazy("last 30 days")),
    ("90", _lazy("last 3 months")),
    ("365", _lazy("last 12 months")),
]
PSEUDONYM_TOKENS = re.compile(r"[\s,;]+")


class UnrenderedTextInput(forms.TextInput):
    """A text box that never shows its value back (a protected identity is write-only)."""

    def format_value(self, value: Any) -> str | None:
        return None


def _with_blank(choices: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    return [("", _lazy("all")), *choices]


def region_choices() -> list[tuple[str, str]]:
    return sorted(Gazetteer.load().admin1_units(), key=lambda item: item[1])


def cercle_choices() -> list[tuple[str, str]]:
    cercles = [(pcode, name) for pcode, name, _region in Gazetteer.load().admin2_units()]
    return sorted(cercles, key=lambda item: item[1])


def harm_choices() -> list[tuple[str, str]]:
    return load_taxonomy(settings.CIVHARM["COUNTRY_PACK"]).choices(
        "harm_types", get_language() or "fr"
    )


def theme_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    language = get_language() or "fr"
    groups = dict(THEME_GROUPS)
    by_group: dict[str, list[tuple[str, str]]] = {}
    for theme in Theme.objects.order_by("group", "key"):
        by_group.setdefault(theme.group, []).append((theme.key, theme.label(language)))
    return [(str(groups.get(group, group)), items) for group, items in by_group.items()]


class InterviewFilterForm(forms.Form):
    region = forms.ChoiceField(label=_lazy("region"), required=False)
    language = forms.ChoiceField(
        label=_lazy("language"), required=False, choices=_with_blank(INTERVIEW_LANGUAGES)
    )
    period = forms.ChoiceField(label=_lazy("period"), required=False, choices=PERIODS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _with_blank(region_choices())


QUARTERS = [
    ("", _lazy("whole year")),
    ("1", _lazy("1st quarter (January–March)")),
    ("2", _lazy("2nd quarter (April–June)")),
    ("3", _lazy("3rd quarter (July–September)")),
    ("4", _lazy("4th quarter (October–December)")),
]


class FindingsFilterForm(forms.Form):
    """?region=&year=&quarter= for roles that may read the interviews: whole regions and whole
    years or quarters only. A day filter is never offered: two days' findings subtracted from
    one another would show one day's interviewees."""

    region = forms.ChoiceField(label=_lazy("region"), required=False)
    year = forms.TypedChoiceField(label=_lazy("year"), required=False, coerce=int, empty_value=None)
    quarter = forms.TypedChoiceField(
        label=_lazy("quarter"), required=False, coerce=int, empty_value=None, choices=QUARTERS
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _lazy("whole country")), *region_choices()]
        self.fields["year"].choices = [("", _lazy("all years")), *((y, y) for y in years)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("quarter") and not data.get("year"):
            raise forms.ValidationError(_("Choose the year of the quarter."))
        return data

    def period(self) -> tuple[date | None, date | None]:
        """The first and last day of the chosen year or quarter (None, None: all time)."""
        data = self.cleaned_data if self.is_valid() else {}
        year, quarter = data.get("year"), data.get("quarter")
        if not year:
            return None, None
        if not quarter:
            return date(year, 1, 1), date(year, 12, 31)
        first_month = 3 * (quarter - 1) + 1
        next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
        return date(year, first_month, 1), next_start - timedelta(days=1)


class InterviewForm(forms.Form):
    """One interview as the field team records it, with the interviewee and the consent."""

    interviewed_on = forms.DateField(label=_lazy("interviewed on"), widget=DATE_INPUT)
    place_name = forms.CharField(label=_lazy("place"), max_length=300, required=False)
    admin2_pcode = forms.ChoiceField(label=_lazy("cercle"), required=False)
    admin1_pcode = forms.ChoiceField(label=_lazy("region"), required=False)
    language = forms.ChoiceField(label=_lazy("language"), choices=INTERVIEW_LANGUAGES)
    interviewee_pseudonym = forms.CharField(
        label=_lazy("existing interviewee (pseudonym)"),
        max_length=16,
        required=False,
        help_text=_lazy(
            "For a follow-up interview: the pseudonym (T-…) of someone already interviewed. "
            "The fields below are then not needed."
        ),
    )
    name = forms.CharField(
        label=_lazy("name of the interviewee"),
        max_length=300,
        required=False,
        widget=UnrenderedTextInput({"autocomplete": "off"}),
        help_text=_lazy(
            "Stored encrypted and never shown again; the interviewee appears by pseudonym."
        ),
    )
    contact = forms.CharField(
        label=_lazy("contact"),
        max_length=300,
        required=False,
        widget=UnrenderedTextInput({"autocomplete": "off"}),
    )
    community = forms.CharField(
        label=_lazy("community (optional, sensitive)"),
        max_length=200,
        required=False,
        widget=UnrenderedTextInput({"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=_lazy("sex"), choices=SEXES, initial="unknown", required=False)
    age_band = forms.ChoiceField(label=_lazy("age band"), choices=AGE_BANDS, required=False)
    displacement_status = forms.ChoiceField(
        label=_lazy("displacement status"),
        choices=DISPLACEMENT_STATUSES,
        initial="unknown",
        required=False,
    )
    narrative = forms.CharField(
        label=_lazy("narrative"),
        max_length=100_000,
        required=False,
        widget=forms.Textarea({"rows": 10}),
        help_text=_lazy("What the person told us, in their words. Stored encrypted."),
    )
    harms = forms.MultipleChoiceField(
        label=_lazy("harms experienced"), required=False, widget=forms.CheckboxSelectMultiple
    )
    incidents = forms.CharField(
        label=_lazy("linked incidents"),
        max_length=2000,
        required=False,
        help_text=_lazy("Incident codes separated by commas, e.g. INC-000123."),
    )
    persons = forms.CharField(
        label=_lazy("linked persons"),
        max_length=2000,
        required=False,
        help_text=_lazy("Pseudonyms of persons in the register, separated by commas."),
    )
    legal_basis = forms.ChoiceField(label=_lazy("legal basis"), choices=LEGAL_BASES)
    method = forms.ChoiceField(label=_lazy("how consent was given"), choices=CONSENT_METHODS)
    for_research = forms.BooleanField(label=_lazy("consents to research"), required=False)
    for_publication = forms.BooleanField(
        label=_lazy("consents to publication of anonymised quotes"), required=False
    )
    for_sharing = forms.BooleanField(
        label=_lazy("consents to sharing with partners"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["admin1_pcode"].choices = [("", "—"), *region_choices()]
        self.fields["admin2_pcode"].choices = [("", "—"), *cercle_choices()]
        self.fields["harms"].choices = harm_choices()

    def clean_incidents(self) -> list[Any]:
        from civharm.advocacy.recommendations import RecommendationError, incidents_from_codes

        try:
            return incidents_from_codes(self.cleaned_data["incidents"])
        except RecommendationError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_persons(self) -> list[Person]:
        tokens = [t for t in PSEUDONYM_TOKENS.split(self.cleaned_data["persons"].strip()) if t]
        found = {p.pseudonym: p for p in Person.objects.filter(pseudonym__in=tokens)}
        unknown = [t for t in tokens if t not in found]
        if unknown:
            raise forms.ValidationError(
                _("No person in the register has the pseudonym {codes}.").format(
                    codes=", ".join(unknown)
                )
            )
        return [found[t] for t in dict.fromkeys(tokens)]

    def clean_interviewee_pseudonym(self) -> str:
        """The pseudonym of a follow-up interview's interviewee, who must exist and not have
        withdrawn consent."""
        pseudonym = self.cleaned_data["interviewee_pseudonym"].strip().upper()
        if not pseudonym:
            return ""
        interviewee = Interviewee.objects.filter(pseudonym=pseudonym).first()
        if interviewee is None:
            raise forms.ValidationError(_("No interviewee has this pseudonym."))
        if interviewee.withdrawn_at is not None:
            raise forms.ValidationError(
                _("This interviewee withdrew consent: no further interview can be recorded.")
            )
        return pseudonym

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["sex"] = data.get("sex") or "unknown"  # not asked again of a known interviewee
        data["displacement_status"] = data.get("displacement_status") or "unknown"
        if data.get("legal_basis") == "consent" and not data.get("for_research"):
            self.add_error(
                "for_research",
                _("On the basis of consent, the person must have agreed to the research."),
            )
        return data


class CodingForm(forms.Form):
    """A theme and a passage: offsets from the browser's selection, or the passage quoted."""

    theme = forms.ChoiceField(label=_lazy("theme"))
    start = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    passage = forms.CharField(
        label=_lazy("quote the passage exactly"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_lazy("Select the words in the narrative, or copy them here."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "—"), *theme_choices()]  # grouped by theme group

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_offsets = data.get("start") is not None and data.get("end") is not None
        if not has_offsets and not (data.get("passage") or "").strip():
            raise forms.ValidationError(_("Select a passage of the narrative or quote it."))
        return data


class QuoteForm(forms.Form):
    excerpt = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_lazy("quote for publication"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_lazy("Edit out anything that could identify the person: names, places, dates."),
    )


class QuoteDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _lazy("approve")), ("reject", _lazy("reject"))]
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_lazy("I confirm the person has withdrawn consent"), required=True
    )
    reason = forms.CharField(
        label=_lazy("reason (never a name)"),
        max_length=200,
        required=False,
        help_text=_lazy("A few words, e.g. “asked by phone”; never who the person is."),
    )


class ConsultationForm(forms.Form):
    held_on = forms.DateField(label=_lazy("held on"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_lazy("kind"), choices=CONSULTATION_KINDS)
    organisation = forms.CharField(label=_lazy("organisation"), max_length=300, required=False)
    admin1_pcode = forms.ChoiceField(label=_lazy("region"), required=False)
    points_raised = forms.CharField(
        label=_lazy("points raised"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea({"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["admin1_pcode"].choices = [("", "—"), *region_choices()]


class ConsultationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_lazy("kind"), required=False, choices=_with_blank(CONSULTATION_KINDS)
    )
    region = forms.ChoiceField(label=_lazy("region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _with_blank(region_choices())


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_lazy("action"), max_length=2000)
    owner = forms.CharField(label=_lazy("owner"), max_length=200, required=False)
    due_on = forms.DateField(label=_lazy("due on"), required=False, widget=DATE_INPUT)


class ThemeForm(forms.Form):
    key = forms.SlugField(
        label=_lazy("key"),
        max_length=64,
        help_text=_lazy("Short, lower case, with hyphens or underscores, e.g. fear_of_return."),
    )
    label_fr = forms.CharField(label=_lazy("label (French)"), max_length=200)
    label_en = forms.CharField(label=_lazy("label (English)"), max_length=200)
    group = forms.ChoiceField(label=_lazy("group"), choices=THEME_GROUPS)
    description = forms.CharField(
        label=_lazy("description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if Theme.objects.filter(key=key).exists():
            raise forms.ValidationError(_("The codebook already has a theme with this key."))
        return key
