"""Generates the demo: a hidden truth of civilian-harm events in Mali and source files
that each observe part of it, with realistic noise. Generated people only.

Deterministic for a seed. Never prints or logs a generated person's name.
"""

from __future__ import annotations

import random
from pathlib import Path

from civharm.core.taxonomy import load_taxonomy
from civharm.demo.acled import write_acled
from civharm.demo.events import ACTOR_CATEGORY, CONTEXTS_BY_CATEGORY, generate_events
from civharm.demo.field_reports import write_hxl, write_media, write_reports
from civharm.demo.people import generate_victims
from civharm.demo.places import load_localities
from civharm.demo.truth import TOLL_HARM_TYPES, DemoTruth
from civharm.demo.ucdp import write_ucdp, write_ucdp_rows
from civharm.demo.victim_lists import write_association_list, write_ngo_list, write_un_list

__all__ = ["DEMO_FILES", "generate_demo", "write_ucdp_rows"]

# File name -> reader format of civharm.ingest (as read_source(fmt, path) expects).
DEMO_FILES: dict[str, str] = {
    "acled_demo.csv": "acled",
    "ucdp_ged_demo.csv": "ucdp",
    "rapports_entretiens.csv": "reports",
    "media_reports.xlsx": "reports",
    "liste_victimes_ong.csv": "victims",
    "un_victim_list.xlsx": "victims",
    "liste_association_victimes.csv": "victims",
    "partner_incidents_hxl.csv": "hxl",
}

BASE_EVENTS = 150
BASE_LARGE_EVENTS = 5
BASE_CLASHES = 30


class DemoConfigurationError(ValueError):
    """The demo's model names a taxonomy key that the country pack does not have."""


def _check_against_taxonomy() -> None:
    taxonomy = load_taxonomy()
    known = {
        "harm_types": set(taxonomy.keys("harm_types")),
        "actors": set(taxonomy.keys("actors")),
        "interaction_contexts": set(taxonomy.keys("interaction_contexts")),
    }
    used = {
        "harm_types": set(TOLL_HARM_TYPES),
        "actors": set(ACTOR_CATEGORY),
        "interaction_contexts": {c for w in CONTEXTS_BY_CATEGORY.values() for c in w},
    }
    for name, keys in used.items():
        if missing := keys - known[name]:
            raise DemoConfigurationError(f"{name} not in the taxonomy: {sorted(missing)}")


def _rng(seed: int, purpose: str) -> random.Random:
    """One independent, reproducible stream per purpose, so sources do not shift each other."""
    return random.Random(f"civharm-demo:{seed}:{purpose}")


def generate_demo(out_dir: Path, seed: int = 2024, scale: float = 1.0) -> DemoTruth:
    """Write the demo source files into out_dir and return the truth behind them."""
    _check_against_taxonomy()
    out_dir.mkdir(parents=True, exist_ok=True)
    localities = load_localities()
    n_events = max(10, round(BASE_EVENTS * scale))
    n_large = max(1, round(BASE_LARGE_EVENTS * scale))
    events = generate_events(_rng(seed, "events"), localities, n_events, n_large)
    victims = generate_victims(_rng(seed, "victims"), events)
    truth = DemoTruth(seed=seed, scale=scale, out_dir=out_dir, events=events, victims=victims)
    n_clashes = max(3, round(BASE_CLASHES * scale))
    written = [
        write_acled(out_dir / "acled_demo.csv", _rng(seed, "acled"), events, localities, n_clashes),
        write_ucdp(out_dir / "ucdp_ged_demo.csv", _rng(seed, "ucdp"), events),
        write_reports(out_dir / "rapports_entretiens.csv", _rng(seed, "reports"), events),
        write_media(out_dir / "media_reports.xlsx", _rng(seed, "media"), events),
        write_ngo_list(out_dir / "liste_victimes_ong.csv", _rng(seed, "ngo"), events, victims),
        write_un_list(out_dir / "un_victim_list.xlsx", _rng(seed, "un"), events, victims),
        write_association_list(
            out_dir / "liste_association_victimes.csv", _rng(seed, "association"), events, victims
        ),
        write_hxl(out_dir / "partner_incidents_hxl.csv", _rng(seed, "hxl"), events),
    ]
    truth.sources = {source.name: source for source in written}
    return truth
