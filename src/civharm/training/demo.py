"""Demo training for `civharm demo`: the curriculum (seven modules with objectives, materials and
bilingual question banks), three partners, three generated units, and five sessions (2022–2024)
with generated participants, attendance and scored pre- and post-tests.

Every participant is generated (names from civharm.demo.names, service numbers "D-…" that no
real service uses). Idempotent: modules, partners and units are found by key or name, sessions by
(module, date, unit); each session draws from its own seeded generator, so a second run adds
nothing and a partial run is completed identically.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from civharm.demo.people import draw_name
from civharm.training.curriculum import (
    add_module_version,
    add_question,
    create_module,
    create_partner,
    create_unit,
)
from civharm.training.models import (
    Question,
    Session,
    TrainingModule,
    TrainingPartner,
    Unit,
)
from civharm.training.services import add_participant, record_attempt, record_attendance
from civharm.training.services import record_session as create_session

CURRICULUM_PATH = Path(__file__).resolve().parent / "data" / "demo_curriculum.json"
SEED = 2208
TRAINERS = "Formateur DIH principal (partenaire) ; conseiller juridique opérationnel (FAMa)"

PARTNERS = (
    # name, kind, description, module keys delivered
    (
        "Association malienne pour la diffusion du DIH (démo)",
        "local",
        "ONG locale : sessions en langues nationales, jeux de rôle sur les postes de contrôle.",
        ("checkpoints", "displaced-people", "civilian-harm-response"),
    ),
    (
        "Programme régional de formation au DIH (démo)",
        "regional",
        "Programme régional sahélien de formation des forces de défense et de sécurité.",
        ("civilian-harm-response", "detention", "searches-cordons-arrests"),
    ),
    (
        "Programme international de protection des civils (démo)",
        "international",
        "Programme international : réduction des dommages civils et conduite des hostilités.",
        ("distinction-proportionality-precaution", "force-populated-areas", "detention"),
    ),
)
UNITS = (
    # name, region P-code, cercle P-codes of the area of operations, naming traditions
    ("12e Bataillon d'infanterie motorisée (démo)", "ML05", ("ML0501", "ML0502", "ML0505")),
    ("Groupement tactique interarmes « Delta » (démo)", "ML04", ("ML0403", "ML0404")),
    ("3e Compagnie de reconnaissance (démo)", "ML06", ("ML0602", "ML0604")),
)
TRADITIONS = ("bambara", "bambara", "fulfulde", "songhay", "dogon", "tamasheq", "arab")
RANK_WEIGHTS = (
    ("soldat", 8),
    ("caporal", 5),
    ("sergent", 4),
    ("adjudant", 2),
    ("lieutenant", 2),
    ("capitaine", 1),
)


@dataclass(frozen=True)
class PlannedSession:
    module: str
    held_on: date
    days: int
    place: str
    unit: int  # index in UNITS
    partner: int  # index in PARTNERS
    participants: int
    returning_from: int | None  # an earlier session of the same unit some trainees come back from
    learning: float  # mean share of the wrong answers a trainee learns to get right


SESSIONS = (
    PlannedSession(
        "distinction-proportionality-precaution",
        date(2022, 3, 14),
        5,
        "Sévaré",
        0,
        2,
        16,
        None,
        0.45,
    ),
    PlannedSession("checkpoints", date(2022, 11, 7), 3, "Ségou", 1, 0, 12, None, 0.35),
    PlannedSession(
        "civilian-harm-response", date(2023, 5, 22), 4, "Tombouctou", 2, 1, 14, None, 0.5
    ),
    PlannedSession("detention", date(2023, 10, 9), 3, "Mopti", 0, 1, 18, 0, 0.3),
    PlannedSession("force-populated-areas", date(2024, 4, 15), 5, "Niono", 1, 2, 15, 1, 0.15),
)


def seed_demo_training(actor: str) -> dict[str, int]:
    """Add the demo curriculum, partners, units and sessions; return how many of each were added
    (all zero on a second run)."""
    counts = dict.fromkeys(
        (
            "modules", "questions", "partners", "units", "sessions", "participants", "attempts",
            "scenarios",
        ),
        0,
    )  # fmt: skip
    with transaction.atomic():
        modules = _seed_curriculum(actor, counts)
        partners = _seed_partners(actor, modules, counts)
        units = _seed_units(actor, counts)
    roster: dict[int, list[str]] = {}  # session index -> service numbers
    for index, planned in enumerate(SESSIONS):
        rng = random.Random(SEED * 100 + index)
        people = _draw_people(rng, planned, index, roster)
        roster[index] = [number for number, _name, _rank in people]
        with transaction.atomic():
            _seed_session(rng, planned, people, modules, partners, units, actor, counts)
    counts["scenarios"] = _seed_scenario(actor, modules)
    return counts


def _seed_scenario(actor: str, modules: dict[str, TrainingModule]) -> int:
    """One case study from the demo incidents: the interaction context in which the national
    forces are most often alleged to have harmed civilians in Mopti region, 2022–2024 (the
    demo's Mopti incidents have no checkpoint, so the context is read from the data)."""
    from django.db.models import Count

    from civharm.incidents.models import Incident
    from civharm.training.models import Scenario
    from civharm.training.scenarios import build_scenario

    if Scenario.objects.filter(built_by=actor).exists():
        return 0
    busiest = (
        Incident.objects.filter(
            merged_into__isnull=True,
            admin1_pcode="ML05",
            date_start__range=(date(2022, 1, 1), date(2024, 12, 31)),
            incidentperpetrator__actor__category="state_forces",
        )
        .exclude(interaction_context__in=("", "unknown", "other"))
        .values("interaction_context")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "interaction_context")
        .first()
    )
    if busiest is None:
        return 0
    module = modules.get("force-populated-areas")
    build_scenario(
        module, "ML05", 2022, 2024, busiest["interaction_context"], actor=actor,
    )  # fmt: skip
    return 1


