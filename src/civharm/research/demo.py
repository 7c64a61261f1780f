"""Demo research for `civharm demo`: generated interviews with consent records, two coders'
coding, approved quotes, one withdrawal of consent, and stakeholder consultations.

Interviewees are drawn from the demo generator's name lists (civharm.demo.names): every person
is generated, never a real one. Idempotent: each interview has a fixed submission UUID and each
consultation a fixed (date, kind, organisation), so a second run adds nothing. Quotes are built
only from sentences that name nobody, and published under a first name drawn at approval.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from civharm.demo.people import draw_name
from civharm.demo.places import Locality, load_localities
from civharm.incidents.models import Incident
from civharm.research.models import FollowUp, Interview, StakeholderConsultation, Theme
from civharm.research.services import (
    InterviewInput,
    QuoteRevealsIdentityError,
    add_coded_excerpt,
    approve_quote,
    propose_quote,
    record_interview_once,
    withdraw_consent,
)

INTERVIEWS = 24
SEED = 2031
UUID_NAMESPACE = uuid.UUID("6f1c3a52-8f3e-4d0b-9a57-3c2e1b7d9e40")  # demo interviews only
INTERVIEWER = "demo-field-researcher"
CODERS = ("demo-analyst", "demo-administrator")
APPROVER = "demo-advocacy-officer"
WITHDRAWN_NUMBER = 5  # this interview's consent is withdrawn after coding and a quote
RESEARCH_ONLY = frozenset({3, 9, 14, 20})  # no consent to publish quotes
DOUBLE_CODED = frozenset({0, 1, 2, 4, 6, 7, 10, 12})
QUOTED = (0, 2, 5, 6, 8, 11, 13, 16, 18, 22)
LEFT_PROPOSED = frozenset({18})  # waits in the approval queue

# region P-code: (naming traditions, interview languages), the main one first
REGIONS = {
    "ML05": (("fulfulde", "dogon", "bambara"), ("ff", "dgo", "fr", "bm")),
    "ML04": (("bambara", "fulfulde"), ("bm", "fr", "ff")),
    "ML06": (("songhay", "tamasheq", "arab"), ("son", "tmh", "fr")),
    "ML07": (("songhay", "tamasheq", "fulfulde"), ("son", "tmh", "fr", "ff")),
}
REGION_ORDER = ("ML05", "ML04", "ML05", "ML06", "ML07", "ML05")  # Mopti has most incidents

RELATIVES = ("frère", "fils", "mari", "oncle", "cousin", "neveu")
AGE_BANDS = ("18-29", "30-44", "30-44", "45-59", "60+")
DISPLACEMENT = ("displaced", "displaced", "resident", "returnee", "host", "refugee")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a narrative: its words, the theme a coder gives it, the harm it tells of,
    and whether it names someone (then it is never quoted)."""

    text: str
    theme: str
    harm: str = ""
    names_someone: bool = False


