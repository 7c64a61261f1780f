"""Forms of the training pages: a module version, a session, a participant, attendance and a
test's answers.

A service number or name typed into the participant form is never rendered back: the widgets
drop their value, so an error page cannot echo it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civharm.training.models import (
    RANKS,
    ModuleVersion,
    Question,
    TrainingModule,
    TrainingPartner,
    Unit,
)
from civharm.web.research.forms import DATE_INPUT, UnrenderedTextInput, region_choices


def language() -> str:
    return (get_language() or "fr")[:2]


def module_title(module: TrainingModule) -> str:
    return module.title(language())


def version_label(version: ModuleVersion) -> str:
    return _("{title} (version {version})").format(
        title=module_title(version.module), version=version.version
    )


class ModuleVersionForm(forms.Form):
    objectives = forms.CharField(
        label=_lazy("Learning objectives"),
        widget=forms.Textarea({"rows": 6}),
        help_text=_lazy("One objective per line."),
    )
    materials = forms.CharField(
        label=_lazy("Materials"),
        widget=forms.Textarea({"rows": 5}),
        required=False,
        help_text=_lazy("One per line: title — reference, web address or file name."),
    )
    notes = forms.CharField(
        label=_lazy("What changed in this version"),
        widget=forms.Textarea({"rows": 3}),
        required=False,
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return version_label(obj)


class SessionForm(forms.Form):
    module_version = VersionChoiceField(
        label=_lazy("Module"), queryset=ModuleVersion.objects.none(), empty_label=None
    )
    held_on = forms.DateField(label=_lazy("First day"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_lazy("Last day"), widget=DATE_INPUT, required=False)
    place_name = forms.CharField(label=_lazy("Place"), max_length=300)
    admin1_pcode = forms.ChoiceField(label=_lazy("Region"), required=False)
    unit = forms.ModelChoiceField(
        label=_lazy("Unit trained"),
        queryset=Unit.objects.all(),
        required=False,
        empty_label=_lazy("— a new unit (type its name below) —"),
    )
    new_unit = forms.CharField(
        label=_lazy("New unit's name"),
        max_length=300,
        required=False,
        help_text=_lazy("Only when the unit is not in the list above."),
    )
    partner = forms.ModelChoiceField(
        label=_lazy("Training partner"),
        queryset=TrainingPartner.objects.all(),
        required=False,
        empty_label=_lazy("— none (our own trainers) —"),
    )
    trainers = forms.CharField(
        label=_lazy("Trainers"),
        widget=forms.Textarea({"rows": 3}),
        help_text=_lazy("One trainer per line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module_version"].queryset = current_versions()
        self.fields["admin1_pcode"].choices = [("", "—"), *region_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, new_unit = data.get("unit"), (data.get("new_unit") or "").strip()
        if unit is None and not new_unit:
            self.add_error("unit", _("Choose the unit trained, or type a new unit's name."))
        if unit is not None and new_unit:
            self.add_error("new_unit", _("Either choose a unit or type a new one, not both."))
        ends_on, held_on = data.get("ends_on"), data.get("held_on")
        if ends_on and held_on and ends_on < held_on:
            self.add_error("ends_on", _("The last day cannot come before the first day."))
        return data

    def clean_held_on(self) -> date | None:
        return session_day(self.cleaned_data.get("held_on"))

    def clean_ends_on(self) -> date | None:
        return session_day(self.cleaned_data.get("ends_on"))


FIRST_SESSION_DAY = date(1990, 1, 1)


def session_day(day: date | None) -> date | None:
    """A session's day between 1 January 1990 and a year from today (planned sessions may be
    recorded ahead; a typo such as 2204 may not)."""
    if day is None:
        return None
    today = timezone.localdate()
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + 1, day=28)
    if not FIRST_SESSION_DAY <= day <= latest:
        raise forms.ValidationError(_("Give a day between 1 January 1990 and one year from today."))
    return day


def current_versions() -> Any:
    """Each module's highest version (sessions are recorded against the current content)."""
    latest = {}
    for version in ModuleVersion.objects.select_related("module").order_by("module", "version"):
        latest[version.module_id] = version.pk
    queryset = ModuleVersion.objects.filter(pk__in=latest.values()).select_related("module")
    return queryset.order_by("module__key")


class ParticipantForm(forms.Form):
    service_number = forms.CharField(
        label=_lazy("Service number"),
        max_length=64,
        widget=UnrenderedTextInput({"autocomplete": "off"}),
        help_text=_lazy("Stored encrypted; the same number finds the same participant again."),
    )
    name = forms.CharField(
        label=_lazy("Full name (for the certificate)"),
        max_length=200,
        widget=UnrenderedTextInput({"autocomplete": "off"}),
    )
    rank = forms.ChoiceField(label=_lazy("Rank"), choices=RANKS)
    unit = forms.ModelChoiceField(label=_lazy("Unit"), queryset=Unit.objects.all())


class AttemptForm(forms.Form):
    """One radio group per active question of the module's bank."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = language()
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=f"{number}. {question.text(lang)}",
                choices=question.choice_labels(lang),
                widget=forms.RadioSelect,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.questions and not any(data.get(f"q{q.pk}") for q in self.questions):
            raise forms.ValidationError(
                _("No answer was entered. Tick the participant's answer to each question.")
            )
        return data

    def answers(self) -> dict[str, str]:
        """{question id: chosen key}; a question left blank is not sent (it scores nothing)."""
        chosen = {str(q.pk): self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
        return {key: value for key, value in chosen.items() if value}


def bound_data(request: Any) -> Any:
    """The posted data (even when empty, so that an empty POST shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def trainer_names(trainers: str) -> list[str]:
    """Trainers are typed one per line (the demo separates them with semicolons)."""
    return [name.strip() for name in re.split(r"[\n;]+", trainers) if name.strip()]
