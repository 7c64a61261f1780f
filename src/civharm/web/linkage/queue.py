"""The review queue: pairs linkage could not settle, most uncertain (or chained) first.

Lists reports by source, date, place and pseudonym; never a name.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Abs
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from civharm.accounts.permissions import capability_required
from civharm.incidents.models import LinkCandidate, LinkRun, Report, VictimRecord
from civharm.web.linkage.forms import KIND_CHOICES, QueueFilterForm

PAGE_SIZE = 50


def pending_pairs(kind: str, sort: str) -> QuerySet[LinkCandidate]:
    """Pending candidates of `kind` ("" for both) in review order; ties by id, so stable."""
    queryset = LinkCandidate.objects.filter(status="pending")
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = queryset.annotate(uncertainty=Abs(F("probability") - Value(0.5)))
    if sort == "chained":
        queryset = queryset.annotate(
            chained_rank=Case(
                When(reason="chained", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        return queryset.order_by("chained_rank", "uncertainty", "id")
    return queryset.order_by("uncertainty", "id")


def pending_counts() -> dict[str, int]:
    """Pending pairs per kind, and "" for all of them."""
    rows = LinkCandidate.objects.filter(status="pending").values("kind").annotate(n=Count("id"))
    counts = {"incident": 0, "person": 0}
    counts.update({row["kind"]: row["n"] for row in rows.order_by()})
    counts[""] = sum(counts.values())
    return counts


def decision_message(decision: str, kind: str, done: dict[str, int], waiting: int) -> str:
    """What a verdict did: it may merge or split more than its pair (the records' groups are
    formed again), and propose pairs the new groups would chain. `waiting`: pairs of this kind
    pending before it."""
    verdict = _("same") if decision == "match" else _("different")
    groups = done.get("clusters", 0)
    if kind == "incident":
        owners = ngettext("{count} incident", "{count} incidents", groups)
    else:
        owners = ngettext("{count} person", "{count} persons", groups)
    return _(
        "Decision recorded: {verdict}. The {records} records concerned now count towards "
        "{owners}; pairs of this kind waiting for review: {pending} (before: {before})."
    ).format(
        verdict=verdict,
        records=done.get("records", 0),
        owners=owners.format(count=groups),
        pending=pending_counts()[kind],
        before=waiting,
    )


def percent(probability: float) -> str:
    return _("{percent}%").format(percent=round(probability * 100))


def pseudonym_of(report: Report) -> str:
    """The pseudonym of the Person a victim report counts as ("" for an event report)."""
    try:
        return report.victim_record.person.pseudonym
    except VictimRecord.DoesNotExist:
        return ""


def with_reports(queryset: QuerySet[LinkCandidate]) -> QuerySet[LinkCandidate]:
    """Both reports with their source and person, in one query (never their payload)."""
    return queryset.select_related(
        "left__source",
        "right__source",
        "left__victim_record__person",
        "right__victim_record__person",
    ).defer("left__payload", "right__payload")


def _label_rows(candidates: list[LinkCandidate]) -> list[LinkCandidate]:
    for candidate in candidates:
        candidate.percent = percent(candidate.probability)
        for report in (candidate.left, candidate.right):
            report.pseudonym = pseudonym_of(report)
    return candidates


def latest_runs() -> list[dict[str, object]]:
    """The latest linkage run of each kind, with what came of it: "stopped" for a run still
    marked running whose process on this machine is gone (killed outright)."""
    rows = []
    for kind, label in KIND_CHOICES[1:]:  # incidents, persons
        # a finished run's settings hold its model (large): read only a running run's
        run = LinkRun.objects.filter(kind=kind).defer("settings").order_by("-id").first()
        if run is None:
            continue
        status = "stopped" if run.status == "running" and run.stopped_outright() else run.status
        rows.append({"label": label, "run": run, "status": status})
    return rows


@capability_required("review")
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    kind, sort = form.values()
    page = Paginator(with_reports(pending_pairs(kind, sort)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _label_rows(list(page.object_list))
    counts = pending_counts()
    tabs = [
        {"kind": value, "label": label, "count": counts[value], "current": value == kind}
        for value, label in form.fields["kind"].choices
    ]
    context = {
        "form": form,
        "page": page,
        "tabs": tabs,
        "kind": kind,
        "sort": sort,
        "can_see_persons": request.user.can("view_persons"),  # type: ignore[union-attr]
        "latest_runs": latest_runs(),
    }
    return render(request, "web/linkage/queue.html", context)
