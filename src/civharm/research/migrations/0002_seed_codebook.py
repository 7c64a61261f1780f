"""Seed the codebook from the country pack (existing themes are left as analysts edited them)."""

from django.db import migrations


def seed_codebook(apps, schema_editor):
    from civharm.research.codebook import seed_codebook_themes

    seed_codebook_themes(apps.get_model("research", "Theme"))


def unseed_codebook(apps, schema_editor):
    from civharm.research.codebook import load_codebook

    keys = [theme.key for theme in load_codebook()]
    theme_model = apps.get_model("research", "Theme")
    theme_model.objects.filter(key__in=keys, created_by="country pack", excerpts=None).delete()


class Migration(migrations.Migration):
    dependencies = [("research", "0001_initial")]

    operations = [migrations.RunPython(seed_codebook, unseed_codebook)]
