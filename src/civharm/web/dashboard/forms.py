"""The dashboard's and the patterns page's filter forms (plain GET) and the filter they select.

Filters name places, actors and categories from the country pack: never a person.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civharm.analysis.dashboard import DashboardFilter
from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import load_taxonomy
from civharm.core.text import fold

CATEGORY_PREFIX = "category:"
DEFAULT_PATTERN_ACTOR = CATEGORY_PREFIX + "state_forces"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_INPUT = forms.TextInput(
    {"type": "month", "placeholder": "2022-01", "pattern": r"\d{4}-\d{2}"}
)


def _with_blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("all")), *choices]


def actor_choices() -> list[tuple[str, Any]]:
    """Actor categories first (national forces at the top, as the pack lists them), then
    each actor; one select, so a reader picks "state forces" or "FAMa" alike."""
    taxonomy, language = load_taxonomy(), get_language() or "fr"
    categories = [
        (CATEGORY_PREFIX + key, label)
        for key, label in taxonomy.choices("actor_categories", language)
    ]
    return [
        (_("Actor categories"), categories),
        (_("Actors"), taxonomy.choices("actors", language)),
    ]


def split_actor(choice: str) -> tuple[str | None, str | None]:
    """A choice of the actor select -> (actor key, actor category): one of them, or neither."""
    if choice.startswith(CATEGORY_PREFIX):
        return None, choice.removeprefix(CATEGORY_PREFIX)
    return choice or None, None


def _by_name(choice: tuple[str, str]) -> str:
    return fold(choice[1])


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (what <input type="month"> sends)."""

    def to_python(self, value: Any) -> tuple[int, int] | None:
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2022-03."))
        return int(match.group(1)), int(match.group(2))


def _first_day(month: tuple[int, int] | None) -> datetime.date | None:
    return datetime.date(month[0], month[1], 1) if month else None


def _last_day(month: tuple[int, int] | None) -> datetime.date | None:
    if not month:
        return None
    return datetime.date(month[0], month[1], calendar.monthrange(*month)[1])


class PlaceAndPeriodForm(forms.Form):
    date_from = MonthField(label=_("from (month)"), required=False, widget=MONTH_INPUT)
    date_to = MonthField(label=_("to (month)"), required=False, widget=MONTH_INPUT)
    region = forms.ChoiceField(label=_("region"), required=False)
    cercle = forms.ChoiceField(label=_("cercle"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gazetteer = Gazetteer.load()
        self.fields["region"].choices = _with_blank(sorted(gazetteer.admin1_units(), key=_by_name))
        cercles = [(pcode, name) for pcode, name, _region in gazetteer.admin2_units()]
        self.fields["cercle"].choices = _with_blank(sorted(cercles, key=_by_name))

    def query_string(self) -> str:
        """The filters as given, for the download links (a download matches what is shown)."""
        given = {name: self.data.get(name, "") for name in self.fields}
        return urlencode({name: value for name, value in given.items() if value})

    def selected(self) -> dict[str, Any]:
        """Cleaned values (empty when the form is not valid: then nothing is filtered)."""
        return dict(self.cleaned_data) if self.is_valid() else {}

    def dashboard_filter(self) -> DashboardFilter:
        data = self.selected()
        actor_key, category = split_actor(data.get("actor") or "")
        grade = data.get("grade") or None
        return DashboardFilter(
            date_from=_first_day(data.get("date_from")),
            date_to=_last_day(data.get("date_to")),
            region=data.get("region") or None,
            cercle=data.get("cercle") or None,
            actor=actor_key,
            actor_category=category,
            harm_type=data.get("harm_type") or None,
            context=data.get("context") or None,
            grade=grade,
            include_discounted=grade == "discounted",
        )


class DashboardFilterForm(PlaceAndPeriodForm):
    actor = forms.ChoiceField(label=_("alleged actor"), required=False)
    harm_type = forms.ChoiceField(label=_("harm type"), required=False)
    context = forms.ChoiceField(label=_("interaction context"), required=False)
    grade = forms.ChoiceField(label=_("assessment grade"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taxonomy, language = load_taxonomy(), get_language() or "fr"
        fields: dict[str, Any] = self.fields
        fields["actor"].choices = _with_blank(actor_choices())
        fields["harm_type"].choices = _with_blank(taxonomy.choices("harm_types", language))
        fields["context"].choices = _with_blank(taxonomy.choices("interaction_contexts", language))
        fields["grade"].choices = _with_blank(taxonomy.choices("assessment_grades", language))

    def measured_harm(self) -> str:
        """The harm whose people the charts count: the harm type filtered on, else killed."""
        return self.selected().get("harm_type") or "killed"


class PatternsFilterForm(PlaceAndPeriodForm):
    """The patterns page: one actor or category (national forces by default)."""

    actor = forms.ChoiceField(label=_("actor or category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = actor_choices()

    def chosen_actor(self) -> str:
        return self.selected().get("actor") or DEFAULT_PATTERN_ACTOR

    def dashboard_filter(self) -> DashboardFilter:
        actor_key, category = split_actor(self.chosen_actor())
        return replace(super().dashboard_filter(), actor=actor_key, actor_category=category)