def _seed_curriculum(actor: str, counts: dict[str, int]) -> dict[str, TrainingModule]:
    data = json.loads(CURRICULUM_PATH.read_text(encoding="utf-8"))
    modules = {}
    for item in data["modules"]:
        module = TrainingModule.objects.filter(key=item["key"]).first()
        if module is None:
            module = create_module(
                key=item["key"], title_fr=item["title_fr"], title_en=item["title_en"], actor=actor
            )
            add_module_version(
                module, objectives=item["objectives"], materials=item["materials"], actor=actor
            )
            counts["modules"] += 1
        if not module.questions.exists():
            for number, question in enumerate(item["questions"]):
                choices, correct = _rotated_choices(
                    question["choices"], question["correct"], number
                )
                add_question(
                    module,
                    text_fr=question["fr"],
                    text_en=question["en"],
                    choices=choices,
                    correct=correct,
                    actor=actor,
                )
                counts["questions"] += 1
        modules[module.key] = module
    return modules


def _rotated_choices(
    raw: list[list[str]], correct: str, number: int
) -> tuple[list[dict[str, str]], str]:
    """The choices relabelled a, b, c… after a rotation, so the right answer is not always 'a'."""
    shift = number % len(raw)
    rotated = raw[shift:] + raw[:shift]
    keys = "abcdefgh"
    choices = [{"key": keys[i], "fr": fr, "en": en} for i, (_old, fr, en) in enumerate(rotated)]
    new_correct = keys[[old for old, _fr, _en in rotated].index(correct)]
    return choices, new_correct


def _seed_partners(
    actor: str, modules: dict[str, TrainingModule], counts: dict[str, int]
) -> list[TrainingPartner]:
    partners = []
    for name, kind, description, keys in PARTNERS:
        partner = TrainingPartner.objects.filter(name=name).first()
        if partner is None:
            partner = create_partner(
                name=name,
                kind=kind,
                description=description,
                modules=[modules[key] for key in keys],
                actor=actor,
            )
            counts["partners"] += 1
        partners.append(partner)
    return partners


def _seed_units(actor: str, counts: dict[str, int]) -> list[Unit]:
    units = []
    for name, region, cercles in UNITS:
        unit = Unit.objects.filter(name=name).first()
        if unit is None:
            unit = create_unit(
                name=name, area_admin1_pcode=region, area_admin2_pcodes=cercles, actor=actor
            )
            counts["units"] += 1
        units.append(unit)
    return units


def _draw_people(
    rng: random.Random, planned: PlannedSession, index: int, roster: dict[int, list[str]]
) -> list[tuple[str, str, str]]:
    """(service number, name, rank) of each trainee; some come back from an earlier session."""
    people = []
    returning = roster.get(planned.returning_from, []) if planned.returning_from is not None else []
    back = returning[: max(3, planned.participants // 4)] if returning else []
    ranks = [rank for rank, weight in RANK_WEIGHTS for _ in range(weight)]
    for position in range(planned.participants):
        given, family = draw_name(
            rng, rng.choice(TRADITIONS), "male" if rng.random() < 0.9 else "female"
        )
        rank = rng.choice(ranks)
        if position < len(back):
            people.append((back[position], "", rank))  # known: found by service number
        else:
            people.append(
                (f"D-{index + 1}{position:02d}{rng.randint(1000, 9999)}", f"{given} {family}", rank)
            )
    return people


def _seed_session(
    rng: random.Random,
    planned: PlannedSession,
    people: list[tuple[str, str, str]],
    modules: dict[str, TrainingModule],
    partners: list[TrainingPartner],
    units: list[Unit],
    actor: str,
    counts: dict[str, int],
) -> None:
    module = modules[planned.module]
    unit = units[planned.unit]
    if Session.objects.filter(
        module_version__module=module, held_on=planned.held_on, unit=unit
    ).exists():
        return
    session = create_session(
        module_version=module.current_version,
        held_on=planned.held_on,
        ends_on=planned.held_on + timedelta(days=planned.days - 1),
        place_name=planned.place,
        unit=unit,
        partner=partners[planned.partner],
        trainers=TRAINERS,
        actor=actor,
    )
    counts["sessions"] += 1
    questions = list(Question.objects.filter(module=module, active=True))
    for number, name, rank in people:
        participant = add_participant(
            session, service_number=number, name=name, rank=rank, unit=unit, actor=actor
        )
        counts["participants"] += 1
        if rng.random() < 0.08:
            record_attendance(session, participant, False, actor=actor)
            continue
        knows = rng.uniform(0.25, 0.7)
        learns = min(1.0, max(0.0, rng.gauss(planned.learning, 0.2)))
        for kind, share in (("pre", knows), ("post", knows + (1 - knows) * learns)):
            answers = {str(q.pk): _answer(rng, q, share) for q in questions}
            record_attempt(session, participant, kind, answers, actor=actor)
            counts["attempts"] += 1


def _answer(rng: random.Random, question: Question, share_known: float) -> str:
    if rng.random() < share_known:
        return question.correct
    wrong = [str(c["key"]) for c in question.choices if str(c["key"]) != question.correct]
    return rng.choice(wrong)
