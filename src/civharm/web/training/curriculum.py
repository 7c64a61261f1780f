"""Pages: the training overview, one module with its versions, a new version of a module's
content, and the training partners with the modules each delivers.

Shows no participant at all: sessions appear by code, unit and number of participants.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civharm.accounts.permissions import capability_required
from civharm.training.curriculum import add_module_version
from civharm.training.models import Session, TrainingModule, TrainingPartner
from civharm.web.training.forms import ModuleVersionForm, bound_data, module_title
from civharm.web.training.gain import gain_labels, gain_table
from civharm.web.training.navigation import render_page

RECENT_SESSIONS = 10


def _modules() -> list[TrainingModule]:
    modules = list(
        TrainingModule.objects.annotate(
            latest=Max("versions__version"),
            session_count=Count("versions__sessions", distinct=True),
            question_count=Count("questions", filter=Q(questions__active=True), distinct=True),
        ).order_by("key")
    )
    for module in modules:
        module.shown_title = module_title(module)
    return modules


def recent_sessions(limit: int = RECENT_SESSIONS) -> list[Session]:
    sessions = Session.objects.select_related("module_version__module", "unit", "partner")
    sessions = sessions.annotate(
        participant_count=Count("attendances", distinct=True),
        attended_count=Count("attendances", filter=Q(attendances__attended=True), distinct=True),
    )
    shown = list(sessions.order_by("-held_on", "-id")[:limit])
    for session in shown:
        session.module_title = module_title(session.module_version.module)
    return shown


@capability_required("view_training")
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    context = {
        "modules": _modules(),
        "partners": TrainingPartner.objects.prefetch_related("modules").order_by("name"),
        "sessions": recent_sessions(),
        "gain": gain_table("module"),
        "labels": gain_labels(),
    }
    return render_page(request, "web/training/overview.html", context)


@capability_required("view_training")
@require_GET
def module_detail(request: HttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(TrainingModule, pk=pk)
    versions = list(module.versions.annotate(session_count=Count("sessions")).order_by("-version"))
    context = {
        "module": module,
        "title": module_title(module),
        "versions": versions,
        "current": versions[0] if versions else None,
        "partners": module.partners.order_by("name"),
        "question_count": module.questions.filter(active=True).count(),
    }
    return render_page(request, "web/training/module.html", context)


@capability_required("manage_training")
@require_http_methods(["GET", "POST"])
def module_version_new(request: HttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(TrainingModule, pk=pk)
    current = module.current_version
    initial = {}
    if current is not None:
        initial = {"objectives": current.objectives, "materials": current.materials}
    form = ModuleVersionForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = add_module_version(
            module,
            objectives=data["objectives"],
            materials=data["materials"],
            notes=data["notes"].strip(),
            actor=request.user.get_username(),
        )
        messages.success(
            request, _("Version {version} of the module saved.").format(version=version.version)
        )
        return redirect("web:training_module", pk=module.pk)
    if request.method == "POST":
        messages.error(request, _("The version was not saved: see the fields marked below."))
    context = {"module": module, "title": module_title(module), "form": form, "current": current}
    return render_page(request, "web/training/module_version_form.html", context)


@capability_required("view_training")
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    partners = list(
        TrainingPartner.objects.prefetch_related("modules")
        .annotate(session_count=Count("sessions"))
        .order_by("kind", "name")
    )
    for partner in partners:
        partner.module_titles = [module_title(m) for m in partner.modules.all()]
    return render_page(request, "web/training/partners.html", {"partners": partners})
