"""The database itself refuses to change what a source said (not only Report.save()):
QuerySet.update(), bulk_update() and raw SQL are stopped by a trigger.

On SQLite, a later migration that rebuilds incidents_report (AlterField) drops the trigger:
such a migration must re-create it (test_importing checks that it is there)."""

from django.db import migrations

COLUMNS = ("payload", "payload_sha256", "payload_encrypted", "source_id", "record_id")
MESSAGE = "a report''s original record cannot be changed"

SQLITE_CREATE = f"""
CREATE TRIGGER report_original_immutable BEFORE UPDATE ON incidents_report
WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS report_original_immutable;"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION civharm_report_original_immutable() RETURNS trigger AS $$
BEGIN
  IF {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)} THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER report_original_immutable BEFORE UPDATE ON incidents_report
FOR EACH ROW EXECUTE FUNCTION civharm_report_original_immutable();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS report_original_immutable ON incidents_report;
DROP FUNCTION IF EXISTS civharm_report_original_immutable();
"""


def create(apps, schema_editor):
    sql = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(
        schema_editor.connection.vendor
    )
    if sql:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    sql = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_fewer_import_indexes")]
    operations = [migrations.RunPython(create, drop)]
