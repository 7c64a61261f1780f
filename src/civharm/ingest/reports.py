"""Read the generic incident-report template (CSV or XLSX, French or English headers).

Headers are recognised accent- and case-insensitively; `columns={"our_field": "their header"}`
overrides recognition. Field names are the keys of REPORT_COLUMNS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civharm.core.i18n import _
from civharm.ingest.fields import recognises, resolve_columns
from civharm.ingest.incident_fields import EventFields, read_incident_rows
from civharm.ingest.records import RowError, SourceRecord, UnreadableFile
from civharm.ingest.tables import open_table

FORMAT = "reports"

# Our field -> the headers it is recognised by (compared after fold_key; first match wins).
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "référence", "reference", "identifiant", "n°", "numéro", "code incident", "ref"),
    "date": ("date", "date de l'incident", "date incident", "date début", "date de début",
             "start date", "date of incident", "incident date", "event date"),
    "date_end": ("date fin", "date de fin", "end date"),
    "date_precision": ("précision de la date", "precision date", "date precision",
                       "précision date"),
    "place": ("lieu", "localité", "localite", "village", "place", "location", "locality"),
    "admin3": ("commune", "municipality", "admin3"),
    "admin2": ("cercle", "district", "admin2"),
    "admin1": ("région", "region", "admin1"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long", "lng"),
    "perpetrator": ("auteur présumé", "auteurs présumés", "auteur", "auteurs",
                    "alleged perpetrator", "alleged perpetrators", "perpetrator", "perpetrators"),
    "context": ("contexte", "type d'interaction", "interaction context", "context",
                "contexte d'interaction", "type d'incident", "incident type"),
    "killed": ("tués", "morts", "décès", "nombre de tués", "nombre de morts", "killed", "deaths",
               "dead", "fatalities"),
    "injured": ("blessés", "nombre de blessés", "injured", "wounded"),
    "abducted": ("enlevés", "disparus", "enlevés ou disparus", "enlevés/disparus", "abducted",
                 "missing", "disappeared"),
    "sexual_violence": ("violences sexuelles", "sexual violence"),
    "arbitrary_detention": ("détentions arbitraires", "détenus", "arbitrary detention",
                            "detained", "arbitrary detentions"),
    "displaced_households": ("ménages déplacés", "displaced households"),
    "property_destroyed": ("biens détruits", "property destroyed"),
    "livestock_crops_lost": ("bétail perdu", "bétail ou récoltes perdus", "livestock lost",
                             "livestock or crops lost"),
    "description": ("description", "résumé", "resume", "récit", "narrative", "summary"),
    "source": ("source", "référence de la source", "source reference"),
    "language": ("langue", "language"),
    "source_type": ("type de source", "source type"),
}  # fmt: skip
NEEDED_ONE_OF = ("date", "place", "admin3", "admin2", "admin1", "latitude")


def read_reports(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    file_label: str | None = None,
    sheet: str | None = None,
) -> Iterator[SourceRecord | RowError]:
    """Records of an incident-report table; see REPORT_COLUMNS for the field names."""
    table = open_table(
        path,
        header_test=_header_test(columns),
        expected=_("columns such as date, lieu/place, cercle, tués/killed"),
        file_label=file_label,
        sheet=sheet,
    )
    resolved = resolve_columns(table.header, REPORT_COLUMNS, columns, table.label)
    if not any(field in resolved for field in NEEDED_ONE_OF):
        raise UnreadableFile(
            _("The file « {label} » has no date and no place column (date, lieu, cercle…).").format(
                label=table.label
            )
        )
    yield from read_incident_rows(FORMAT, table, EventFields(resolved))


def _header_test(columns: dict[str, str] | None):
    aliases = dict(REPORT_COLUMNS)
    for field, header in (columns or {}).items():
        aliases[f"given:{field}"] = (header,)
    return recognises(aliases, needed=2)
