"""The administrator's audit page: entries newest first, filtered, and whether the chain holds.

Read-only. Entries carry field names, never protected values, so the page shows them as they are.
"""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from civharm.accounts.audit import ChainReport, verify_chain
from civharm.accounts.models import AuditEntry
from civharm.accounts.permissions import capability_required

DATE_INPUT = forms.DateInput({"type": "date"}, format="%Y-%m-%d")
PAGE_SIZE = 50
CHAIN_CACHE_SECONDS = 60


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("action"), required=False)
    object_type = forms.ChoiceField(label=_("record type"), required=False)
    date_from = forms.DateField(label=_("from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("to"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("action", "object_type"):
            values = AuditEntry.objects.order_by(name).values_list(name, flat=True).distinct()
            self.fields[name].choices = [("", _("all")), *((v, v) for v in values)]


def filtered_entries(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-id")
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    lookups = {
        "actor__icontains": data["actor"].strip(),
        "action": data["action"],
        "object_type": data["object_type"],
        "at__date__gte": data["date_from"],
        "at__date__lte": data["date_to"],
    }
    return entries.filter(**{key: value for key, value in lookups.items() if value})


def chain_status() -> ChainReport:
    """verify_chain() reads every entry: cache its answer briefly, keyed on the chain's tail."""
    tail = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
    key = f"civharm:audit-chain:{tail}"
    report = cache.get(key)
    if report is None:
        report = verify_chain()
        cache.set(key, report, CHAIN_CACHE_SECONDS)
    return report


@capability_required("audit")
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered_entries(form), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "chain": chain_status()}
    return render(request, "web/audit_trail/audit.html", context)
