"""Small real-shaped source files for register tests (fictional events, generated people),
and a linkage run's save held open on another connection."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from civharm.demo.acled import ACLED_COLUMNS

ACLED_EVENTS = [
    # id, date, actor1, sub_event_type, admin1, admin2, location, lat, lon, fatalities, targeting
    (
        "MLI90001",
        "2022-03-14",
        "Military Forces of Mali (2021-)",
        "Attack",
        "Segou",
        "Niono",
        "Niono",
        14.2526,
        -5.9929,
        12,
        "Civilian targeting",
    ),
    (
        "MLI90002",
        "2022-05-02",
        "JNIM: Group for Support of Islam and Muslims",
        "Remote explosive/landmine/IED",
        "Mopti",
        "Bandiagara",
        "Bandiagara",
        14.3501,
        -3.6104,
        4,
        "",
    ),
    (
        "MLI90003",
        "2023-01-20",
        "Islamic State Sahel",
        "Attack",
        "Gao",
        "Menaka",
        "Menaka",
        15.9182,
        2.4022,
        30,
        "Civilian targeting",
    ),
]


def write_acled(path: Path, events: list[tuple] = ACLED_EVENTS) -> Path:  # type: ignore[type-arg]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS)
        writer.writeheader()
        for eid, day, actor1, sub, adm1, adm2, loc, lat, lon, deaths, targeting in events:
            writer.writerow(
                {
                    "event_id_cnty": eid,
                    "event_date": day,
                    "year": day[:4],
                    "time_precision": 1,
                    "disorder_type": "Political violence",
                    "event_type": "Violence against civilians"
                    if targeting
                    else "Explosions/Remote violence",
                    "sub_event_type": sub,
                    "actor1": actor1,
                    "inter1": 1,
                    "actor2": "Civilians (Mali)"
                    if targeting
                    else "Military Forces of Mali (2021-)",
                    "inter2": 7 if targeting else 1,
                    "interaction": 17 if targeting else 11,
                    "civilian_targeting": targeting,
                    "iso": 466,
                    "region": "Western Africa",
                    "country": "Mali",
                    "admin1": adm1,
                    "admin2": adm2,
                    "admin3": "",
                    "location": loc,
                    "latitude": lat,
                    "longitude": lon,
                    "geo_precision": 1,
                    "source": "Demo source",
                    "source_scale": "National",
                    "notes": f"Event at {loc}.",
                    "fatalities": deaths,
                    "tags": "",
                    "timestamp": 1700000000,
                }
            )
    return path


VICTIM_ROWS = [
    # N°; NOM; Prénom; Sexe; Âge; Date du décès; Lieu; Cercle; Région
    ("1", "KONATÉ", "Fatoumata", "F", "34", "14/03/2022", "Niono", "Niono", "Ségou"),
    ("2", "SANGARÉ", "Boubacar", "M", "env. 50", "14/03/2022", "Niono", "Niono", "Ségou"),
    ("3", "DIALLO", "Hamadoun", "M", "", "20/01/2023", "Ménaka", "Ménaka", "Gao"),
]


def write_victims(path: Path, rows: list[tuple[str, ...]] = VICTIM_ROWS) -> Path:
    """An NGO list as NGOs send them: cp1252, ';' delimiter, French headers, jj/mm/aaaa."""
    header = ["N°", "NOM", "Prénom", "Sexe", "Âge", "Date du décès", "Lieu", "Cercle", "Région"]
    with open(path, "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@contextmanager
def a_run_saving(kind: str) -> Iterator[None]:
    """Another connection holds `kind`'s write turn, as a linkage run's save does, for the
    duration of the block (released after it, whatever happens in it)."""
    from django.db import connection, transaction

    from civharm.incidents.services import verdicts

    saving, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                verdicts.take_turns(kind)
                saving.set()
                done.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert saving.wait(10)
        yield
    finally:
        done.set()
        holder.join()


def a_finished_process() -> dict[str, object]:
    """The identity (civharm.core.processes.this_process) of a process that ran and exited:
    what a run killed outright leaves on record."""
    import json
    import subprocess
    import sys

    script = (
        "import json; from civharm.core.processes import this_process as p; print(json.dumps(p()))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return dict(json.loads(finished.stdout))
