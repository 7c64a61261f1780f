"""Reading in a child process stores exactly what reading in-process stores, errors included."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.forms.models import model_to_dict

from civharm.core.hashing import canonical_json
from civharm.demo import write_ucdp_rows
from civharm.incidents.models import HarmCount, Report
from civharm.incidents.services.importing import can_fork_here, import_file

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not can_fork_here(), reason="fork is not available here"),
]
NOT_COMPARED = {"id", "source", "import_run", "incident", "received_at"}


def _ged_with_bad_rows(path: Path) -> Path:
    write_ucdp_rows(path, 120, seed=3)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    bad_date = dict(zip(header, rows[5], strict=True)) | {"id": "bad-1", "date_start": "32/13/2020"}
    bad_toll = dict(zip(header, rows[6], strict=True)) | {"id": "bad-2", "deaths_unknown": "x"}
    rows[40:40] = [[bad_date[h] for h in header], [bad_toll[h] for h in header]]
    rows.append(rows[7][:3])  # ragged, at the very end: after the last full batch
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _stored(source: str) -> list[dict[str, object]]:
    reports = Report.objects.filter(source__name=source).order_by("row_number")
    stored = []
    for report in reports:
        values = {k: v for k, v in model_to_dict(report).items() if k not in NOT_COMPARED}
        incident = report.incident
        assert incident is not None
        not_compared = {"id", "perpetrators", "founding_record"}
        values["incident"] = {
            k: v for k, v in model_to_dict(incident).items() if k not in not_compared
        }
        values["founded_on_it"] = incident.founding_record == report.pk
        values["perpetrators"] = sorted(incident.perpetrators.values_list("key", flat=True))
        values["harm"] = sorted(
            HarmCount.objects.filter(incident=incident).values_list(
                "harm_type", "low", "best", "high"
            )
        )
        stored.append(values)
    return stored


def test_background_and_in_process_imports_store_the_same_rows(tmp_path: Path) -> None:
    path = _ged_with_bad_rows(tmp_path / "ged.csv")
    batches: list[int] = []
    child = import_file(path, "ucdp", source_name="A", batch_size=50, progress=batches.append)
    here = import_file(path, "ucdp", source_name="B", batch_size=50, in_background=False)
    assert (child.rows_read, child.imported, child.duplicates) == (123, 120, 0)
    assert (here.rows_read, here.imported, here.duplicates) == (123, 120, 0)
    assert [(e.row, e.column) for e in child.errors] == [(e.row, e.column) for e in here.errors]
    assert [e.row for e in child.errors] == [41, 42, 124]
    # The reading process sends small first batches (3, 6, 12…) so that writing starts at once.
    assert batches == [3, 6, 12, 24, 48, 27]
    assert _stored("A") == _stored("B")


def test_stored_original_is_the_canonical_json_of_the_row(tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    write_ucdp_rows(path, 5, seed=4)
    import_file(path, "ucdp")
    with path.open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    report = Report.objects.get(row_number=2)
    assert report.payload == canonical_json({k: v.strip() for k, v in first.items()})


def test_reading_error_in_the_child_fails_the_run_with_its_sentence(tmp_path: Path) -> None:
    from civharm.incidents.models import ImportRun
    from civharm.ingest.records import UnreadableFile

    path = tmp_path / "ged.csv"
    path.write_text("id,date_start,deaths_civilians,date_end,deaths_unknown,side_a,side_b\n")
    with pytest.raises(UnreadableFile, match="no data rows"):
        import_file(path, "ucdp")
    assert ImportRun.objects.get().status == "failed"
