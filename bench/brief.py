"""Benchmark: an advocacy brief for one year of one region (`civharm brief`, PDF and HTML) on a
generated register of realistic size, beside a same-run baseline: the same brief of a period
with no incident (the fixed cost: Django start-up, templates, WeasyPrint, fonts, the map).

    .venv/bin/python bench/brief.py                       # 15,000 incidents, 2019-2024
    .venv/bin/python bench/brief.py --incidents 60000 --runs 3

The register is written straight into a fresh data folder (generated incidents, no person, no
name); the brief runs as a user runs it, `civharm brief` in a subprocess. Target: under 15 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

TARGET_S = 15.0
# Share of incidents per region, roughly as ACLED's Mali events of 2019-2024 fall.
REGION_WEIGHTS = {"ML05": 0.38, "ML04": 0.14, "ML07": 0.12, "ML06": 0.1, "ML10": 0.09}
CONTEXTS = [
    "attack_on_village",
    "ground_operation",
    "ied_landmine",
    "checkpoint",
    "arrest_detention",
    "air_drone_strike",
    "abduction",
    "looting_extortion",
    "ambush",
    "search_cordon",
]
ACTORS = {
    "fama": "state_forces",
    "africa_corps_wagner": "foreign_forces",
    "jnim": "veo",
    "is_sahel": "veo",
    "dan_na_ambassagou": "community_militia",
    "unknown": "unknown",
}
SOURCES = [("ACLED (bench)", "dataset"), ("ONG (bench)", "ngo"), ("Médias (bench)", "media")]


def _environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"CIVHARM_DATA": str(folder), "CIVHARM_LANG": "fr"}


def build_register(folder: Path, incidents: int, seed: int) -> None:
    """Migrate a fresh data folder and fill it with generated incidents (in this process)."""
    os.environ.update(_environment(folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _fill(incidents, random.Random(seed))


def _fill(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from civharm.core.gazetteer import Gazetteer
    from civharm.incidents import models

    gazetteer = Gazetteer.load()
    regions = list(REGION_WEIGHTS)
    cercles = {r: gazetteer.admin2_units(r) for r in regions}
    actors = [
        models.Actor.objects.get_or_create(
            key=k, defaults={"category": c, "name_fr": k, "name_en": k}
        )[0]
        for k, c in ACTORS.items()
    ]
    sources = [models.Source.objects.create(name=n, source_type=t) for n, t in SOURCES]
    start, days = date(2019, 1, 1), (date(2024, 12, 31) - date(2019, 1, 1)).days
    with transaction.atomic():
        batch = []
        for _ in range(count):
            region = rng.choices(regions, weights=list(REGION_WEIGHTS.values()))[0]
            cercle = rng.choice(cercles[region])
            batch.append(
                models.Incident(
                    date_start=start + timedelta(days=rng.randrange(days)),
                    admin1_pcode=region,
                    admin2_pcode=cercle[0],
                    admin2_name=cercle[1],
                    interaction_context=rng.choice(CONTEXTS),
                    assessment_grade=rng.choice(["confirmed", "fair", "weak", "discounted"]),
                )
            )
        created = models.Incident.objects.bulk_create(batch, batch_size=2000)
        _details(created, actors, sources, rng)


def _details(incidents: list, actors: list, sources: list, rng: random.Random) -> None:
    from civharm.incidents import models

    harm, perpetrators, reports = [], [], []
    for incident in incidents:
        for actor in rng.sample(actors, rng.choice([1, 1, 1, 2])):
            perpetrators.append(models.IncidentPerpetrator(incident=incident, actor=actor))
        for harm_type in rng.sample(["killed", "injured", "abducted"], rng.randint(1, 3)):
            best = max(1, int(rng.expovariate(1 / 4)))
            harm.append(
                models.HarmCount(
                    incident=incident,
                    harm_type=harm_type,
                    low=max(1, best // 2),
                    best=best,
                    high=best * 2,
                )
            )
        for source in rng.sample(sources, rng.randint(1, 3)):
            reports.append(
                models.Report(
                    source=source,
                    record_id=f"{incident.pk}-{source.pk}",
                    kind="event",
                    source_format="acled",
                    payload="{}",
                    payload_sha256="0" * 64,
                    incident=incident,
                    date_start=incident.date_start,
                )
            )
    models.IncidentPerpetrator.objects.bulk_create(perpetrators, batch_size=5000)
    models.HarmCount.objects.bulk_create(harm, batch_size=5000)
    models.Report.objects.bulk_create(reports, batch_size=5000)


def run_brief(folder: Path, period: tuple[str, str], output: Path) -> tuple[float, dict]:
    """Wall-clock seconds of `civharm brief` as a user runs it, and its JSON."""
    command = [
        sys.executable,
        "-m",
        "civharm.cli",
        "brief",
        "--region",
        "Mopti",
        "--from",
        period[0],
        "--to",
        period[1],
        "--lang",
        "fr",
        "-o",
        str(output),
        "--json",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, env=_environment(folder), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"civharm brief failed:\n{result.stderr}")
    return seconds, json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=15_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="civharm-bench-brief-"))
    began = time.perf_counter()
    build_register(folder / "data", args.incidents, args.seed)
    print(
        f"register: {args.incidents:,} generated incidents in {time.perf_counter() - began:.1f} s"
    )
    from civharm.incidents.models import Incident

    year = Incident.objects.filter(admin1_pcode="ML05", date_start__year=2022).count()
    print(f"Mopti, 2022: {year:,} incidents (discounted ones included; the brief leaves them out)")
    medians = {}
    for label, period in (
        ("brief, Mopti 2022", ("2022-01", "2022-12")),
        ("baseline, a period with no incident", ("2030-01", "2030-12")),
    ):
        walls, inner = [], []
        for run in range(args.runs):
            wall, reported = run_brief(folder / "data", period, folder / f"{period[0]}-{run}.pdf")
            walls.append(wall)
            inner.append(reported["seconds"])
        medians[label] = statistics.median(walls)
        print(
            f"{label}: median {medians[label]:.2f} s wall-clock (min {min(walls):.2f}, "
            f"max {max(walls):.2f}; inside the command {statistics.median(inner):.2f} s)"
        )
    brief = medians["brief, Mopti 2022"]
    print(
        f"target: under {TARGET_S:.0f} s for a year of one region: "
        + ("met" if brief < TARGET_S else "NOT met")
    )
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