# {place}: the interviewee's locality, {town}: the cercle's town, {relative}, {given}: a name.
EXPERIENCES = (
    Sentence(
        "Nous avons quitté {place} quand les hommes armés ont encerclé le village, et nous "
        "vivons depuis chez des parents à {town}.",
        "displacement_experience",
        "displaced_households",
    ),
    Sentence(
        "Mon {relative} {given} a été tué le jour de l'attaque, et nous n'avons pas pu "
        "l'enterrer comme il faut.",
        "loss_of_relatives",
        "killed",
        names_someone=True,
    ),
    Sentence(
        "Ils ont emporté nos bœufs et nos chèvres ; sans le troupeau, la famille n'a plus rien.",
        "loss_of_livelihood",
        "livestock_crops_lost",
    ),
    Sentence(
        "Le marché de {town} est fermé depuis des mois, alors nous ne pouvons plus vendre le "
        "mil ni acheter le nécessaire.",
        "loss_of_livelihood",
    ),
    Sentence(
        "Au poste de contrôle sur la route de {town}, on nous fait descendre, on fouille tout, "
        "et parfois on garde les jeunes hommes plusieurs jours.",
        "detention_experience",
        "arbitrary_detention",
    ),
    Sentence(
        "Nos greniers et nos cases ont été brûlés pendant la nuit, il ne reste que les murs.",
        "loss_of_livelihood",
        "property_destroyed",
    ),
    Sentence(
        "Mon {relative} {given} a été enlevé sur la route du marché et nous sommes toujours "
        "sans nouvelles de lui.",
        "loss_of_relatives",
        "abducted",
        names_someone=True,
    ),
    Sentence(
        "En revenant des champs, j'ai vu des corps au bord de la piste ; depuis, je n'arrive "
        "plus à dormir.",
        "violence_witnessed",
    ),
    Sentence(
        "À cause de notre communauté, on nous soupçonne tous d'aider les groupes armés.",
        "stigmatisation",
    ),
    Sentence(
        "L'école du village est fermée depuis deux ans ; les enfants gardent les animaux ou "
        "restent à la maison.",
        "need_education",
    ),
)
FEARS = (
    Sentence(
        "Nous avons peur des hommes armés qui passent à moto la nuit.", "fear_of_armed_groups"
    ),
    Sentence(
        "Si je parle trop, j'ai peur des représailles contre ma famille.", "fear_of_reprisals"
    ),
    Sentence(
        "Quand les militaires arrivent, les femmes et les enfants vont se cacher.",
        "fear_of_security_forces",
    ),
    Sentence(
        "Plus personne n'ose prendre les pistes vers les champs à cause des mines.",
        "fear_of_explosives",
    ),
    Sentence("Chaque soir, nous craignons une nouvelle attaque.", "fear_of_attack"),
    Sentence(
        "Ceux qui ont dénoncé quelque chose ont été menacés ; alors on se tait.",
        "fear_of_reprisals",
    ),
)
NEEDS = (
    Sentence("Nous avons besoin de vivres et de semences pour la prochaine saison.", "need_food"),
    Sentence(
        "Il n'y a plus d'agent de santé ici ; les malades doivent aller jusqu'à {town}.",
        "need_health",
    ),
    Sentence("Les familles déplacées dorment sous des abris de fortune.", "need_shelter"),
    Sentence(
        "Beaucoup d'entre nous ont perdu leurs papiers dans la fuite et ne peuvent plus voyager.",
        "need_documents",
    ),
    Sentence("Nous voulons que les enfants retournent à l'école.", "need_education"),
    Sentence("Quand nous appelons à l'aide, personne ne vient.", "gap_no_response"),
)
WISHES = (
    Sentence(
        "Nous voulons que l'État revienne et que quelqu'un vienne nous écouter.",
        "assist_state_absent",
    ),
    Sentence(
        "Nous espérons l'aide des ONG, mais elle n'arrive pas jusqu'à nous.",
        "assist_humanitarian",
    ),
    Sentence("Nous voulons que les responsables soient jugés, qui qu'ils soient.", "want_justice"),
    Sentence("Nous voulons rentrer chez nous quand ce sera sûr.", "want_return"),
    Sentence(
        "Il faut que les chefs des communautés se parlent pour que la paix revienne.",
        "reconciliation",
    ),
    Sentence(
        "Certains jeunes parlent de se venger, et cela nous inquiète beaucoup.",
        "revenge",
    ),
    Sentence(
        "Les jeunes sans travail sont tentés de rejoindre les groupes ; il faut les occuper.",
        "recruitment_risk",
    ),
    Sentence(
        "Nous voudrions être indemnisés pour le bétail et les récoltes perdus.",
        "assist_compensation",
    ),
)
# What a second coder sometimes reads in a sentence instead (so agreement is not perfect).
OTHER_READING = {
    "fear_of_attack": "fear_of_armed_groups",
    "fear_of_armed_groups": "fear_of_attack",
    "loss_of_livelihood": "need_food",
    "displacement_experience": "want_return",
    "assist_state_absent": "gap_no_response",
    "gap_no_response": "assist_state_absent",
    "reconciliation": "want_dialogue",
    "want_justice": "want_acknowledgement",
    "detention_experience": "gap_access_restrictions",
    "fear_of_security_forces": "sf_distrust",
}


