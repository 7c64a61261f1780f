"""Index `merged_into` only where it is set (Incident and Person).

Every imported row writes NULL there, and a filter on "IS NULL" matches most rows (it reads
them all either way), so the full index cost each import ≈ 1 µs a row; queries for merged
records (= id, IN, IS NOT NULL) use the partial index. Done in SQL: on SQLite, Django would
rebuild the table to change db_index, and a rebuild drops the raw indexes of 0002.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = {
    # model: (table, Django's name of the full index, name of the partial one)
    "incident": ("incidents_incident", "incidents_incident_merged_into_id_75509a6d", "incident_merged_into_idx"),
    "person": ("incidents_person", "incidents_person_merged_into_id_da32ea42", "person_merged_into_idx"),
}


def _database_operations() -> list[migrations.RunSQL]:
    operations = []
    for table, full, partial in TABLES.values():
        operations.append(
            migrations.RunSQL(
                [
                    f"DROP INDEX IF EXISTS {full}",
                    f"CREATE INDEX {partial} ON {table} (merged_into_id) "
                    "WHERE merged_into_id IS NOT NULL",
                ],
                [f"DROP INDEX IF EXISTS {partial}", f"CREATE INDEX {full} ON {table} (merged_into_id)"],
            )
        )
    return operations


def _state_operations() -> list[migrations.operations.base.Operation]:
    operations: list[migrations.operations.base.Operation] = []
    for model, (_table, _full, partial) in TABLES.items():
        operations += [
            migrations.AlterField(
                model_name=model,
                name="merged_into",
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=f"incidents.{model}",
                ),
            ),
            migrations.AddIndex(
                model_name=model,
                index=models.Index(
                    condition=models.Q(("merged_into__isnull", False)),
                    fields=["merged_into"],
                    name=partial,
                ),
            ),
        ]
    return operations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_linkage")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=_database_operations(), state_operations=_state_operations()
        )
    ]
