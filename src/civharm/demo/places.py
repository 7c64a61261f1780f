"""Real Mali places for the demo, read from the country pack's localities.csv.

Never invents a place: every locality, name variant and coordinate comes from the pack.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from civharm.core.text import fold

# Mali's bounding box (degrees), with a small margin: south, north, west, east.
MALI_BBOX = (10.0, 25.1, -12.3, 4.3)

# Share of events by region, as the conflict is (central and northern Mali).
REGION_EVENT_WEIGHTS: dict[str, float] = {
    "mopti": 0.33,
    "segou": 0.17,
    "gao": 0.12,
    "tombouctou": 0.10,
    "menaka": 0.10,
    "kidal": 0.04,
    "koulikoro": 0.06,
    "sikasso": 0.05,
    "kayes": 0.03,
}

# Region spellings seen in field reports and the press.
REGION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "tombouctou": ("Tombouctou", "Tombouktou", "Tombouctou", "Timbuktu"),
    "segou": ("Ségou", "Segou", "Ségou"),
    "menaka": ("Ménaka", "Menaka"),
    "mopti": ("Mopti",),
    "gao": ("Gao",),
    "kidal": ("Kidal",),
}

# Feature codes of GeoNames: villages and towns are where most harm happens; the capital
# almost never in this dataset.
_FEATURE_WEIGHT = {"PPL": 1.0, "PPLA2": 0.7, "PPLA": 0.4, "PPLC": 0.0}


class LocalitiesMissing(FileNotFoundError):
    """The country pack has no localities.csv (or it has no usable row)."""


@dataclass(frozen=True, slots=True)
class Locality:
    id: str
    name: str
    ascii_name: str
    alternate_names: tuple[str, ...]
    latitude: float
    longitude: float
    admin1_pcode: str
    admin1_name: str
    admin2_pcode: str
    admin2_name: str
    admin3_pcode: str
    admin3_name: str
    population: int | None
    feature: str

    @property
    def region_key(self) -> str:
        return fold(self.admin1_name)


def default_localities_path() -> Path:
    return Path(str(resources.files("civharm.country_packs").joinpath("mali", "localities.csv")))


def _parse_locality(row: dict[str, str]) -> Locality:
    population = row.get("population", "").strip()
    return Locality(
        id=row["id"],
        name=row["name"],
        ascii_name=row.get("ascii_name") or row["name"],
        alternate_names=tuple(a for a in (row.get("alternate_names") or "").split("|") if a),
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        admin1_pcode=row.get("admin1_pcode", ""),
        admin1_name=row.get("admin1_name", ""),
        admin2_pcode=row.get("admin2_pcode", ""),
        admin2_name=row.get("admin2_name", ""),
        admin3_pcode=row.get("admin3_pcode", ""),
        admin3_name=row.get("admin3_name", ""),
        population=int(float(population)) if population else None,
        feature=row.get("feature", ""),
    )


def load_localities(path: Path | None = None) -> list[Locality]:
    """Localities inside Mali's bounding box, sorted by id (so draws are reproducible)."""
    path = path or default_localities_path()
    if not path.exists():
        raise LocalitiesMissing(f"{path} does not exist: the Mali country pack is incomplete")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [_parse_locality(row) for row in csv.DictReader(handle)]
    south, north, west, east = MALI_BBOX
    inside = [
        loc
        for loc in rows
        if south <= loc.latitude <= north and west <= loc.longitude <= east and loc.admin1_name
    ]
    if not inside:
        raise LocalitiesMissing(f"{path} has no locality inside Mali")
    return sorted(inside, key=lambda loc: loc.id)


def locality_weights(localities: list[Locality]) -> list[float]:
    """Draw weight of each locality: its region's share split over the region's places."""
    per_region: dict[str, float] = {}
    for loc in localities:
        per_region[loc.region_key] = per_region.get(loc.region_key, 0.0) + _feature_weight(loc)
    return [
        REGION_EVENT_WEIGHTS.get(loc.region_key, 0.0)
        * _feature_weight(loc)
        / (per_region[loc.region_key] or 1.0)
        for loc in localities
    ]


def _feature_weight(loc: Locality) -> float:
    return _FEATURE_WEIGHT.get(loc.feature, 0.8)


def _is_cp1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def place_spelling(loc: Locality, rng: random.Random, messiness: float) -> str:
    """The place as a source might write it: usually its name, sometimes a variant."""
    roll = rng.random()
    if roll >= messiness:
        return loc.name
    if roll < messiness / 2:
        return loc.ascii_name
    variants = [
        a
        for a in loc.alternate_names
        if a.isascii() and len(a) > 2 and fold(a) != fold(loc.name) and _is_cp1252(a)
    ]
    return rng.choice(variants) if variants else loc.ascii_name


def region_spelling(loc: Locality, rng: random.Random, messiness: float) -> str:
    if rng.random() >= messiness:
        return loc.admin1_name
    spellings = REGION_SPELLINGS.get(loc.region_key, (fold(loc.admin1_name).title(),))
    return rng.choice(spellings)


def cercle_spelling(loc: Locality, rng: random.Random, messiness: float) -> str:
    if rng.random() >= messiness:
        return loc.admin2_name
    if fold(loc.admin2_name) == "macina":
        return rng.choice(("Macina", "Ké-Macina"))
    return fold(loc.admin2_name).title()