@dataclass
class Planned:
    """One generated interview before it is recorded, with each sentence's offsets."""

    number: int
    data: InterviewInput
    spans: list[tuple[Sentence, int, int]] = field(default_factory=list)


def seed_demo_research(actor: str) -> dict[str, int]:
    """Add the demo's interviews, coding, quotes, one withdrawal and consultations; return how
    many of each were added (all zero on a second run)."""
    rng = random.Random(SEED)
    counts = dict.fromkeys(("interviews", "excerpts", "quotes", "withdrawals", "consultations"), 0)
    localities = [loc for loc in load_localities() if loc.admin1_pcode in REGIONS]
    themes = {theme.key: theme for theme in Theme.objects.all()}
    quoted: set[str] = set()  # a brief shows several voices, not one sentence thrice
    for number in range(INTERVIEWS):
        planned = _plan_interview(rng, number, localities)  # drawn every time: same draws
        with transaction.atomic():
            interview, created = record_interview_once(planned.data, actor=actor)
            if not created:
                continue
            counts["interviews"] += 1
            counts["excerpts"] += _code(rng, planned, interview, themes)
            counts["quotes"] += _quote(planned, interview, quoted)
            if number == WITHDRAWN_NUMBER:
                withdraw_consent(
                    interview, actor=actor, reason="retrait demandé lors de la visite de suivi"
                )
                counts["withdrawals"] += 1
    counts["consultations"] = _seed_consultations(actor)
    return counts


def _plan_interview(rng: random.Random, number: int, localities: list[Locality]) -> Planned:
    pcode = REGION_ORDER[number % len(REGION_ORDER)]
    traditions, languages = REGIONS[pcode]
    place = rng.choice([loc for loc in localities if loc.admin1_pcode == pcode])
    sex = "female" if rng.random() < 0.5 else "male"
    tradition = traditions[0] if rng.random() < 0.6 else rng.choice(traditions)
    given, family = draw_name(rng, tradition, sex)
    interviewed_on = date(2021, 1, 15) + timedelta(days=rng.randrange(0, 4 * 365 - 30))
    planned = Planned(
        number,
        InterviewInput(
            interviewed_on=interviewed_on,
            interviewer=INTERVIEWER,
            language=languages[0] if rng.random() < 0.5 else rng.choice(languages),
            place_name=place.name,
            admin1_pcode=pcode,
            admin1_name=place.admin1_name,
            admin2_pcode=place.admin2_pcode,
            admin2_name=place.admin2_name,
            name=f"{given} {family}",
            contact=f"+223 {rng.randrange(60, 99)} {rng.randrange(10, 99)} "
            f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            sex=sex,
            age_band=rng.choice(AGE_BANDS),
            displacement_status=rng.choice(DISPLACEMENT),
            legal_basis="consent",
            consent_method=rng.choice(("oral_witnessed", "oral_recorded", "written", "digital")),
            for_publication=number not in RESEARCH_ONLY,
            for_sharing=rng.random() < 0.4,
            submission_uuid=str(uuid.uuid5(UUID_NAMESPACE, f"demo-interview-{number}")),
        ),
    )
    _write_narrative(rng, planned, place, tradition)
    _link_incidents(rng, planned)
    return planned


