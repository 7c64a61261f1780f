"""How well victim records and persons are placed in their incident, on generated lists.

    .venv/bin/python bench/linkage_placing.py 2000 1                 # incidents, seed
    .venv/bin/python bench/linkage_placing.py 2000 1 --days 2,3,5    # tolerances to compare
    .venv/bin/python bench/linkage_placing.py 2000 1 --linked        # civharm's incidents

Incidents are the generated reports grouped by their true incident (a perfect incident
linkage), or with --linked as civharm's incident model groups them: a placement is right when
the incident holds a report of the record's true incident. Persons are the true persons, so
the person figures show the vote alone. Generated people only. Behind civharm.linkage.placing's
DAYS_APART and docs/linkage.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from civharm.linkage.placing import (
    DAYS_APART,
    incidents_of_persons,
    place_victim_records,
)
from civharm.linkage.synthetic import generate_linkage_truth


def incidents(truth: object, linked: bool) -> pd.DataFrame:
    reports = truth.reports  # type: ignore[attr-defined]
    if not linked:
        return reports.assign(incident_id=reports["true_incident_id"])
    from civharm.linkage.incidents import link_incident_reports
    from civharm.linkage.results import LinkageSettings

    settings = LinkageSettings(sources_with_duplicates=truth.sources_with_duplicates)  # type: ignore[attr-defined]
    clusters = link_incident_reports(reports, settings).clusters
    return reports.merge(clusters, on="record_id").rename(columns={"cluster_id": "incident_id"})


def rightly_placed(holds: pd.Series, placed: pd.Series, true: pd.Series) -> int:
    """How many were placed in an incident that holds a report of their true incident."""
    pairs = zip(placed.to_numpy(), true.to_numpy(), strict=True)
    return sum(int(truth in holds[int(incident)]) for incident, truth in pairs)


def share(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("incidents", type=int, nargs="?", default=2000)
    parser.add_argument("seed", type=int, nargs="?", default=1)
    parser.add_argument("--days", default=str(DAYS_APART), help="comma-separated tolerances")
    parser.add_argument("--linked", action="store_true", help="civharm's incident clusters")
    args = parser.parse_args()
    truth = generate_linkage_truth(args.incidents, seed=args.seed)
    reports = incidents(truth, args.linked)
    holds = reports.groupby("incident_id")["true_incident_id"].agg(set)
    victims = truth.victims
    persons = victims.rename(columns={"true_person_id": "person_id"})[["record_id", "person_id"]]
    true_of_person = victims.drop_duplicates("true_person_id").set_index("true_person_id")
    print(
        f"{len(victims):,} victim records of {persons['person_id'].nunique():,} persons; "
        f"{len(reports):,} event reports in {reports['incident_id'].nunique():,} incidents"
    )
    print("days  placed  ambiguous  no incident  precision  recall | persons placed  precision  "
          "recall  seconds")  # fmt: skip
    for days in (int(d) for d in args.days.split(",")):
        started = time.perf_counter()
        placement = place_victim_records(victims, reports, days_apart=days)
        seconds = time.perf_counter() - started
        placed = placement.records.merge(victims[["record_id", "true_incident_id"]], on="record_id")
        placed = placed[placed["incident_id"].notna()]
        right = rightly_placed(holds, placed["incident_id"], placed["true_incident_id"])
        chosen = incidents_of_persons(placement.records, persons).dropna(subset=["incident_id"])
        truly = true_of_person.loc[chosen["person_id"], "true_incident_id"]
        people_right = rightly_placed(holds, chosen["incident_id"], truly)
        counts = placement.counts()
        print(
            f"{days:>4}  {counts['placed']:>6,}  {counts['ambiguous']:>9,}  "
            f"{counts['no_incident']:>11,}  {share(right, len(placed)):>9}  "
            f"{share(right, len(victims)):>6} | {len(chosen):>14,}  "
            f"{share(people_right, len(chosen)):>9}  {share(people_right, len(true_of_person))}  "
            f"{seconds:7.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
