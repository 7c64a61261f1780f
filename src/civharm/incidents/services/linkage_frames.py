"""The frames civharm.linkage reads, built from the register: one row per event report, one
per victim record. Names are decrypted in memory for the victim frame only (one audit entry
per run), never stored or logged.

Its own module because the stored models' fingerprint hashes it (civharm.linkage.pipeline):
a change here may change what a model was trained on; a change elsewhere in linking does not.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.incidents.models import Report, VictimRecord
from civharm.incidents.protection import field_cipher
from civharm.incidents.services.merging import BATCH, harm_types, perpetrator_keys
from civharm.linkage.frames import DELIVERY, INCIDENT_REPORT_COLUMNS, VICTIM_RECORD_COLUMNS


def sex_code(value: str) -> str | None:
    """The register's sex as linkage writes it: m, f or None."""
    return {"male": "m", "female": "f"}.get(value)


INCIDENT_FRAME_FIELDS = (
    "id", "source__name", "date_start", "date_end", "date_precision", "latitude", "longitude",
    "geo_precision", "admin1_pcode", "admin2_pcode", "place_name", "actors", "harm",
    "interaction_context",
)  # fmt: skip


def incident_frame() -> pd.DataFrame:
    """One row per event report (INCIDENT_REPORT_COLUMNS); streamed from the database."""
    rows = Report.objects.filter(kind="event", incident__isnull=False).order_by("id")
    return pd.DataFrame.from_records(
        [_incident_row(row) for row in rows.values(*INCIDENT_FRAME_FIELDS).iterator(BATCH)],
        columns=list(INCIDENT_REPORT_COLUMNS),
    )


def _incident_row(row: dict[str, Any]) -> tuple[object, ...]:
    """INCIDENT_REPORT_COLUMNS of one report; empty text is missing (None)."""
    precision = row["date_precision"]
    return (
        row["id"],
        row["source__name"],
        row["date_start"],
        row["date_end"] or row["date_start"],
        None if precision == "unknown" else precision,
        row["latitude"],
        row["longitude"],
        None if row["geo_precision"] == "unknown" else row["geo_precision"],
        row["admin1_pcode"] or None,
        row["admin2_pcode"] or None,
        row["place_name"] or None,
        perpetrator_keys(row["actors"]),
        harm_types(row["harm"]),
        _best(row["harm"], "killed"),
        row["interaction_context"] or None,
    )


def _best(harm: dict[str, list[int | None]], harm_type: str) -> int | None:
    counts = (harm or {}).get(harm_type)
    return counts[1] if counts and len(counts) > 1 else None


def victim_frame(*, actor: str, run_id: int | None = None) -> pd.DataFrame:
    """One row per victim record (VICTIM_RECORD_COLUMNS), names decrypted in memory only,
    and the import it came in (DELIVERY: a list sent again with corrections). Event reports
    have none: datasets keep their ids, and each monthly delivery would ask again about every
    two events of one place.

    Reading the names is audited once: how many were read, never which."""
    cipher = field_cipher()
    rows = VictimRecord.objects.order_by("report_id").values_list(
        "report_id", "report__source__name", "name_encrypted", "sex", "age",
        "report__date_start", "report__admin1_pcode", "report__admin2_pcode",
        "report__place_name", "father_name_encrypted", "report__import_run_id",
    )  # fmt: skip
    records = [
        (record_id, source, cipher.decrypt(name) or None, sex_code(sex), age, day, adm1 or None,
         adm2 or None, place or None, cipher.decrypt(father) or None, delivery)
        for record_id, source, name, sex, age, day, adm1, adm2, place, father, delivery
        in rows.iterator(chunk_size=BATCH)
    ]  # fmt: skip
    audit.record(
        actor,
        "read",  # a protected read, as the audit trail names them
        "LinkRun",
        run_id or "",
        fields=["name", "father_name"],
        reason=_("record linkage of victim lists"),
        details={
            "purpose": "linkage",
            "names_read": sum(1 for record in records if record[2] is not None),
            "father_names_read": sum(1 for record in records if record[9] is not None),
        },
    )
    return pd.DataFrame.from_records(records, columns=[*VICTIM_RECORD_COLUMNS, DELIVERY])
