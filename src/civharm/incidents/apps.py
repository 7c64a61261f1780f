from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "civharm.incidents"
    verbose_name = _("Civilian harm register")

    def ready(self) -> None:
        from civharm.incidents.services.database import sync_actors

        post_migrate.connect(sync_actors, sender=self)
