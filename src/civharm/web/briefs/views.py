"""Advocacy briefs from the web: a form, the list of past briefs, their downloads.

A brief holds disclosure-controlled aggregates only; these pages never show a record.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts import audit
from civharm.accounts.permissions import capability_required
from civharm.advocacy.briefs import BriefError, archive_path, brief_request, make_brief
from civharm.advocacy.models import LANGUAGES, Brief
from civharm.core.gazetteer import Gazetteer

DOWNLOADS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _regions() -> list[tuple[str, str]]:
    return Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"]).admin1_units()


class BriefForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Region"))
    month_from = forms.CharField(
        label=gettext_lazy("From (month)"), widget=forms.TextInput(attrs={"type": "month"})
    )
    month_to = forms.CharField(
        label=gettext_lazy("To (month)"), widget=forms.TextInput(attrs={"type": "month"})
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the brief"), choices=LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        labels = (str(self.fields["month_from"].label), str(self.fields["month_to"].label))
        try:
            data["request"] = brief_request(
                data["region"], data["month_from"], data["month_to"], data["language"], labels
            )
        except BriefError as error:
            raise forms.ValidationError(str(error)) from None
        return data


@require_GET
@capability_required("make_briefs")
def briefs_page(request: HttpRequest) -> HttpResponse:
    language = (translation.get_language() or "fr")[:2]
    form = BriefForm(initial={"language": language, "region": "ML05"})
    context = {"form": form, "briefs": Brief.objects.all()[:50]}
    return render(request, "web/briefs/briefs.html", context)


@capability_required("make_briefs")
@require_POST
def make_brief_view(request: HttpRequest) -> HttpResponse:
    form = BriefForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("web:briefs")
    try:
        outcome = make_brief(form.cleaned_data["request"], actor=request.user.get_username())
    except BriefError as error:
        messages.error(request, str(error))
        return redirect("web:briefs")
    if outcome.pdf is None:
        messages.warning(request, outcome.pdf_problem)
    else:
        messages.success(
            request,
            _("Brief {id} written in {seconds:.1f} s.").format(
                id=outcome.brief.pk, seconds=outcome.seconds
            ),
        )
    return redirect("web:briefs")


@require_GET
@capability_required("make_briefs")
def brief_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A brief's PDF or HTML, as an attachment (the HTML is meant to be shared, not browsed
    inside the application)."""
    if kind not in DOWNLOADS:
        raise Http404
    brief = get_object_or_404(Brief, pk=pk)
    if brief.withdrawn_at is not None:
        # Its files were deleted: it quoted someone who has since withdrawn consent.
        return render(request, "web/briefs/withdrawn.html", {"brief": brief}, status=410)
    path = archive_path(brief, kind)
    if not path.is_file():  # no PDF drawn (no Pango), or the data folder lost the copy
        messages.error(
            request,
            _("Brief {id} has no {kind} file in the data folder; write it again.").format(
                id=brief.pk, kind=kind.upper()
            ),
        )
        return redirect("web:briefs")
    name = (brief.file_name or f"brief-{brief.pk}.pdf").rsplit(".", 1)[0] + f".{kind}"
    # A download is a copy leaving the system, like any export: who took which brief, and when.
    audit.record(request.user.get_username(), "export", "Brief", brief.pk, details={"kind": kind})
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=DOWNLOADS[kind]
    )
