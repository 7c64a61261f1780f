"""Curriculum services: modules and their versions, question banks, partners and units, audited.

Writers take the acting username; the pages check `manage_training` first. Nothing here is
personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max

from civharm.accounts import audit
from civharm.training.models import ModuleVersion, Question, TrainingModule, TrainingPartner, Unit


def create_module(*, key: str, title_fr: str, title_en: str, actor: str) -> TrainingModule:
    with transaction.atomic():
        module = TrainingModule.objects.create(key=key, title_fr=title_fr, title_en=title_en)
        audit.record(actor, "create", "TrainingModule", module.pk, details={"module": key})
    return module


def add_module_version(
    module: TrainingModule,
    *,
    objectives: str | Sequence[str],
    materials: str | Sequence[str],
    actor: str,
    notes: str = "",
) -> ModuleVersion:
    """A new version of the module's content (the highest version is the current one)."""
    with transaction.atomic():
        highest = module.versions.aggregate(highest=Max("version"))["highest"] or 0
        version = ModuleVersion.objects.create(
            module=module,
            version=highest + 1,
            objectives=_lines(objectives),
            materials=_lines(materials),
            notes=notes,
            created_by=actor,
        )
        audit.record(
            actor,
            "create",
            "TrainingModuleVersion",
            version.pk,
            details={"module": module.key, "version": version.version},
        )
    return version


def _lines(value: str | Sequence[str]) -> str:
    items = value.splitlines() if isinstance(value, str) else value
    return "\n".join(line.strip() for line in items if line.strip())


def add_question(
    module: TrainingModule,
    *,
    text_fr: str,
    text_en: str,
    choices: Sequence[dict[str, str]],
    correct: str,
    actor: str,
) -> Question:
    """A multiple-choice question; `choices` are {key, fr, en} and `correct` one of the keys."""
    keys = [str(choice["key"]) for choice in choices]
    if correct not in keys or len(set(keys)) != len(keys):
        raise ValueError("the correct choice must be one of the (distinct) choice keys")
    with transaction.atomic():
        question = Question.objects.create(
            module=module,
            text_fr=text_fr,
            text_en=text_en,
            choices=[dict(choice) for choice in choices],
            correct=correct,
        )
        audit.record(
            actor, "create", "TrainingQuestion", question.pk, details={"module": module.key}
        )
    return question


def set_question_active(question: Question, active: bool, *, actor: str) -> None:
    """Retire (or bring back) a question; attempts already scored keep their scores."""
    if question.active == active:
        return
    with transaction.atomic():
        question.active = active
        question.save(update_fields=["active"])
        audit.record(
            actor,
            "update",
            "TrainingQuestion",
            question.pk,
            fields=["active"],
            details={"module": question.module.key, "active": active},
        )


def create_partner(
    *,
    name: str,
    kind: str,
    actor: str,
    description: str = "",
    modules: Iterable[TrainingModule] = (),
) -> TrainingPartner:
    with transaction.atomic():
        partner = TrainingPartner.objects.create(name=name, kind=kind, description=description)
        partner.modules.set(list(modules))
        audit.record(actor, "create", "TrainingPartner", partner.pk, details={"kind": kind})
    return partner


def create_unit(
    *,
    name: str,
    actor: str,
    area_admin1_pcode: str = "",
    area_admin2_pcodes: Sequence[str] = (),
    notes: str = "",
) -> Unit:
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name,
            area_admin1_pcode=area_admin1_pcode,
            area_admin2_pcodes=list(area_admin2_pcodes),
            notes=notes,
        )
        audit.record(actor, "create", "TrainingUnit", unit.pk)
    return unit
