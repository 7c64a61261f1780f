"""The database under the register: creation on first use, taxonomy synchronisation."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civharm.accounts.keys import check_field_key
from civharm.core.taxonomy import load_taxonomy


def ensure_database() -> None:
    """Create or upgrade the database when migrations are pending (first run, new version)."""
    if connection.vendor == "sqlite":
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
    check_field_key()


def unknown_migrations() -> list[str]:
    """Migrations recorded in the database that this version of civharm does not know."""
    executor = MigrationExecutor(connection)
    known = set(executor.loader.disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, name in executor.loader.applied_migrations
        if (app, name) not in known
    )


def sync_actors(**_kwargs: object) -> None:
    """Make the Actor table match the country pack's actor taxonomy (post_migrate hook)."""
    from civharm.incidents.models import Actor

    taxonomy = load_taxonomy(settings.CIVHARM["COUNTRY_PACK"])
    for term in taxonomy.actors:
        Actor.objects.update_or_create(
            key=term.key,
            defaults={
                "category": term.category or "unknown",
                "name_fr": term.fr,
                "name_en": term.en,
            },
        )
