"""Read victim lists (CSV/XLSX, French or English headers): one SourceRecord per person.

Rows hold identities: no message, warning or error ever repeats a name or contact cell.
A person is never dropped for a bad date or age (that would bias estimates); only the cell is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from civharm.core.i18n import _
from civharm.core.precision import Count
from civharm.core.text import fold
from civharm.ingest.dates import DateParseError, parse_date
from civharm.ingest.fields import (
    RecordIds,
    header_key,
    match_term,
    parse_coordinates,
    precision_from_place,
    recognises,
    resolve_columns,
    row_json_and_sha,
)
from civharm.ingest.records import Place, RowError, SourceRecord, UnreadableFile, Victim
from civharm.ingest.tables import open_table

FORMAT = "victims"

# Our field -> headers it is recognised by (fold_key compared). Use these names in `columns=`.
VICTIM_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "n°", "no", "numéro", "numero", "number", "identifiant", "ref", "référence"),
    "family_name": ("nom", "nom de famille", "family name", "surname", "last name"),
    "given_name": ("prénom", "prénoms", "given name", "given names", "first name"),
    "full_name": ("nom complet", "nom et prénom", "nom et prénoms", "prénom et nom",
                  "noms et prénoms", "full name", "name", "nom prénom"),
    # the filiation lists give to tell namesakes apart ("fils de Hamadoun")
    "father_name": ("nom du père", "nom et prénom du père", "nom complet du père", "père",
                    "fils de", "fils/fille de", "fils ou fille de", "filiation", "father",
                    "father's name", "father name", "name of father", "son/daughter of"),
    # a list that splits the father's name as it splits the victim's
    "father_given_name": ("prénom du père", "prénoms du père", "father's first name",
                          "father's given name", "father first name"),
    "sex": ("sexe", "genre", "sex", "gender"),
    "age": ("âge", "age", "âge (ans)", "age (years)"),
    "date": ("date du décès", "date de décès", "date de l'incident", "date of death",
             "date of incident", "date"),
    "place": ("lieu", "localité", "village", "place", "location", "lieu du décès",
              "place of death"),
    "admin3": ("commune", "municipality"),
    "admin2": ("cercle", "district"),
    "admin1": ("région", "region"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long"),
    "civilian_status": ("statut", "civil", "statut civil", "civilian status", "status",
                        "civilian"),
    "community": ("communauté", "ethnie", "community", "ethnicity", "ethnic group"),
    "contact": ("contact", "téléphone", "telephone", "phone", "tel", "contact de la famille"),
    "harm": ("type de préjudice", "préjudice", "harm", "harm type", "type of harm",
             "préjudice subi"),
}  # fmt: skip
DEATH_DATE_HEADERS = frozenset({"datedudeces", "datededeces", "dateofdeath"})
PERSONAL_FIELDS = (
    "family_name", "given_name", "full_name", "father_name", "father_given_name", "contact"
)  # fmt: skip

SEX_WORDS = {
    "m": "male", "h": "male", "homme": "male", "masculin": "male", "male": "male", "man": "male",
    "garcon": "male", "boy": "male", "f": "female", "femme": "female", "feminin": "female",
    "female": "female", "woman": "female", "fille": "female", "girl": "female",
}  # fmt: skip
AGE_BANDS = {
    "enfant": "0-17", "child": "0-17", "mineur": "0-17", "minor": "0-17", "bebe": "0-17",
    "nourrisson": "0-17", "baby": "0-17", "adolescent": "0-17", "adulte": "18+", "adult": "18+",
    "vieillard": "60+", "personne agee": "60+", "elderly": "60+", "agee": "60+", "age": "60+",
}  # fmt: skip
CIVILIAN_WORDS = {
    "civil": "civilian", "civile": "civilian", "civilian": "civilian", "oui": "civilian",
    "yes": "civilian", "militaire": "combatant", "combattant": "combatant",
    "combatant": "combatant", "soldat": "combatant", "soldier": "combatant", "non": "combatant",
    "no": "combatant", "membre de groupe arme": "combatant",
}  # fmt: skip
HARM_WORDS = {
    "tue": "killed", "tuee": "killed", "tues": "killed", "mort": "killed", "morte": "killed",
    "decede": "killed", "decedee": "killed", "deces": "killed", "killed": "killed",
    "dead": "killed", "blesse": "injured", "blessee": "injured", "injured": "injured",
    "wounded": "injured", "enleve": "abducted", "enlevee": "abducted", "disparu": "abducted",
    "disparue": "abducted", "abducted": "abducted", "kidnapped": "abducted",
    "missing": "abducted", "disappeared": "abducted", "detenu": "arbitrary_detention",
    "detenue": "arbitrary_detention", "arrete": "arbitrary_detention",
    "detained": "arbitrary_detention", "viol": "sexual_violence", "violee": "sexual_violence",
    "violence sexuelle": "sexual_violence", "rape": "sexual_violence",
}  # fmt: skip
_AGE = re.compile(
    r"(?:env|environ|about|around|approx|~|vers|\+/-)?\s*(\d{1,3})\s*(?:ans?|years?|yrs?|y)?"
)
_AGE_RANGE = re.compile(r"(\d{1,3})\s*(?:-|a|to|\s)\s*(\d{1,3})(?:\s*ans|\s*years)?")
_AGE_OPEN = re.compile(r"(\d{1,3})\s*\+|(?:plus de|over)\s*(\d{1,3})(?:\s*ans|\s*years)?")


def read_victims(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    file_label: str | None = None,
    sheet: str | None = None,
) -> Iterator[SourceRecord | RowError]:
    """Records (kind="victim") of a victim list; see VICTIM_COLUMNS for `columns` field names."""
    aliases = dict(VICTIM_COLUMNS)
    aliases.update({f"given:{field}": (header,) for field, header in (columns or {}).items()})
    table = open_table(
        path,
        header_test=recognises(aliases, needed=2),
        expected=_("columns such as nom, prénom, sexe, âge, date du décès"),
        file_label=file_label,
        sheet=sheet,
    )
    resolved = _lone_name_is_full_name(
        resolve_columns(table.header, VICTIM_COLUMNS, columns, table.label), columns
    )
    if not any(field in resolved for field in ("family_name", "given_name", "full_name", "id")):
        raise UnreadableFile(
            _(
                "The file « {label} » has no name or id column (nom, prénom, nom complet, n°)."
            ).format(label=table.label)
        )
    default_harm = _default_harm(resolved)
    ids = RecordIds()
    for item in table.rows():
        if isinstance(item, RowError):
            yield item  # table-level errors describe shapes only, never cells
            continue
        number, payload = item
        cells = {field: payload[header] for field, header in resolved.items()}
        yield _record(number, payload, cells, ids, default_harm)


def _lone_name_is_full_name(
    resolved: dict[str, str], columns: dict[str, str] | None
) -> dict[str, str]:
    """A list with a "Nom" column and no prénom/nom complet column writes whole names in it."""
    given = columns or {}
    lone = "family_name" in resolved and not {"given_name", "full_name"} & resolved.keys()
    if lone and "family_name" not in given:
        resolved["full_name"] = resolved.pop("family_name")
    return resolved


def _default_harm(resolved: dict[str, str]) -> str | None:
    """'killed' when the list dates deaths and has no harm column; otherwise unknown."""
    if "harm" in resolved:
        return None
    date_header = resolved.get("date", "")
    return "killed" if header_key(date_header) in DEATH_DATE_HEADERS else None


def _record(
    number: int,
    payload: dict[str, str],
    cells: dict[str, str],
    ids: RecordIds,
    default_harm: str | None,
) -> SourceRecord:
    warnings: list[str] = []
    victim = _victim(cells, warnings, default_harm)
    place = _place(cells, warnings)
    payload_json, sha = row_json_and_sha(payload)
    record_id, id_warning = ids.assign(cells.get("id") or None, sha)
    record = SourceRecord(
        kind="victim",
        source_format=FORMAT,
        record_id=record_id,
        row=number,
        payload=payload,
        payload_sha256=sha,
        payload_json=payload_json,
        place=place,
        victim=victim,
        harm={victim.harm_type: Count.exact(1)} if victim.harm_type else {},
    )
    _set_date(record, cells.get("date", ""), warnings)
    record.warnings.extend(warnings + ([id_warning] if id_warning else []))
    return record


def _victim(cells: dict[str, str], warnings: list[str], default_harm: str | None) -> Victim:
    given, family, full = cells.get("given_name"), cells.get("family_name"), cells.get("full_name")
    if not full and (given or family):
        full = " ".join(part for part in (given, family) if part)
    age, age_band = parse_age(cells.get("age", ""), warnings)
    return Victim(
        full_name=full or None,
        given_name=given or None,
        family_name=family or None,
        sex=_lookup(cells.get("sex", ""), SEX_WORDS, _("sex"), warnings, "unknown"),  # type: ignore[arg-type]
        age=age,
        age_band=age_band,
        civilian_status=_lookup(  # type: ignore[arg-type]
            cells.get("civilian_status", ""),
            CIVILIAN_WORDS,
            _("civilian status"),
            warnings,
            "unknown",
        ),
        father_name=_father(cells),
        community=cells.get("community") or None,
        contact=cells.get("contact") or None,
        harm_type=_harm(cells.get("harm", ""), warnings) if "harm" in cells else default_harm,
    )


def _father(cells: dict[str, str]) -> str | None:
    """The father's name as the list gives it, from one column or from a given name and a
    family name in two (as the victim's own name may be)."""
    parts = [cells.get("father_given_name", "").strip(), cells.get("father_name", "").strip()]
    return " ".join(part for part in parts if part) or None


def describe_cell(text: str) -> str:
    """The shape of a victim-list cell, never its text: a misplaced name must not be echoed
    into a warning, a log or an error report."""
    kinds = []
    if any(ch.isalpha() for ch in text):
        kinds.append(_("letters"))
    if any(ch.isdigit() for ch in text):
        kinds.append(_("digits"))
    if any(not ch.isalnum() and not ch.isspace() for ch in text):
        kinds.append(_("signs"))
    return _("a value of {count} characters: {kinds}").format(
        count=len(text), kinds=", ".join(kinds) or _("spaces")
    )


def _lookup(text: str, words: dict[str, str], what: str, warnings: list[str], default: str) -> str:
    folded = fold(text)
    if not folded:
        return default
    if folded in words:
        return words[folded]
    warnings.append(
        _("{what} ({cell}) not understood; recorded as unknown").format(
            what=what, cell=describe_cell(text)
        )
    )
    return default


def parse_age(text: str, warnings: list[str]) -> tuple[int | None, str | None]:
    """(age, age band): "40", "env. 40", "40 ans" -> 40; "18-59" -> band; "enfant" -> "0-17"."""
    folded = fold(text)
    if not folded:
        return None, None
    if folded in AGE_BANDS:
        return None, AGE_BANDS[folded]
    if match := _AGE.fullmatch(folded.replace(".", "")):
        age = int(match[1])
        if age <= 120:
            return age, None
    if match := _AGE_RANGE.fullmatch(folded):
        low, high = int(match[1]), int(match[2])
        if low <= high <= 120:
            return None, f"{low}-{high}"
    if match := _AGE_OPEN.fullmatch(folded):
        return None, f"{match[1] or match[2]}+"
    warnings.append(
        _("age ({cell}) not understood; age left unknown").format(cell=describe_cell(text))
    )
    return None, None


def _harm(text: str, warnings: list[str]) -> str | None:
    folded = fold(text)
    if not folded:
        return None
    key = HARM_WORDS.get(folded) or match_term(text, "harm_types")
    if key is None:
        warnings.append(
            _("harm ({cell}) not understood; harm left unknown").format(cell=describe_cell(text))
        )
    return key


def _place(cells: dict[str, str], warnings: list[str]) -> Place:
    lat, lon, warning = parse_coordinates(cells.get("latitude", ""), cells.get("longitude", ""))
    if warning:
        warnings.append(warning)
    place = Place(
        name=cells.get("place") or None,
        admin1=cells.get("admin1") or None,
        admin2=cells.get("admin2") or None,
        admin3=cells.get("admin3") or None,
        latitude=lat,
        longitude=lon,
    )
    place.precision = precision_from_place(place)
    return place


def _set_date(record: SourceRecord, text: str, warnings: list[str]) -> None:
    if not text:
        return
    try:
        found = parse_date(text)
    except DateParseError:
        warnings.append(
            _("date ({cell}) not understood; date left unknown").format(cell=describe_cell(text))
        )
        return
    record.date_start, record.date_end, record.date_precision = found
