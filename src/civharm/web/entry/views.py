"""Pages to file a report by hand and to import a file after previewing it.

Nothing reaches the register before the user saves (form) or confirms (upload). Previews of
victim lists never show a name or contact; upload URLs carry a random token, never a file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civharm.accounts.permissions import capability_required
from civharm.core import i18n
from civharm.core.place_suggestions import place_by_choice, suggest_places
from civharm.incidents.services import import_preview
from civharm.incidents.services.import_preview import PendingUpload
from civharm.incidents.services.manual_reports import file_manual_report, web_entry_source
from civharm.ingest.records import UnreadableFile
from civharm.web.entry.forms import ReportEntryForm, UploadForm, max_upload_bytes
from civharm.web.entry.preview_rows import event_rows, victim_rows

PLACE_FIELDS = ("place", "admin3", "admin2", "admin1", "latitude", "longitude")


@contextmanager
def _readers_in_page_language() -> Iterator[None]:
    """The file readers' messages (civharm.core.i18n) in the page's language, then restored."""
    previous = i18n.get_language()
    i18n.activate(get_language() or "fr")
    try:
        yield
    finally:
        i18n.activate(previous)


def incident_url(pk: int) -> str:
    """The incident page (built in the register area); the entry form until it exists."""
    try:
        return reverse("web:incident", args=[pk])
    except NoReverseMatch:
        return reverse("web:report_new")


@capability_required("file_report")
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    form = ReportEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = web_entry_source(data["source_name"], data["source_type"])
        filed = file_manual_report(form.manual_report(), source, actor=request.user.get_username())
        if filed.created:
            messages.success(
                request, _("Report saved as incident {code}.").format(code=filed.incident.code)
            )
        else:
            messages.info(
                request,
                _("This report was already saved (incident {code}).").format(
                    code=filed.incident.code
                ),
            )
        return redirect(incident_url(filed.incident.pk))
    return render(request, "web/entry/report_form.html", {"form": form})


@capability_required("file_report")
@require_GET
def place_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: suggestions for the typed place, or (with `pick`) the place fields filled in."""
    picked = place_by_choice(request.GET.get("pick", ""))
    if picked is not None:
        initial = {name: request.GET.get(name, "") for name in ("latitude", "longitude")}
        initial.update(
            place=picked.name if picked.kind == "locality" else "",
            admin3=picked.admin3,
            admin2=picked.admin2,
            admin1=picked.admin1,
        )
        form = ReportEntryForm(initial=initial)
        return render(request, "web/entry/_place_fields.html", {"form": form})
    text = request.GET.get("place") or request.GET.get("q") or ""
    suggestions = suggest_places(text, limit=8)
    kinds = {"locality": _("locality"), "admin2": _("cercle"), "admin1": _("region")}
    rows = [{"place": s, "kind": kinds[s.kind]} for s in suggestions]
    return render(
        request, "web/entry/_place_suggestions.html", {"suggestions": rows, "typed": text}
    )


@capability_required("import")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        pending = import_preview.save_upload(
            upload.chunks(),
            owner_id=request.user.pk,
            source_format=data["source_format"],
            source_name=data["source_name"].strip(),
            source_type=data["source_type"],
            original_name=upload.name or "",
        )
        return redirect("web:import_preview", token=pending.token)
    limit_mb = max_upload_bytes() // 1024 // 1024
    return render(request, "web/entry/upload.html", {"form": form, "limit_mb": limit_mb})


def _pending(request: HttpRequest, token: str) -> PendingUpload:
    pending = import_preview.load_upload(token, request.user.pk)
    if pending is None:
        raise Http404  # someone else's upload, or one already confirmed or cancelled
    return pending


@capability_required("import")
@require_GET
def import_preview_page(request: HttpRequest, token: str) -> HttpResponse:
    pending = _pending(request, token)
    context: dict[str, object] = {"pending": pending}
    try:
        with _readers_in_page_language():
            preview = import_preview.preview_import(pending)
    except UnreadableFile as exc:
        context["unreadable"] = str(exc)
        return render(request, "web/entry/preview.html", context)
    is_victims = pending.source_format == "victims"
    context.update(
        preview=preview,
        is_victims=is_victims,
        rows=victim_rows(preview.records) if is_victims else event_rows(preview.records),
    )
    return render(request, "web/entry/preview.html", context)


@capability_required("import")
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    pending = _pending(request, token)
    try:
        with _readers_in_page_language():
            outcome = import_preview.confirm_import(pending, actor=request.user.get_username())
    except (UnreadableFile, ValueError) as exc:  # ValueError: e.g. a victim list as "dataset"
        messages.error(request, str(exc))
        return redirect("web:import_upload")
    context = {
        "outcome": outcome,
        "pending": pending,
        "language_next": reverse("web:import_upload"),
    }
    return render(request, "web/entry/outcome.html", context)  # language switch: not to a POST


@capability_required("import")
@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    import_preview.discard_upload(_pending(request, token))
    messages.info(
        request, _("The upload was cancelled and the file deleted; nothing was imported.")
    )
    return redirect("web:import_upload")
