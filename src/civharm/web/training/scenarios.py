"""Pages: the scenario bank (case studies built from anonymised, disclosure-controlled incident
patterns) and the form that builds one for a module, region, whole calendar years and
interaction context.

A scenario holds only controlled figures and never a person; this page only shows what the
builder (civharm.training.scenarios) stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from civharm.accounts.permissions import capability_required
from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import load_taxonomy
from civharm.training.errors import TrainingError
from civharm.training.models import Scenario, TrainingModule
from civharm.web.research.forms import region_choices
from civharm.web.training.forms import bound_data, language, module_title
from civharm.web.training.navigation import render_page


def scenario_builder() -> Any | None:
    """The builder from civharm.training.scenarios, or None while it is not installed."""
    try:
        from civharm.training.scenarios import build_scenario
    except ImportError:
        return None
    return build_scenario


def context_choices() -> list[tuple[str, str]]:
    taxonomy = load_taxonomy(settings.CIVHARM["COUNTRY_PACK"])
    return taxonomy.choices("interaction_contexts", language())


class ModuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return module_title(obj)


FIRST_YEAR = 1990  # well before the register's first incidents


class ScenarioForm(forms.Form):
    """A scenario covers whole calendar years: two scenarios can then differ only by whole
    years, and the builder refuses a period that overlaps another one (see
    civharm.training.scenarios.refuse_overlapping_period)."""

    module = ModuleChoiceField(
        label=_lazy("Module"),
        queryset=TrainingModule.objects.order_by("key"),
        required=False,
        empty_label=_lazy("— any module —"),
    )
    region_pcode = forms.ChoiceField(label=_lazy("Region"))
    first_year = forms.IntegerField(label=_lazy("From the year"), min_value=FIRST_YEAR)
    last_year = forms.IntegerField(
        label=_lazy("To the year (included)"),
        min_value=FIRST_YEAR,
        help_text=_lazy(
            "Whole calendar years. A period that overlaps an existing scenario of the same "
            "region and context without being the same is refused."
        ),
    )
    context = forms.ChoiceField(label=_lazy("Interaction context"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_pcode"].choices = region_choices()
        self.fields["context"].choices = context_choices()
        for name in ("first_year", "last_year"):
            self.fields[name].validators.append(MaxValueValidator(date.today().year))
            self.fields[name].widget.attrs.update(
                {"min": FIRST_YEAR, "max": date.today().year, "step": 1}
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("first_year"), data.get("last_year")
        if start and end and end < start:
            self.add_error("last_year", _("The end of the period cannot come before its start."))
        return data


def _shown(scenarios: list[Scenario]) -> list[Scenario]:
    regions = dict(Gazetteer.load().admin1_units())
    contexts = dict(context_choices())
    for scenario in scenarios:
        scenario.region_name = regions.get(scenario.region_pcode, scenario.region_pcode)
        scenario.context_label = contexts.get(scenario.context, scenario.context)
        scenario.module_title = module_title(scenario.module) if scenario.module else ""
    return scenarios


@capability_required("view_training")
@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    scenarios = _shown(list(Scenario.objects.select_related("module").order_by("-built_at")))
    context = {"scenarios": scenarios, "available": scenario_builder() is not None}
    return render_page(request, "web/training/scenarios.html", context)


def _build(request: HttpRequest, form: ScenarioForm, build: Any) -> Scenario | None:
    data = form.cleaned_data
    try:
        return build(
            data["module"],
            data["region_pcode"],
            data["first_year"],
            data["last_year"],
            data["context"],
            actor=request.user.get_username(),
        )
    except (TrainingError, ValueError) as error:  # e.g. nothing to show after suppression
        form.add_error(None, str(error))
        return None


@capability_required("manage_training")
@require_http_methods(["GET", "POST"])
def scenario_new(request: HttpRequest) -> HttpResponse:
    build = scenario_builder()
    form = ScenarioForm(bound_data(request))
    if build is not None and request.method == "POST" and form.is_valid():
        scenario = _build(request, form, build)
        if scenario is not None:
            messages.success(request, _("Scenario “{title}” built.").format(title=scenario.title))
            return redirect(f"{_scenarios_url()}#scenario-{scenario.pk}")
    if request.method == "POST":
        messages.error(request, _("The scenario was not built: see the message below."))
    context = {"form": form, "available": build is not None}
    return render_page(request, "web/training/scenario_form.html", context)


def _scenarios_url() -> str:
    from django.urls import reverse

    return reverse("web:training_scenarios")
