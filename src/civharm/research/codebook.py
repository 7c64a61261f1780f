"""The country pack's codebook of interview themes, read from country_packs/<pack>/codebook.json.

The data migration seeds Theme rows from it (seed_codebook_themes); analysts extend the
codebook in the app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

DEFAULT_PACK = "mali"


@dataclass(frozen=True)
class CodebookTheme:
    key: str
    group: str
    label_fr: str
    label_en: str
    description: str


def load_codebook(pack: str = DEFAULT_PACK) -> list[CodebookTheme]:
    """The pack's themes in file order (descriptions in French, the team's working language)."""
    path = resources.files("civharm.country_packs").joinpath(pack, "codebook.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        CodebookTheme(
            key=item["key"],
            group=item["group"],
            label_fr=item["fr"],
            label_en=item["en"],
            description=item.get("description_fr", ""),
        )
        for item in data["themes"]
    ]


def seed_codebook_themes(theme_model: Any, pack: str = DEFAULT_PACK) -> int:
    """Create the pack's themes that are missing (`theme_model`: the Theme model, or the
    migration's historical one); themes already there are left as analysts edited them.
    Returns how many were created."""
    created = 0
    for theme in load_codebook(pack):
        _row, new = theme_model.objects.get_or_create(
            key=theme.key,
            defaults={
                "group": theme.group,
                "label_fr": theme.label_fr,
                "label_en": theme.label_en,
                "description": theme.description,
                "created_by": "country pack",
            },
        )
        created += new
    return created
