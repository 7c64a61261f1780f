"""Demo recommendations for `civharm demo`: a few realistic ones, in French (the team's working
language), with status histories and evidence drawn from the demo register.

Idempotent: a recommendation already there (same title) is left as it is. Never names a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from civharm.advocacy.models import Recommendation
from civharm.advocacy.recommendations import (
    RecommendationInput,
    create_recommendation,
    record_status,
)
from civharm.analysis.models import EstimateRun
from civharm.incidents.models import Incident

MOPTI = "ML05"
MOPTI_CERCLE = "ML0506"  # the Mopti–Sévaré axis
FIGURE_LABELS = {
    "state_forces": "Incidents attribués aux forces de l'État, région de Mopti, {period}",
    "killed": "Incidents avec des civils tués, région de Mopti, {period}",
    "cercle": "Incidents documentés dans le cercle de Mopti, {period}",
}


@dataclass(frozen=True)
class DemoRecommendation:
    title: str
    text: str
    addressee: str
    addressee_detail: str
    made_on: date
    later_statuses: tuple[tuple[str, date, str], ...]  # (status, on, note) after "proposed"
    evidence: str  # which demo incidents back it: a key of FIGURE_LABELS


DEMO_RECOMMENDATIONS = (
    DemoRecommendation(
        title="Créer un poste de conseiller en réduction des risques pour les civils au "
        "ministère de la Défense",
        text="Nommer au cabinet du ministre de la Défense un conseiller chargé de la réduction "
        "des risques pour les civils : analyse des incidents signalés, retour d'expérience "
        "après chaque opération, lien avec les organisations de la société civile.",
        addressee="government",
        addressee_detail="Ministère de la Défense et des Anciens Combattants",
        made_on=date(2022, 3, 15),
        later_statuses=(
            (
                "accepted",
                date(2022, 9, 1),
                "Accord de principe lors de la réunion du 1er septembre.",
            ),
            ("implemented", date(2023, 6, 30), "Conseiller nommé par arrêté ministériel."),
        ),
        evidence="state_forces",
    ),
    DemoRecommendation(
        title="Mettre en place un programme national d'assistance aux civils ayant subi des pertes",
        text="Créer un programme national d'assistance (soins, appui psychosocial, "
        "indemnisation des biens détruits et du bétail perdu) ouvert aux civils touchés, "
        "quel que soit l'auteur présumé, avec une procédure de demande simple.",
        addressee="government",
        addressee_detail="Ministère de la Santé et du Développement social",
        made_on=date(2022, 11, 10),
        later_statuses=(),
        evidence="killed",
    ),
    DemoRecommendation(
        title="Patrouilles de protection des civils sur l'axe Mopti–Sévaré",
        text="Renforcer les patrouilles de protection des civils de la mission des Nations "
        "unies sur l'axe Mopti–Sévaré, les jours de marché en priorité, et partager les "
        "alertes avec les comités locaux.",
        addressee="un_mission",
        addressee_detail="MINUSMA — Division des droits de l'homme et de la protection",
        made_on=date(2022, 6, 20),
        later_statuses=(("accepted", date(2022, 8, 5), "Intégré au plan de patrouilles."),),
        evidence="cercle",
    ),
    DemoRecommendation(
        title="Directive sur la conduite aux postes de contrôle des FAMa",
        text="Diffuser une directive de l'état-major sur la conduite aux postes de contrôle : "
        "vérification des identités sans violence, interdiction des détentions sans "
        "enregistrement, remise des personnes arrêtées à la prévôté.",
        addressee="armed_forces",
        addressee_detail="État-major général des armées",
        made_on=date(2023, 2, 14),
        later_statuses=(
            (
                "rejected",
                date(2023, 5, 2),
                "Réponse : les consignes existantes suffisent ; à reprendre dans la formation.",
            ),
        ),
        evidence="state_forces",
    ),
)


def _live_in_mopti() -> QuerySet[Incident]:
    return Incident.objects.filter(merged_into__isnull=True, admin1_pcode=MOPTI)


def _by_kind(kind: str) -> QuerySet[Incident]:
    mopti = _live_in_mopti()
    return {
        "state_forces": mopti.filter(perpetrators__category="state_forces"),
        "killed": mopti.filter(harm_counts__harm_type="killed", harm_counts__best__gt=0),
        "cercle": mopti.filter(admin2_pcode=MOPTI_CERCLE),
    }[kind].distinct()


def _evidence_incidents(kind: str, made_on: date) -> list[Incident]:
    """The latest incidents known when the recommendation was made (same seed, same picks);
    any Mopti incident when the demo register has none of that kind."""
    for candidates in (_by_kind(kind), _live_in_mopti()):
        before = candidates.filter(date_start__lte=made_on).order_by("-date_start", "-id")
        chosen = list(before[:4])
        if chosen:
            return chosen
    return list(_live_in_mopti().order_by("date_start", "id")[:3])


def _figures(kind: str, made_on: date) -> list[tuple[str, str]]:
    """A count from the start of the year before the recommendation, as quoted on the day;
    none when the demo register has nothing to count."""
    start = date(made_on.year - 1, 1, 1)
    period = f"{start:%d/%m/%Y} – {made_on:%d/%m/%Y}"
    count = _by_kind(kind).filter(date_start__gte=start, date_start__lte=made_on).count()
    return [(FIGURE_LABELS[kind].format(period=period), str(count))] if count else []


def _seed_one(spec: DemoRecommendation, actor: str) -> None:
    latest_run = EstimateRun.objects.filter(status="complete").first()
    data = RecommendationInput(
        title=spec.title,
        text=spec.text,
        addressee=spec.addressee,
        addressee_detail=spec.addressee_detail,
        made_on=spec.made_on,
        incidents=_evidence_incidents(spec.evidence, spec.made_on),
        estimate_runs=[latest_run] if latest_run and spec.evidence == "killed" else [],
        figures=_figures(spec.evidence, spec.made_on),
    )
    recommendation = create_recommendation(data, actor=actor)
    for status, on, note in spec.later_statuses:
        record_status(recommendation, status, on, actor=actor, note=note)


def seed_demo_recommendations(actor: str = "demo") -> int:
    """Fill the tracker with the demo recommendations; returns how many it created (0 when
    they are all there already)."""
    existing = set(Recommendation.objects.values_list("title", flat=True))
    created = 0
    with transaction.atomic():
        for spec in DEMO_RECOMMENDATIONS:
            if spec.title in existing:
                continue
            _seed_one(spec, actor)
            created += 1
    return created
