"""Synthetic ground truth for linkage: incident reports and victim lists of a made-up conflict in
Mali 2018–2024, each record tagged with its true incident and true person.

For tests and benchmarks only: every person is generated, none is real; never feeds the register.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civharm.linkage.frames import INCIDENT_REPORT_COLUMNS, VICTIM_RECORD_COLUMNS
from civharm.linkage.synthetic.events import _actor_table, _check_taxonomy, _Incidents, _incidents
from civharm.linkage.synthetic.people import _Persons, _persons
from civharm.linkage.synthetic.places import _Places, _places
from civharm.linkage.synthetic.records import (
    _canonical_style,
    _compose_names,
    _reports,
    _sightings,
    _victims,
)
from civharm.linkage.synthetic.tables import (
    _CONTEXTS,
    COMMUNITIES,
    DUPLICATE_SOURCE,
    PROFILES,
    SourceProfile,
    SyntheticTruth,
)

__all__ = [
    "DUPLICATE_SOURCE",
    "RECORDS_PER_INCIDENT",
    "SHARD_RECORDS",
    "SourceProfile",
    "SyntheticTruth",
    "generate_linkage_truth",
    "victims_for_size",
]

# ---------------------------------------------------------------------------------------------
# Assembly.


def _with_copies(
    frame: pd.DataFrame, source: str, share: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The same row entered twice in one list (an offline form submitted again)."""
    rows = np.flatnonzero((frame["source"] == source).to_numpy() & (rng.random(len(frame)) < share))
    return pd.concat([frame, frame.iloc[rows]], ignore_index=True)


