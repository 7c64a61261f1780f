"""Demo incident reports: our field teams' interviews (French CSV), press (XLSX), a partner (HXL).

Narratives are generated and never contain a person's name.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from civharm.core.taxonomy import load_taxonomy
from civharm.demo.acled import english_summary, noisy_count
from civharm.demo.files import Cell, write_csv, write_xlsx
from civharm.demo.places import cercle_spelling, place_spelling, region_spelling
from civharm.demo.truth import RowKind, SourceFile, SourceRow, TrueEvent

REPORT_COLUMNS = (
    "Référence", "Date de l'incident", "Précision de la date", "Lieu", "Cercle", "Région",
    "Auteur présumé", "Contexte", "Tués", "Blessés", "Enlevés", "Ménages déplacés",
    "Biens détruits", "Bétail perdu", "Récit", "Type de source", "Langue",
)  # fmt: skip
MEDIA_COLUMNS = (
    "Reference", "Date", "Place", "Region", "Alleged perpetrator", "Context", "Killed",
    "Injured", "Abducted", "Summary", "Source",
)  # fmt: skip
HXL_HEADER = (
    "Event ID", "Date", "Region", "Cercle", "Location", "Latitude", "Longitude", "Killed",
    "Injured", "Description",
)  # fmt: skip
HXL_TAGS = (
    "#event+id", "#date", "#adm1+name", "#adm2+name", "#loc+name", "#geo+lat", "#geo+lon",
    "#affected+killed", "#affected+injured", "#description",
)  # fmt: skip

PERPETRATORS_FR: dict[str, tuple[str, ...]] = {
    "fama": ("militaires maliens", "FAMa", "soldats de l'armée malienne"),
    "africa_corps_wagner": ("mercenaires russes", "Wagner", "hommes blancs armés"),
    "barkhane": ("forces françaises", "Barkhane"),
    "jnim": ("jihadistes", "Katiba Macina", "JNIM", "hommes armés se réclamant du JNIM"),
    "is_sahel": ("EIGS", "État islamique au Sahel", "jihadistes"),
    "dan_na_ambassagou": ("Dan Na Ambassagou", "chasseurs dogons"),
    "dozo_militia": ("chasseurs dozo", "Dozo", "dozos"),
    "community_militia_other": ("milice peule", "groupe d'autodéfense"),
    "csp_signatory": ("CMA", "GATIA", "groupes armés signataires"),
    "criminals": ("bandits armés", "coupeurs de route"),
    "unidentified_armed_group": ("hommes armés non identifiés", "individus armés"),
}
PERPETRATORS_EN: dict[str, tuple[str, ...]] = {
    "fama": ("Malian soldiers", "Malian army", "FAMa"),
    "africa_corps_wagner": ("Russian mercenaries", "Wagner Group"),
    "barkhane": ("French forces", "Operation Barkhane"),
    "jnim": ("jihadists", "JNIM", "al-Qaeda-linked militants"),
    "is_sahel": ("Islamic State Sahel", "jihadists", "ISGS fighters"),
    "dan_na_ambassagou": ("Dan Na Ambassagou", "Dogon militia"),
    "dozo_militia": ("Dozo hunters", "Dozo militia"),
    "community_militia_other": ("Fulani militia", "self-defence group"),
    "csp_signatory": ("CMA rebels", "Tuareg armed groups"),
    "criminals": ("bandits", "armed bandits"),
    "unidentified_armed_group": ("unidentified gunmen", "armed men"),
}
CONTEXTS_FR = {
    "attack_on_village": "attaque du village",
    "ground_operation": "opération militaire",
    "arrest_detention": "arrestations",
    "air_drone_strike": "frappe de drone",
    "ied_landmine": "explosion d'une mine",
    "ambush": "embuscade",
    "abduction": "enlèvement",
    "market_attack": "attaque du marché",
    "looting_extortion": "pillage",
    "checkpoint": "poste de contrôle",
    "search_cordon": "ratissage",
    "patrol": "patrouille",
    "clash_crossfire": "tirs croisés",
}
_WITNESSES = ("témoin direct", "victime", "parent de victime", "leader communautaire",
              "source secondaire")  # fmt: skip
_LANGUAGES = {"fulfulde": "fulfulde", "bambara": "bambara", "songhay": "songhay",
              "dogon": "dogon", "tamasheq": "tamasheq", "arab": "hassaniya"}  # fmt: skip
_OUTLETS = ("RFI", "Jeune Afrique", "AFP", "Reuters", "Studio Tamani", "Le Monde",
            "Al Jazeera", "AP", "Malikilé", "L'Essor")  # fmt: skip
_FIELD_COVER = {"mopti": 0.65, "segou": 0.65, "tombouctou": 0.4, "gao": 0.4, "menaka": 0.4}


def french_toll(rng: random.Random, value: int) -> str:
    """A toll as an interviewee gives it: exact, "environ 15", "au moins 8" or "20-30"."""
    if value == 0:
        return rng.choice(("", "0"))
    roll = rng.random()
    if roll < 0.65 or value < 4:
        return str(value)
    if roll < 0.77:
        return f"environ {round(value, -1) if value >= 15 else value}"
    if roll < 0.88:
        return f"au moins {max(1, value - rng.randint(0, value // 3))}"
    low = max(1, value - rng.randint(1, max(1, value // 4)))
    return f"{low}-{value + rng.randint(1, max(1, value // 4))}"


def _french_date(rng: random.Random, day: date) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.8:
        return day.strftime("%d/%m/%Y"), "jour"
    if roll < 0.92:
        return (day + timedelta(days=rng.randint(-3, 3))).strftime("%d/%m/%Y"), "semaine"
    return day.replace(day=1).strftime("%d/%m/%Y"), "mois"


def _french_narrative(event: TrueEvent, perpetrator: str, place: str, killed: str) -> str:
    context = CONTEXTS_FR.get(event.context, "attaque")
    text = f"Le témoin rapporte une {context} à {place} attribuée à des {perpetrator}."
    if killed:
        text += f" Bilan rapporté : {killed} morts."
    if event.tolls["displaced_households"]:
        text += " Plusieurs familles ont fui vers les localités voisines."
    if event.tolls["property_destroyed"]:
        text += " Des cases et des greniers ont été incendiés."
    return text


def _report_row(rng: random.Random, event: TrueEvent, reference: str) -> list[Cell]:
    loc, tolls = event.locality, event.tolls
    when, precision = _french_date(rng, event.date)
    perpetrator = rng.choice(PERPETRATORS_FR[event.actor_key])
    if event.partner_key == "africa_corps_wagner" and rng.random() < 0.6:
        perpetrator += " et mercenaires russes"
    place = place_spelling(loc, rng, 0.35)
    killed = french_toll(rng, noisy_count(rng, tolls["killed"], 0.1))
    language = _LANGUAGES[event.community] if rng.random() < 0.8 else "français"
    context = CONTEXTS_FR.get(event.context, "autre") if rng.random() < 0.6 else ""
    return [
        reference, when, precision, place, cercle_spelling(loc, rng, 0.3),
        region_spelling(loc, rng, 0.4), perpetrator, context or _context_label(event.context),
        killed, french_toll(rng, tolls["injured"]), french_toll(rng, tolls["abducted"]),
        french_toll(rng, tolls["displaced_households"]),
        french_toll(rng, tolls["property_destroyed"]),
        french_toll(rng, tolls["livestock_crops_lost"]),
        _french_narrative(event, perpetrator, place, killed), rng.choice(_WITNESSES), language,
    ]  # fmt: skip


def _context_label(key: str) -> str:
    return {t.key: t.fr for t in load_taxonomy().interaction_contexts}.get(key, "Autre")


def _with_deliberate_errors(
    rng: random.Random, rows: list[list[Cell]], origins: list[SourceRow]
) -> None:
    """A re-sent submission, an impossible date and a negative toll, appended at the end."""
    picks = rng.sample(range(len(rows)), 3)
    duplicate, bad_date, negative = (list(rows[i]) for i in picks)
    bad_date[0], negative[0] = f"{bad_date[0]}-bis", f"{negative[0]}-ter"
    bad_date[1] = f"31/02/{str(bad_date[1])[-4:]}"
    negative[9] = "-3"  # Blessés
    rows.extend([duplicate, bad_date, negative])
    added: tuple[tuple[int, RowKind, str], ...] = (
        (picks[0], "duplicate", "re-sent submission"),
        (picks[1], "bad_row", "impossible date"),
        (picks[2], "bad_row", "negative toll"),
    )
    for index, kind, note in added:
        origins.append(SourceRow(0, kind, origins[index].event_id, note=note))


def write_reports(path: Path, rng: random.Random, events: list[TrueEvent]) -> SourceFile:
    """Interview reports (UTF-8 with BOM, ';'), mostly from central Mali; some told twice."""
    rows: list[list[Cell]] = []
    origins: list[SourceRow] = []
    for event in events:
        cover = 1.0 if event.is_large else _FIELD_COVER.get(event.locality.region_key, 0.2)
        if rng.random() >= cover:
            continue
        for _ in range(2 if rng.random() < 0.12 else 1):
            reference = f"RE-{event.date.year}-{len(rows) + 1:04d}"
            rows.append(_report_row(rng, event, reference))
            origins.append(SourceRow(0, "event", event.event_id))
    _with_deliberate_errors(rng, rows, origins)
    source = SourceFile(path.name, "reports", "utf-8-sig", ";")
    source.rows = [SourceRow(i, o.kind, o.event_id, note=o.note) for i, o in enumerate(origins, 2)]
    write_csv(path, REPORT_COLUMNS, rows, encoding="utf-8-sig", delimiter=";")
    return source


def _media_date(rng: random.Random, day: date) -> Cell:
    roll = rng.random()
    if roll < 0.6:
        return day
    if roll < 0.75:  # dated the day the story ran, a day or two after the event
        return day + timedelta(days=rng.choice((1, 1, 2)))
    if roll < 0.95:
        return day.strftime("%Y-%m")  # month precision only
    return day.strftime("%d/%m/%Y")


def _english_toll(rng: random.Random, value: int) -> Cell:
    """Press tolls disagree with other sources: rounded, inflated, or "at least"."""
    if value == 0:
        return None if rng.random() < 0.5 else 0
    reported = max(1, round(value * rng.uniform(0.75, 1.4))) if value > 4 else value
    if rng.random() < 0.2:
        return f"at least {min(value, reported)}"
    return reported


def _media_row(rng: random.Random, event: TrueEvent, reference: str) -> list[Cell]:
    loc, tolls = event.locality, event.tolls
    perpetrator = rng.choice(PERPETRATORS_EN[event.actor_key])
    place = loc.ascii_name if rng.random() < 0.5 else loc.name
    killed = _english_toll(rng, tolls["killed"])
    context = next(t.en for t in load_taxonomy().interaction_contexts if t.key == event.context)
    summary = english_summary(
        event, perpetrator[0].upper() + perpetrator[1:], place, tolls["killed"]
    )
    return [
        reference, _media_date(rng, event.date), place, region_spelling(loc, rng, 0.5),
        perpetrator, context, killed, _english_toll(rng, tolls["injured"]),
        _english_toll(rng, tolls["abducted"]), summary, rng.choice(_OUTLETS),
    ]  # fmt: skip


def write_media(path: Path, rng: random.Random, events: list[TrueEvent]) -> SourceFile:
    """Press reports: large events always (often by two outlets), small ones rarely."""
    rows: list[list[Cell]] = []
    origins: list[SourceRow] = []
    for event in events:
        cover = 1.0 if event.is_large else 0.6 if event.tolls["killed"] >= 10 else 0.2
        if rng.random() >= cover:
            continue
        for _ in range(2 if event.is_large or rng.random() < 0.1 else 1):
            rows.append(_media_row(rng, event, f"MED-{len(rows) + 1:04d}"))
            origins.append(SourceRow(len(rows) + 1, "event", event.event_id))
    source = SourceFile(path.name, "reports", "xlsx", None, origins)
    write_xlsx(path, MEDIA_COLUMNS, rows, sheet="Press reports")
    return source


def write_hxl(path: Path, rng: random.Random, events: list[TrueEvent]) -> SourceFile:
    """A partner's small HXL-tagged incident list (north and east), with one re-sent row."""
    rows: list[list[Cell]] = []
    origins: list[SourceRow] = []
    for event in events:
        northern = event.locality.region_key in ("gao", "menaka", "tombouctou", "kidal")
        if rng.random() >= (0.35 if northern else 0.04):
            continue
        loc = event.locality
        # The partner dates some events by the day its team heard of them.
        day = event.date + timedelta(days=rng.choice((-1, 1, 2)) if rng.random() < 0.15 else 0)
        rows.append([
            f"PTN-{len(rows) + 1:03d}", day.isoformat(), loc.admin1_name,
            loc.admin2_name, place_spelling(loc, rng, 0.2), f"{loc.latitude:.4f}",
            f"{loc.longitude:.4f}", noisy_count(rng, event.tolls["killed"], 0.1),
            event.tolls["injured"], CONTEXTS_FR.get(event.context, "incident"),
        ])  # fmt: skip
        origins.append(SourceRow(len(rows) + 2, "event", event.event_id))
    if rows:
        rows.append(list(rows[0]))
        origins.append(SourceRow(len(rows) + 2, "duplicate", origins[0].event_id, note="re-sent"))
    source = SourceFile(path.name, "hxl", "utf-8", ",", origins)
    write_csv(path, HXL_HEADER, [list(HXL_TAGS), *rows])
    return source
