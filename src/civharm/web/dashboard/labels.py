"""Labels of dashboard keys in the reader's language: places from the gazetteer, actors,
harm types, contexts and grades from the country pack's taxonomies, months as words.

Labels name categories and places only, never a person.
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civharm.analysis.published import ACTOR_JOIN
from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import load_taxonomy

TAXONOMY_OF_TABLE = {
    "by_actor": "actors",
    "by_harm_type": "harm_types",
    "by_context": "interaction_contexts",
}


def month_label(key: str) -> str:
    """ "2022-03" -> "March 2022" ("mars 2022" in French); anything else as it is."""
    try:
        first_day = datetime.date(int(key[:4]), int(key[5:7]), 1)
    except (ValueError, IndexError):
        return key
    return date_format(first_day, "YEAR_MONTH_FORMAT")


class DimensionLabels:
    """Looks labels up once per page (the taxonomy and gazetteer are cached per process)."""

    def __init__(self) -> None:
        language = get_language() or "fr"
        taxonomy = load_taxonomy()
        gazetteer = Gazetteer.load()
        self.by_table: dict[str, dict[str, str]] = {
            name: dict(taxonomy.choices(taxonomy_name, language))
            for name, taxonomy_name in TAXONOMY_OF_TABLE.items()
        }
        self.by_table["by_region"] = dict(gazetteer.admin1_units())
        self.by_table["by_cercle"] = {pcode: name for pcode, name, _r in gazetteer.admin2_units()}
        self.actor_categories = dict(taxonomy.choices("actor_categories", language))

    def label(self, table: str, key: str) -> str:
        if table == "totals":
            return _("total")
        if not key:
            return _("(none recorded)") if table == "by_harm_type" else _("(unknown)")
        if table == "by_month":
            return month_label(key)
        names = self.by_table.get(table, {})
        if table == "by_actor" and ACTOR_JOIN in key:  # partners: the incident's set of actors
            return " + ".join(names.get(part, part) for part in key.split(ACTOR_JOIN))
        return names.get(key, key)