def _write_narrative(rng: random.Random, planned: Planned, place: Locality, tradition: str) -> None:
    """3 to 6 sentences: what happened, what they fear, what they need, what they want."""
    sentences = rng.sample(EXPERIENCES, rng.choice((1, 1, 2)))
    sentences += rng.sample(FEARS, rng.choice((1, 1, 2)))
    sentences += [rng.choice(NEEDS)]
    if rng.random() < 0.7:
        sentences += [rng.choice(WISHES)]
    relative_given, _family = draw_name(rng, tradition, "male")
    values = {
        "place": place.name,
        "town": place.admin2_name or place.admin1_name,
        "relative": rng.choice(RELATIVES),
        "given": relative_given,
    }
    narrative = ""
    for sentence in sentences:
        text = sentence.text.format(**values)
        start = len(narrative) + (1 if narrative else 0)
        narrative = f"{narrative} {text}" if narrative else text
        planned.spans.append((sentence, start, start + len(text)))
    planned.data.narrative = narrative
    planned.data.harms = sorted({s.harm for s in sentences if s.harm})


def _link_incidents(rng: random.Random, planned: Planned) -> None:
    """A demo incident of the same region in the two years before the interview, if any, and
    a person harmed in it when the narrative tells of a relative killed or taken."""
    day = planned.data.interviewed_on
    candidates = list(
        Incident.objects.filter(
            merged_into__isnull=True,
            admin1_pcode=planned.data.admin1_pcode,
            date_start__lte=day,
            date_start__gte=day - timedelta(days=730),
        ).order_by("id")[:50]
    )
    if not candidates:
        return
    incident = rng.choice(candidates)
    planned.data.incidents = [incident]
    if {"killed", "abducted"} & set(planned.data.harms):
        person = incident.persons.filter(merged_into__isnull=True).order_by("id").first()
        planned.data.persons = [person] if person else []


def _code(
    rng: random.Random, planned: Planned, interview: Interview, themes: dict[str, Theme]
) -> int:
    """The first coder codes every sentence; on double-coded interviews the second coder
    mostly agrees, sometimes reads another theme and sometimes leaves a sentence uncoded."""
    added = 0
    for sentence, start, end in planned.spans:
        if sentence.theme in themes:
            add_coded_excerpt(interview, themes[sentence.theme], start, end, coder=CODERS[0])
            added += 1
        if planned.number not in DOUBLE_CODED:
            continue
        draw = rng.random()
        if draw < 0.15:
            continue  # the second coder did not code this sentence
        key = OTHER_READING.get(sentence.theme, sentence.theme) if draw < 0.35 else sentence.theme
        if key in themes:
            add_coded_excerpt(interview, themes[key], start, end, coder=CODERS[1])
            added += 1
    return added


def _quote(planned: Planned, interview: Interview, quoted: set[str]) -> int:
    """One quote from a sentence naming nobody and not quoted yet (wishes, needs and fears
    first), if publication is agreed; approved unless the demo leaves it waiting."""
    if planned.number not in QUOTED or not planned.data.for_publication:
        return 0
    narrative = planned.data.narrative
    quotable = [
        (start, end)
        for sentence, start, end in reversed(planned.spans[1:])
        if not sentence.names_someone and narrative[start:end] not in quoted
    ]
    if not quotable:
        return 0
    start, end = quotable[0]
    excerpt = interview.excerpts.filter(start=start, end=end, coder=CODERS[0]).first()
    text = narrative[start:end]
    quoted.add(text)
    quote = propose_quote(interview, text, proposer=CODERS[0], excerpt=excerpt)
    if planned.number not in LEFT_PROPOSED:
        # words that give the person away wait in the queue, as a reviewer would leave them
        with contextlib.suppress(QuoteRevealsIdentityError):
            approve_quote(quote, approver=APPROVER)  # published under a drawn first name
    return 1


@dataclass(frozen=True)
class DemoConsultation:
    held_on: date
    kind: str
    organisation: str
    region: tuple[str, str]
    points: str
    follow_ups: tuple[tuple[str, str, int, bool], ...]  # action, owner, days after, done


