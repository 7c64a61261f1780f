"""Does a text a person writes name a victim of the register? Told without reading a name.

A reviewer's note is stored and shown in clear, and kept in every backup: a victim's name in
it would defeat the encryption of the names. Each word of every victim record's name and
father's name is kept as a keyed hash (HMAC, its key derived from the newest field key, which
lives outside the database), in no order and tied to no record (NameWord). A note's words are
hashed the same way and looked up.

The importer adds the words of the records it writes (their names are in clear there). What
it did not index (a register from before this, or a new field key) is indexed when it is
next needed: the names are decrypted in memory for that, and the reading is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from civharm.accounts import audit
from civharm.core.i18n import _
from civharm.core.text import fold
from civharm.incidents.models import NameWord, VictimRecord
from civharm.incidents.protection import field_cipher

MIN_NAME_WORD = 3  # "Ag", "Ba", "Sy" are also ordinary words of a note
# Words lists write around a name, not names: "fils de … et de …", "Amadou dit Hama", "feu".
NOT_NAMES = frozenset(
    {
        "fils", "fille", "enfant", "son", "daughter", "inconnu", "inconnue", "unknown",
        "dit", "dite", "alias", "feu", "feue", "nee", "epouse", "veuve", "les", "des", "une",
        "mme", "mlle", "monsieur", "madame", "vve", "late", "wife", "widow",
        # titles lists put before a name (country pack names.json "titles")
        "defunt", "defunte", "imam", "hadj", "elhadj", "hadji", "alhadji",
        # what lists write in a cell when they do not know, or beside a name (linkage/names.py)
        "non", "pas", "connu", "neant", "aucun", "not", "known", "none", "and",
        "pere", "mere", "father", "mother", "decede", "decedee", "chef", "village",
    }
)  # fmt: skip
_LABEL = b"civharm: words of victims' names"
_WORD = re.compile(r"[^\W_]+")
BATCH = 2_000


@sensitive_variables("text")
def name_words(text: str | None) -> set[str]:
    """The words of a name (or of a note) that could be part of a name, folded."""
    if not text:
        return set()
    return {w for w in _WORD.findall(fold(text)) if len(w) >= MIN_NAME_WORD} - NOT_NAMES


@sensitive_variables("key")
def _key() -> tuple[bytes, str]:
    """(the HMAC key, its id): derived from the newest field key; the id names the key, never
    discloses it."""
    key = hmac.new(settings.FIELD_ENCRYPTION_KEYS[0], _LABEL, hashlib.sha256).digest()
    return key, hashlib.sha256(key).hexdigest()[:16]


@sensitive_variables("words", "key")
def _digests(words: Iterable[str], key: bytes) -> set[str]:
    return {hmac.new(key, w.encode("utf-8"), hashlib.sha256).hexdigest() for w in words}


@sensitive_variables("names", "name", "words", "key")
def keep_words_of(names: Iterable[str | None]) -> None:
    """Add the words of these names (clear, in memory) to the index, under the newest key."""
    key, key_id = _key()
    words: set[str] = set()
    for name in names:  # a loop, not a comprehension: its frame is this one (sensitive)
        words |= name_words(name)
    # sorted: two imports adding the same words take their row locks in one order (PostgreSQL)
    NameWord.objects.bulk_create(
        [NameWord(digest=d, key_id=key_id) for d in sorted(_digests(words, key))],
        ignore_conflicts=True,
        batch_size=BATCH,
    )


def index_pending(actor: str) -> int:
    """Index the records the importer did not (a register from before the index, or all of
    them under a new field key). Returns how many records were read; the reading is audited,
    with how many names were read, never which."""
    _key_unchanged_or_start_again()
    pending = VictimRecord.objects.filter(name_words_indexed=False)
    if not pending.exists():
        return 0
    # audited before the reading: a request or process stopped half-way still left its entry
    audit.record(
        actor,
        "read",  # a protected read, as the audit trail names them
        "VictimRecord",
        "",
        fields=["name", "father_name"],
        reason=_("index of the words of victims' names, to keep names out of notes"),
        details={"purpose": "name words", "records_to_read": pending.count()},
    )
    cipher = field_cipher()
    done = 0
    rows = pending.order_by("pk").values_list("pk", "name_encrypted", "father_name_encrypted")
    batch: list[tuple[int, str, str]] = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            done += _index(batch, cipher)
            batch = []
    done += _index(batch, cipher)
    return done


@sensitive_variables("decrypt", "names", "text")
def _index(batch: list[tuple[int, str, str]], cipher: object) -> int:
    if not batch:
        return 0
    decrypt = cipher.decrypt  # type: ignore[attr-defined]
    names: list[str] = []
    for _pk, *texts in batch:  # loops, not a generator: its frame would show the names
        for text in texts:
            if text:
                names.append(decrypt(text))
    with transaction.atomic():
        keep_words_of(names)
        ids = [pk for pk, *_texts in batch]
        VictimRecord.objects.filter(pk__in=ids).update(name_words_indexed=True)
    return len(batch)


def _key_unchanged_or_start_again() -> None:
    """A new newest field key: the words hashed under the old one are found by no lookup, so
    every record is indexed again under the new key."""
    _key_bytes, key_id = _key()
    with transaction.atomic():
        # two probes of the key_id index (an "exclude" is a scan of the whole table)
        stale = NameWord.objects.filter(key_id__lt=key_id) | NameWord.objects.filter(
            key_id__gt=key_id
        )
        if stale.exists():
            NameWord.objects.exclude(key_id=key_id).delete()
            VictimRecord.objects.update(name_words_indexed=False)


@sensitive_variables("text")
def refused_for_a_name(text: str, actor: str, object_type: str, object_id: str | int) -> bool:
    """Whether `text` names a victim (names_a_victim); if so the refusal is audited: who, on
    what, never the word (a refusal tells that a word is in some victim's name)."""
    if not names_a_victim(text, actor):
        return False
    audit.record(
        actor,
        "lookup",
        object_type,
        object_id,
        fields=["name", "father_name"],
        reason=_("a text held a word of a victim's name; nothing was recorded"),
        details={"purpose": "name check"},
    )
    return True


@sensitive_variables("text", "words", "key")
def names_a_victim(text: str, actor: str) -> bool:
    """Whether `text` holds a word of any victim record's name or father's name."""
    words = name_words(text)
    if not words:
        return False
    index_pending(actor)
    key, _key_id = _key()
    return NameWord.objects.filter(digest__in=_digests(words, key)).exists()
