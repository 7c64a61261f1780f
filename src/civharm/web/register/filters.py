"""The register's filter form and the queryset it selects (shared by the page and its export).

Filters and sorts only touch incident fields and counts: never a person's data.
"""

from __future__ import annotations

from django import forms
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import load_taxonomy
from civharm.core.text import fold
from civharm.incidents.models import HarmCount, Incident, IncidentPerpetrator, Report, Source

DATE_INPUT = forms.DateInput({"type": "date"}, format="%Y-%m-%d")
SORTS = {
    "-date": ("-date_start", "-id"),
    "date": ("date_start", "id"),
    "region": ("admin1_name", "admin2_name", "-date_start", "-id"),
    "-killed": ("-killed_best_sort", "-date_start", "-id"),
}
SORT_CHOICES = [
    ("-date", _("newest first")),
    ("date", _("oldest first")),
    ("region", _("region")),
    ("-killed", _("most killed (best estimate)")),
]


def _with_blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("all")), *choices]


class RegisterFilterForm(forms.Form):
    """A plain GET form: every field optional, unknown values are form errors, not crashes."""

    date_from = forms.DateField(label=_("from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("to"), required=False, widget=DATE_INPUT)
    region = forms.ChoiceField(label=_("region"), required=False)
    cercle = forms.ChoiceField(label=_("cercle"), required=False)
    actor = forms.ChoiceField(label=_("alleged actor"), required=False)
    harm_type = forms.ChoiceField(label=_("harm type"), required=False)
    context = forms.ChoiceField(label=_("interaction context"), required=False)
    grade = forms.ChoiceField(label=_("assessment grade"), required=False)
    status = forms.ChoiceField(label=_("review status"), required=False)
    source = forms.TypedChoiceField(label=_("source"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(label=_("sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        taxonomy, language = load_taxonomy(), get_language() or "fr"
        gazetteer = Gazetteer.load()
        fields = self.fields
        fields["region"].choices = _with_blank(sorted(gazetteer.admin1_units(), key=_by_name))
        cercles = [(pcode, name) for pcode, name, _region in gazetteer.admin2_units()]
        fields["cercle"].choices = _with_blank(sorted(cercles, key=_by_name))
        fields["actor"].choices = _with_blank(taxonomy.choices("actors", language))
        fields["harm_type"].choices = _with_blank(taxonomy.choices("harm_types", language))
        fields["context"].choices = _with_blank(taxonomy.choices("interaction_contexts", language))
        fields["grade"].choices = _with_blank(
            [*taxonomy.choices("assessment_grades", language), ("none", _("not graded"))]
        )
        fields["status"].choices = _with_blank(taxonomy.choices("review_statuses", language))
        fields["source"].choices = _with_blank(
            [
                (str(pk), name)
                for pk, name in Source.objects.order_by("name").values_list("pk", "name")
            ]
        )

    def active_filters(self) -> dict[str, str]:
        """The filters in use, as text (for the audit entry of an export)."""
        if not self.is_valid():
            return {}
        return {
            k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "") and k != "sort"
        }


def _by_name(choice: tuple[str, str]) -> str:
    return fold(choice[1])  # "Ménaka" sorts with "Menaka", not after "Mopti"


def killed_best() -> Subquery:
    return Subquery(
        HarmCount.objects.filter(incident=OuterRef("pk"), harm_type="killed").values("best")[:1],
        output_field=IntegerField(),
    )


def filtered_incidents(form: RegisterFilterForm) -> QuerySet[Incident]:
    """Incidents matching a valid form (all incidents when it is not valid), unsorted; never
    one merged into another by linkage (its reports count in the other)."""
    queryset = Incident.objects.filter(merged_into__isnull=True)
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    simple = {
        "date_start__gte": data["date_from"],
        "date_start__lte": data["date_to"],
        "admin1_pcode": data["region"],
        "admin2_pcode": data["cercle"],
        "interaction_context": data["context"],
        "review_status": data["status"],
    }
    queryset = queryset.filter(**{key: value for key, value in simple.items() if value})
    if data["grade"]:
        queryset = queryset.filter(
            assessment_grade="" if data["grade"] == "none" else data["grade"]
        )
    if data["actor"]:
        by_actor = IncidentPerpetrator.objects.filter(
            incident=OuterRef("pk"), actor__key=data["actor"]
        )
        queryset = queryset.filter(Exists(by_actor))
    if data["harm_type"]:
        harmed = HarmCount.objects.filter(
            incident=OuterRef("pk"), harm_type=data["harm_type"]
        ).filter(Q(best__gt=0) | Q(high__gt=0) | Q(low__gt=0))
        queryset = queryset.filter(Exists(harmed))
    if data["source"]:
        reported = Report.objects.filter(incident=OuterRef("pk"), source_id=data["source"])
        queryset = queryset.filter(Exists(reported))
    return queryset


def sorted_incidents(queryset: QuerySet[Incident], sort: str) -> QuerySet[Incident]:
    order = SORTS.get(sort or "-date", SORTS["-date"])
    if sort == "-killed":
        # Incidents with no known toll sort last, not first (NULL is largest on PostgreSQL).
        return queryset.annotate(killed_best_sort=killed_best()).order_by(
            F("killed_best_sort").desc(nulls_last=True), *order[1:]
        )
    return queryset.order_by(*order)
