"""Quotes: encrypt the words of quotes not yet approved (a copy of the narrative), and give
every approved quote a published name of its own instead of the interviewee's pseudonym.
Tombstones list the briefs withdrawn from the archive. Reversible: going back decrypts the
words of quotes not approved (the published names are simply dropped with their column)."""

from django.conf import settings
from django.db import migrations, models


def protect_quotes(apps, schema_editor):
    from civharm.incidents.protection import field_cipher
    from civharm.research.outputs import draw_published_name

    quote_model = apps.get_model("research", "Quote")
    quotes = list(quote_model.objects.select_related("interview__interviewee"))
    if not quotes:
        return  # no key needed on a new database
    cipher = field_cipher()
    pack = settings.CIVHARM["COUNTRY_PACK"]
    for quote in quotes:
        if quote.status == "approved":
            interviewee = quote.interview.interviewee
            real_name = (
                cipher.decrypt(interviewee.name_encrypted) if interviewee.name_encrypted else ""
            )
            quote.published_name = draw_published_name(interviewee.sex, real_name, pack)
        else:
            quote.text_encrypted, quote.text = cipher.encrypt(quote.text), ""
        quote.save(update_fields=["text", "text_encrypted", "published_name"])


def unprotect_quotes(apps, schema_editor):
    from civharm.incidents.protection import field_cipher

    quote_model = apps.get_model("research", "Quote")
    quotes = list(quote_model.objects.exclude(text_encrypted=""))
    if not quotes:
        return
    cipher = field_cipher()
    for quote in quotes:
        quote.text, quote.text_encrypted = cipher.decrypt(quote.text_encrypted), ""
        quote.save(update_fields=["text", "text_encrypted"])


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0002_seed_codebook"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentwithdrawal",
            name="brief_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="briefs withdrawn"),
        ),
        migrations.AddField(
            model_name="quote",
            name="published_name",
            field=models.CharField(blank=True, max_length=40, verbose_name="published name"),
        ),
        migrations.AddField(
            model_name="quote",
            name="text_encrypted",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="quote",
            name="text",
            field=models.TextField(blank=True, verbose_name="published text"),
        ),
        migrations.RunPython(protect_quotes, unprotect_quotes),
    ]
