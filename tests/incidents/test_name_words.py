"""Whether a text names a victim of the register, told from keyed hashes of name words.

Lists go through the real importer; the people are generated (tests/incidents/factories.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from civharm.accounts.models import AuditEntry
from civharm.core.text import fold
from civharm.incidents.models import NameWord, VictimRecord
from civharm.incidents.protection import field_cipher
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.name_words import index_pending, name_words, names_a_victim
from tests.incidents.factories import VICTIM_ROWS, write_victims

pytestmark = pytest.mark.django_db
USER = "analyst-test"
# generated people; the third row gives a father and a nickname in the name cell
OTHER_LIST = [
    ("1", "TRAORÉ", "Mariam", "F", "22", "02/02/2023", "Boni", "Douentza", "Mopti"),
    ("2", "COULIBALY", "Sékou dit Papa", "M", "40", "02/02/2023", "Boni", "Douentza", "Mopti"),
]


@pytest.fixture
def lists(tmp_path: Path) -> None:
    import_file(write_victims(tmp_path / "a.csv"), "victims", source_name="ONG (test)",
                in_background=False)  # fmt: skip
    import_file(write_victims(tmp_path / "b.csv", OTHER_LIST), "victims",
                source_name="Liste communale (test)", in_background=False)  # fmt: skip


def test_a_note_naming_a_victim_of_any_list_is_found_however_it_is_written(lists: None) -> None:
    for note in (
        "same as the Traore woman of the other list",
        "KONATÉ is older",
        "see Sangare: two brothers",  # punctuation around the word
        "sekou was 40",
        "Papa is a nickname",  # a nickname in the name cell is a name word
    ):
        assert names_a_victim(note, actor=USER), note
    for note in (
        "Same village, same day, ages 20 years apart.",
        "Il dit que les deux listes se trompent de date.",  # "dit" writes a nickname, no name
        "le fils de la première fiche",
        "",
    ):
        assert not names_a_victim(note, actor=USER), note


def test_the_index_holds_keyed_hashes_tied_to_no_record(lists: None) -> None:
    words = {word for row in VICTIM_ROWS + OTHER_LIST for word in name_words(f"{row[1]} {row[2]}")}
    stored = set(NameWord.objects.values_list("digest", flat=True))
    assert len(stored) == len(words)  # one row per distinct word, whatever the records
    assert not {fold(w) for w in words} & stored
    assert {f.name for f in NameWord._meta.get_fields()} == {"digest", "key_id"}
    assert not VictimRecord.objects.filter(name_words_indexed=False).exists()
    assert not AuditEntry.objects.filter(details__purpose="name words").exists()  # no read


def test_records_from_before_the_index_are_indexed_once_and_the_reading_audited(
    lists: None,
) -> None:
    """A register from before the index: the first check decrypts its names in memory and
    says how many in the audit trail; the next check reads nothing."""
    NameWord.objects.all().delete()
    VictimRecord.objects.update(name_words_indexed=False)
    assert names_a_victim("Hamadoun was there", actor=USER)
    reads = AuditEntry.objects.filter(action="read", details__purpose="name words")
    assert [entry.details["records_to_read"] for entry in reads] == [5]
    assert reads.get().actor == USER
    assert not names_a_victim("a word of no name", actor=USER)
    assert index_pending(USER) == 0 and reads.count() == 1


def test_a_new_field_key_indexes_every_record_again_under_it(lists: None) -> None:
    """After a key rotation the words hashed under the old key would match nothing: they are
    dropped and every record is indexed again, its names still found."""
    from django.conf import settings

    old = settings.FIELD_ENCRYPTION_KEYS
    before = set(NameWord.objects.values_list("digest", flat=True))
    new_keys = [Fernet.generate_key(), *old]
    field_cipher.cache_clear()
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=new_keys):
            assert names_a_victim("Fatoumata", actor=USER)
            after = set(NameWord.objects.values_list("digest", flat=True))
            assert len(after) == len(before) and not after & before
            assert set(NameWord.objects.values_list("key_id", flat=True)) != {""}
            assert len(set(NameWord.objects.values_list("key_id", flat=True))) == 1
    finally:
        field_cipher.cache_clear()


def test_a_person_linkage_run_indexes_what_the_importer_did_not(lists: None) -> None:
    """Reviewers take notes on the pairs a person run puts to review: the run indexes the
    register's names first, so that the first note does not wait for it."""
    from civharm.incidents.services.linking import run_linkage

    NameWord.objects.all().delete()
    VictimRecord.objects.update(name_words_indexed=False)
    run_linkage("person", user=USER)
    assert not VictimRecord.objects.filter(name_words_indexed=False).exists()
    reads = AuditEntry.objects.filter(action="read", details__purpose="name words")
    assert [entry.details["records_to_read"] for entry in reads] == [5]
    assert names_a_victim("Mariam", actor=USER)


def test_words_lists_write_around_names_do_not_make_notes_refused(tmp_path: Path) -> None:
    """A father's cell that says "non connu" or "(chef de village)", a name with a title:
    those words are not names, and notes that use them are recorded."""
    path = tmp_path / "peres.csv"
    path.write_text(
        "N°;Nom;Nom du père;Sexe;Âge;Date du décès;Lieu\n"
        "1;Défunt Alou TESTNOM;non connu;M;40;02/02/2023;Boni\n"
        "2;Awa TESTNOM;Bakary TESTPERE (chef de village);F;31;02/02/2023;Boni\n",
        encoding="utf-8",
    )
    import_file(path, "victims", source_name="Liste des pères (test)", in_background=False)
    assert names_a_victim("Testpere", actor=USER) and names_a_victim("Alou", actor=USER)
    for note in (
        "Âges non concordants, pas le même village.",
        "Not the same village; the father is not known.",
        "Le défunt avait 45 ans selon le chef de village.",
    ):
        assert not names_a_victim(note, actor=USER), note