def _numbered(
    frame: pd.DataFrame,
    profiles: tuple[SourceProfile, ...],
    columns: list[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Rows list by list, shuffled within a list, numbered 1..n: ids tell nothing of the truth."""
    order = {p.name: i for i, p in enumerate(profiles)}
    rank = np.lexsort((rng.random(len(frame)), frame["source"].map(order).to_numpy()))
    frame = frame.iloc[rank].reset_index(drop=True)
    frame.insert(0, "record_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame[columns]


def _incident_frame(inc: _Incidents, places: _Places) -> pd.DataFrame:
    admin = places.admin
    table = _actor_table()
    return pd.DataFrame(
        {
            "true_incident_id": np.arange(1, len(inc.day) + 1, dtype=np.int64),
            "date": inc.day.astype("datetime64[D]").astype("datetime64[ns]"),
            "admin1_pcode": admin.region_pcode[admin.cercle_region[inc.cercle]],
            "admin2_pcode": admin.cercle_pcode[inc.cercle],
            "place_name": places.name_texts[places.name_offsets[inc.village]],
            "latitude": places.village_point[inc.village, 0],
            "longitude": places.village_point[inc.village, 1],
            "interaction_context": np.array(list(_CONTEXTS), dtype=object)[inc.context],
            "actors": [list(table.sets[a]) for a in inc.actors],
            "victims": inc.victims,
            "killed": inc.killed,
        }
    )


def _person_frame(p: _Persons, rng: np.random.Generator) -> pd.DataFrame:
    n = len(p.incident)
    names = _compose_names(p, np.arange(n), _canonical_style(n), rng)
    return pd.DataFrame(
        {
            "true_person_id": np.arange(1, n + 1, dtype=np.int64),
            "true_incident_id": p.incident.astype(np.int64) + 1,
            "full_name": names,
            "sex": np.where(p.female, "f", "m").astype(object),
            "age": p.age,
            "community": np.array(COMMUNITIES, dtype=object)[p.community],
        }
    )


def _report_columns() -> list[str]:
    return [*INCIDENT_REPORT_COLUMNS, "true_incident_id"]


def _victim_columns() -> list[str]:
    return [*VICTIM_RECORD_COLUMNS, "true_person_id", "true_incident_id"]


def _profiles(sources: int) -> tuple[SourceProfile, ...]:
    if not 2 <= sources <= len(PROFILES):
        raise ValueError(f"sources must be between 2 and {len(PROFILES)}, not {sources}")
    return PROFILES[:sources]


def _generate(
    n_incidents: int, seed: int, sources: int, with_reports: bool, father_share: float = 0.0
) -> SyntheticTruth:
    if n_incidents < 1:
        raise ValueError(f"n_incidents must be at least 1, not {n_incidents}")
    profiles = _profiles(sources)
    _check_taxonomy()
    # the eighth stream draws the fathers: the first seven give the same records without it
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    places = _places(int(np.clip(n_incidents, 1_500, 60_000)), streams[0])
    inc = _incidents(n_incidents, places, streams[1])
    persons = _persons(inc, places, streams[2], streams[7])
    sight = _sightings(inc, places, profiles, streams[3])
    duplicated = {p.name: p.duplicates for p in profiles if p.duplicates > 0}
    victims = _victims(sight, inc, persons, places, profiles, streams[4], streams[7], father_share)
    reports = _reports(sight, inc, places, profiles, streams[5]) if with_reports else None
    for name, share in duplicated.items():
        victims = _with_copies(victims, name, share / 2, streams[6])
        if reports is not None:
            reports = _with_copies(reports, name, share, streams[6])
    return SyntheticTruth(
        reports=_numbered(reports, profiles, _report_columns(), streams[6])
        if reports is not None
        else pd.DataFrame(columns=_report_columns()),
        victims=_numbered(victims, profiles, _victim_columns(), streams[6]),
        incidents=_incident_frame(inc, places),
        persons=_person_frame(persons, streams[6]),
        sources_with_duplicates=frozenset(duplicated),
    )


def generate_linkage_truth(n_incidents: int, *, seed: int = 0, sources: int = 4) -> SyntheticTruth:
    """Reports and victim records of `n_incidents` made-up incidents seen by `sources` lists
    (2-6: UN list, NGO list, press, interviews, local authority, hospital), with their truth.

    Deterministic for a seed. About 4 victims per incident and 6-7 victim records per
    incident with 4 sources. Dates are datetime64[ns] (NaT when missing); counts and ages are
    nullable Int64; `actors` is a list of taxonomy keys or None.
    """
    return _generate(n_incidents, seed, sources, with_reports=True)


RECORDS_PER_INCIDENT = 5.7  # victim records per incident with 4 sources, measured


SHARD_RECORDS = 10_000  # records of one Mali-sized register over 2018-2024


def victims_for_size(
    n_records: int, seed: int = 0, shard: int = SHARD_RECORDS, father_share: float = 0.0
) -> pd.DataFrame:
    """A victims frame (with truth columns) of at most `n_records` rows and close to it, made
    of whole incidents: for benchmarks at 10k, 100k, 1M records.

    With `father_share` > 0 the column `father_name` gives the father's given name on that share
    of the records (else it is None throughout; bench/linkage_ceiling.py measures what it
    adds); the other columns are the same.

    Past `shard` records the register is made of several Mali-sized registers side by side
    (P-codes prefixed "S1-", "S2-"…), so that records per cercle and day stay what one country
    produces: ten times the records in the same cercles and years would be a denser register
    — a harder problem — not a bigger one."""
    if not 0 <= father_share <= 1:
        raise ValueError(f"father_share must be between 0 and 1, not {father_share}")
    parts = []
    offset = incident_offset = person_offset = 0
    for index in range(max(1, -(-n_records // shard))):
        size = min(shard, n_records - index * shard)
        part = _victims_of_one_register(size, seed + index, father_share)
        if index:
            for column in ("admin1_pcode", "admin2_pcode"):
                part[column] = (f"S{index}-" + part[column].astype("object")).where(
                    part[column].notna(), None
                )
        part["record_id"] += offset
        part["true_incident_id"] += incident_offset
        part["true_person_id"] += person_offset
        offset = int(part["record_id"].max())
        incident_offset = int(part["true_incident_id"].max()) + 1
        person_offset = int(part["true_person_id"].max()) + 1
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _victims_of_one_register(n_records: int, seed: int, father_share: float) -> pd.DataFrame:
    n_incidents = int(n_records / RECORDS_PER_INCIDENT * 1.1) + 20
    while True:
        victims = _generate(n_incidents, seed, 4, False, father_share).victims
        if len(victims) >= n_records:
            break
        n_incidents = int(n_incidents * 1.3)
    per_incident = victims["true_incident_id"].value_counts().sort_index().cumsum()
    kept = per_incident.index[per_incident.to_numpy() <= n_records]
    return victims[victims["true_incident_id"].isin(kept)].reset_index(drop=True)
