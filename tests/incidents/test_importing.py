"""Importing into the register: idempotency, encryption at rest, provenance, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from civharm.accounts.models import AuditEntry
from civharm.incidents.models import HarmCount, ImportRun, Incident, Person, Report, VictimRecord
from civharm.incidents.services.importing import decode_payload, import_file
from tests.conftest import run_cli
from tests.incidents.factories import VICTIM_ROWS, write_acled, write_victims

pytestmark = pytest.mark.django_db


def test_acled_import_creates_reports_incidents_counts_and_actors(tmp_path: Path) -> None:
    outcome = import_file(write_acled(tmp_path / "acled.csv"), "acled")
    assert (outcome.imported, outcome.duplicates, outcome.errors) == (3, 0, [])
    report = Report.objects.get(record_id="MLI90001")
    assert report.source.name == "ACLED" and not report.payload_encrypted
    assert decode_payload(report.payload, report.payload_encrypted)["location"] == "Niono"
    incident = report.incident
    assert incident is not None and incident.admin2_pcode and incident.admin1_pcode
    killed = HarmCount.objects.get(incident=incident, harm_type="killed")
    assert (killed.low, killed.best, killed.high) == (12, 12, 12)
    assert list(incident.perpetrators.values_list("key", flat=True)) == ["fama"]
    assert ImportRun.objects.get().status == "complete"
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_reimport_changes_nothing(tmp_path: Path) -> None:
    path = write_acled(tmp_path / "acled.csv")
    import_file(path, "acled")
    before = (Report.objects.count(), Incident.objects.count(), HarmCount.objects.count())
    again = import_file(path, "acled")
    assert (again.imported, again.duplicates) == (0, 3)
    assert (Report.objects.count(), Incident.objects.count(), HarmCount.objects.count()) == before


def test_victim_names_are_encrypted_at_rest(tmp_path: Path) -> None:
    outcome = import_file(write_victims(tmp_path / "liste.csv"), "victims", source_type="ngo")
    assert outcome.imported == 3 and outcome.errors == []
    assert Person.objects.count() == VictimRecord.objects.count() == 3
    with connection.cursor() as cursor:
        for table in ("incidents_person", "incidents_victimrecord", "incidents_report"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — fixed table names
            dump = json.dumps(cursor.fetchall(), default=str)
            for row in VICTIM_ROWS:
                assert row[1] not in dump and row[2] not in dump, f"a name is readable in {table}"
    person = Person.objects.order_by("id").first()
    assert person is not None and person.pseudonym.startswith("P-")
    assert person.sex == "female" and person.age == 34


def test_report_original_cannot_be_altered(tmp_path: Path) -> None:
    from civharm.incidents.models import ImmutableRecordError

    import_file(write_acled(tmp_path / "acled.csv"), "acled")
    report = Report.objects.get(record_id="MLI90002")
    report.payload = '{"fatalities": "400"}'
    with pytest.raises(ImmutableRecordError):
        report.save()
    report.refresh_from_db()
    report.description = "analyst note kept outside the original"
    report.save()  # normalised fields may change; the original may not


def test_sqlite_runs_in_wal_with_full_sync() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_data_folder_database_is_wal(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")), "--json")
    if "DATABASE_URL" in cli_env:
        return
    import sqlite3

    database = Path(cli_env["CIVHARM_DATA"]) / "civharm.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cli_json_summary_and_idempotency(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = str(write_victims(tmp_path / "liste.csv"))
    first = json.loads(
        run_cli(cli_env, "import", "victims", path, "--source", "ONG test", "--json").stdout
    )
    assert first == {"imported": 3, "duplicates": 0, "errors": []}
    second = json.loads(
        run_cli(cli_env, "import", "victims", path, "--source", "ONG test", "--json").stdout
    )
    assert second == {"imported": 0, "duplicates": 3, "errors": []}


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.csv"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40, "photo.csv")],
)
@pytest.mark.not_the_database
def test_unreadable_file_is_refused_in_one_sentence(
    cli_env: dict[str, str], tmp_path: Path, content: bytes, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli(cli_env, "import", "acled", str(path), check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and name in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.not_the_database
def test_missing_file_and_unnamed_victim_list_are_refused_plainly(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    missing = run_cli(cli_env, "import", "acled", str(tmp_path / "nope.csv"), check=False)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    unnamed = run_cli(
        cli_env, "import", "victims", str(write_victims(tmp_path / "v.csv")), check=False
    )
    assert unnamed.returncode != 0 and "--source" in unnamed.stderr


@pytest.mark.not_the_database
def test_import_user_is_checked(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(cli_env, CIVHARM_PASSWORD="a long enough passphrase 7")
    run_cli(env, "createuser", "trainer1", "--role", "trainer")
    path = str(write_acled(tmp_path / "a.csv"))
    refused = run_cli(env, "import", "acled", path, "--user", "trainer1", check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    wrong = run_cli(
        dict(env, CIVHARM_PASSWORD="nope"),
        "import",
        "acled",
        path,
        "--user",
        "trainer1",
        check=False,
    )
    assert wrong.returncode != 0


def test_the_database_refuses_to_change_an_original_even_without_save(tmp_path: Path) -> None:
    from django.db import DatabaseError, transaction

    import_file(write_acled(tmp_path / "acled.csv"), "acled")
    report = Report.objects.get(record_id="MLI90002")
    with pytest.raises(DatabaseError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(payload='{"fatalities": "400"}')
    with pytest.raises(DatabaseError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(record_id="MLI99999")
    Report.objects.filter(pk=report.pk).update(description="an analyst's note")  # allowed
    report.refresh_from_db()
    assert report.record_id == "MLI90002" and "400" not in report.payload


def test_victim_row_ids_are_keyed_so_an_export_cannot_confirm_a_guessed_name(
    tmp_path: Path,
) -> None:
    from civharm.incidents.services.exporting import export

    import_file(write_victims(tmp_path / "liste.csv"), "victims", source_name="ONG")
    ids = list(Report.objects.values_list("record_id", flat=True))
    assert ids and all(i.startswith("hmac:") for i in ids)
    export("persons", "csv", tmp_path / "p.csv", actor="t")
    exported = (tmp_path / "p.csv").read_text(encoding="utf-8")
    for report in Report.objects.all():
        assert report.payload_sha256 not in exported
    again = import_file(write_victims(tmp_path / "liste.csv"), "victims", source_name="ONG")
    assert (again.imported, again.duplicates) == (0, 3)  # still idempotent


def test_long_record_ids_are_hashed_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "rapports.csv"
    long_id = "https://example.org/rapports/2022/" + "x" * 120
    path.write_text(
        "Référence;Date de l'incident;Lieu;Tués\n"
        f"{long_id}A;14/03/2022;Niono;3\n{long_id}B;15/03/2022;Niono;4\n",
        encoding="utf-8",
    )
    first = import_file(path, "reports", source_name="Équipe Ségou", source_type="interview")
    assert (first.imported, first.errors) == (2, [])
    again = import_file(path, "reports", source_name="Équipe Ségou", source_type="interview")
    assert (again.imported, again.duplicates) == (0, 2)


def test_an_over_long_cell_costs_its_text_not_the_batch(tmp_path: Path) -> None:
    path = tmp_path / "rapports.csv"
    path.write_text(
        "Référence;Date de l'incident;Lieu;Langue;Tués\n"
        "R1;14/03/2022;Niono;français et bambara mélangés dans le même entretien;3\n"
        "R2;15/03/2022;Niono;fr;4\n",
        encoding="utf-8",
    )
    outcome = import_file(path, "reports", source_name="Équipe Ségou", source_type="interview")
    assert (outcome.imported, outcome.errors) == (2, [])
    assert len(Report.objects.get(record_id="R1").language) <= 16


def test_a_victim_list_is_never_stored_in_clear(tmp_path: Path) -> None:
    from civharm.incidents.models import ImportRun, Source
    from civharm.incidents.services.importing import import_records
    from civharm.ingest.pipeline import read_source

    with pytest.raises(ValueError, match="personal data"):
        import_file(
            write_victims(tmp_path / "v.csv"), "victims", source_name="Liste", source_type="dataset"
        )
    assert not Report.objects.exists()
    # Even written straight into a public-dataset source, victim rows are encrypted.
    public = Source.objects.create(name="Public", source_type="dataset", personal_data=False)
    run = ImportRun.objects.create(
        source=public, source_format="victims", file_name="v.csv", file_sha256="0", started_by="t"
    )
    import_records(read_source("victims", tmp_path / "v.csv"), run)
    assert Report.objects.count() == 3 and all(r.payload_encrypted for r in Report.objects.all())
    assert "KONAT" not in "".join(Report.objects.values_list("payload", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_store_each_row_once(tmp_path: Path) -> None:
    import threading

    from django.db import connection as db

    from civharm.demo import write_ucdp_rows

    path = tmp_path / "ged.csv"
    write_ucdp_rows(path, 3000, seed=5)
    failures: list[BaseException] = []

    def run_import() -> None:
        try:
            import_file(path, "ucdp", batch_size=200, in_background=False)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=run_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Report.objects.count() == 3000 == Incident.objects.count()


def test_a_fathers_name_is_encrypted_at_rest_and_read_for_linkage_audited(tmp_path: Path) -> None:
    from civharm.accounts.models import AuditEntry
    from civharm.incidents.services.linkage_frames import victim_frame

    path = tmp_path / "liste.csv"
    path.write_text(
        "N°;Nom;Prénom;Filiation;Date du décès;Cercle;Région\n"
        "1;TESTNOM;Gen;fils de Pèregen;14/03/2022;Niono;Ségou\n",
        encoding="utf-8",
    )
    import_file(path, "victims", source_type="ngo")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM incidents_victimrecord")
        assert "Pèregen" not in json.dumps(cursor.fetchall(), default=str)
    frame = victim_frame(actor="analyst-test")
    assert frame["father_name"].tolist() == ["fils de Pèregen"]
    entry = AuditEntry.objects.get(action="read", object_type="LinkRun")
    assert entry.fields == ["father_name", "name"] and entry.details["father_names_read"] == 1