CONSULTATIONS = (
    DemoConsultation(
        date(2023, 2, 14),
        "government_official",
        "Gouvernorat de la région de Mopti",
        ("ML05", "Mopti"),
        "Le cabinet du gouverneur reconnaît la fermeture des marchés de plusieurs communes et "
        "demande des données par cercle. Il souhaite un canal pour signaler les incidents "
        "impliquant les forces de défense.",
        (
            (
                "Transmettre la synthèse des incidents par cercle (chiffres protégés)",
                "Chargé de plaidoyer",
                30,
                True,
            ),
            (
                "Proposer un canal de signalement des incidents",
                "Coordinateur du programme",
                90,
                False,
            ),
        ),
    ),
    DemoConsultation(
        date(2023, 5, 9),
        "traditional_leader",
        "Chefferie traditionnelle de Bandiagara",
        ("ML05", "Mopti"),
        "Les chefs de village décrivent les tensions entre agriculteurs et éleveurs et la "
        "peur des représailles. Ils demandent un appui aux comités de dialogue "
        "intercommunautaires.",
        (("Inviter les chefs au prochain atelier de dialogue", "Équipe terrain Mopti", 45, True),),
    ),
    DemoConsultation(
        date(2023, 9, 21),
        "civil_society",
        "Coordination des associations de femmes de Ségou",
        ("ML04", "Ségou"),
        "Les associations signalent des femmes déplacées sans papiers d'identité et des "
        "écoles fermées. Elles demandent que les femmes soient entendues séparément.",
        (
            ("Organiser des entretiens avec des enquêtrices", "Équipe terrain Ségou", 60, True),
            ("Orienter les familles vers l'état civil", "Chargé de protection", 120, False),
        ),
    ),
    DemoConsultation(
        date(2024, 1, 30),
        "un",
        "Bureau de la coordination des affaires humanitaires (OCHA)",
        ("ML06", "Tombouctou"),
        "OCHA partage les restrictions d'accès sur les axes de Tombouctou et propose "
        "d'échanger des alertes sur les déplacements.",
        (
            ("Partager les tendances trimestrielles (chiffres protégés)", "Analyste", 30, True),
            ("Convenir d'un protocole d'échange d'alertes", "Coordinateur du programme", 75, False),
        ),
    ),
    DemoConsultation(
        date(2024, 4, 17),
        "eu",
        "Délégation de l'Union européenne au Mali",
        ("", ""),
        "La délégation s'intéresse aux besoins d'assistance des victimes et aux "
        "recommandations sur l'indemnisation. Elle demande une note de deux pages.",
        (
            (
                "Envoyer une note de plaidoyer sur l'assistance aux victimes",
                "Chargé de plaidoyer",
                21,
                True,
            ),
        ),
    ),
    DemoConsultation(
        date(2024, 6, 5),
        "security_forces",
        "Commandement de secteur des forces armées, Gao",
        ("ML07", "Gao"),
        "Le commandement évoque les postes de contrôle et les consignes données aux unités. "
        "Il accepte d'étudier les incidents signalés aux postes de contrôle.",
        (
            ("Présenter les incidents aux postes de contrôle (sans noms)", "Analyste", 40, False),
            ("Point de suivi avec le commandement", "Coordinateur du programme", -1, False),
        ),
    ),
)


def _seed_consultations(actor: str) -> int:
    added = 0
    for item in CONSULTATIONS:
        if StakeholderConsultation.objects.filter(
            held_on=item.held_on, kind=item.kind, organisation=item.organisation
        ).exists():
            continue
        with transaction.atomic():
            consultation = StakeholderConsultation.objects.create(
                held_on=item.held_on,
                kind=item.kind,
                organisation=item.organisation,
                admin1_pcode=item.region[0],
                admin1_name=item.region[1],
                points_raised=item.points,
                recorded_by=actor,
            )
            for action, owner, days, done in item.follow_ups:
                FollowUp.objects.create(
                    consultation=consultation,
                    action=action,
                    owner=owner,
                    due_on=_due(item.held_on, days),
                    done_on=item.held_on + timedelta(days=max(days - 5, 1)) if done else None,
                )
        added += 1
    return added


def _due(held_on: date, days: int) -> date:
    """days < 0: a follow-up still ahead (a month from today), so not everything is late."""
    if days < 0:
        return timezone.localdate() + timedelta(days=30)
    return held_on + timedelta(days=days)
