"""The country pack's codebook of interview themes, read from country_packs/<pack>/codebook.json.

Loading only: the data migration seeds Theme rows from it; analysts extend the codebook in the app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

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
