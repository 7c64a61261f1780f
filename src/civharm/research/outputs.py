"""What research gives to findings pages and briefs: approved quotes under a published name of
their own, the checks a quote passes before approval, theme presence records for
disclosure-controlled frequencies, and inter-coder agreement.

Never returns a name, a narrative, an interview code, the internal pseudonym or anything of an
interviewee who withdrew consent; frequencies go out as records for
civharm.disclosure.protect_counts, never as raw counts.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from civharm.core.text import fold
from civharm.research.agreement import agreement_for_interview
from civharm.research.models import CodedExcerpt, Interview, Quote, Theme

BREAKDOWNS = ("region", "sex", "age_band")
UNKNOWN = "unknown"


def usable_interviews(
    region_pcode: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Interview]:
    """Interviews whose consent stands (never withdrawn), in the region and period asked."""
    interviews = Interview.objects.filter(
        interviewee__withdrawn_at__isnull=True,
        consent__isnull=False,
        consent__withdrawn_at__isnull=True,
    )
    if region_pcode:
        interviews = interviews.filter(admin1_pcode=region_pcode)
    if date_from:
        interviews = interviews.filter(interviewed_on__gte=date_from)
    if date_to:
        interviews = interviews.filter(interviewed_on__lte=date_to)
    return interviews


def published_quotes(
    region_pcode: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> list[dict[str, object]]:
    """Approved quotes of interviews whose consent allows publication and stands.

    Each: id (the Quote's, so a brief can record which quotes it printed), text, pseudonym (the
    quote's published name, never the interviewee's T-… pseudonym), note ("name changed" in the
    active language), region, year and the theme key of its excerpt (or ""). Never the
    interview code, place or date.
    """
    interviews = usable_interviews(region_pcode, date_from, date_to).filter(
        consent__for_publication=True
    )
    quotes = (
        Quote.objects.filter(status="approved", interview__in=interviews)
        .select_related("interview", "excerpt__theme")
        .order_by("-interview__interviewed_on", "id")
    )
    return [
        {
            "id": quote.pk,
            "text": quote.text,
            # its own name, drawn at approval: the internal T-… pseudonym would link one
            # person's quotes across briefs and to our records
            "pseudonym": quote.published_name,
            "note": _("name changed"),
            "region": quote.interview.admin1_name,
            "year": quote.interview.interviewed_on.year,
            "theme": quote.excerpt.theme.key if quote.excerpt else "",
        }
        for quote in quotes
    ]


def theme_frequencies(
    region_pcode: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    by: str = "region",
) -> list[dict[str, object]]:
    """One record per (interview, theme) coded in it, with the theme key, its group and the
    breakdown value under the name `by` ("region", "sex" or "age_band"; missing: "unknown").

    Feed them to civharm.disclosure.protect_counts (e.g. TableSpec("themes", ("theme", by)))
    before showing anything: the counts are of people and small ones identify them.
    Only interviews with consent for research count.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"theme frequencies break down by one of {BREAKDOWNS}, not {by!r}")
    return [
        {"theme": record["theme"], "group": record["group"], by: record[by]}
        for record in theme_records(region_pcode, date_from, date_to)
    ]


def theme_records(
    region_pcode: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> list[dict[str, str]]:
    """One record per (interview, theme coded in it) of interviews whose consent to research
    stands: the theme, its group, the region's name, the year, the interviewee's sex and age
    band ("unknown" where missing). One query, so every table of a page comes from the same
    records; never a name or a date finer than a year."""
    interviews = usable_interviews(region_pcode, date_from, date_to).filter(
        consent__for_research=True
    )
    present = (
        CodedExcerpt.objects.filter(interview__in=interviews)
        .values_list(
            "interview_id",
            "theme__key",
            "theme__group",
            "interview__admin1_name",
            "interview__interviewed_on",
            "interview__interviewee__sex",
            "interview__interviewee__age_band",
        )
        .distinct()
        .order_by("interview_id", "theme__key")
    )
    return [
        {
            "theme": theme,
            "group": group,
            "region": region or UNKNOWN,
            "year": str(day.year),
            "sex": sex or UNKNOWN,
            "age_band": age_band or UNKNOWN,
        }
        for _pk, theme, group, region, day, sex, age_band in present
    ]


@dataclass(frozen=True)
class InterviewAgreement:
    """Agreement of two coders on one double-coded interview (by pseudonym-free code)."""

    interview_id: int
    interview_code: str
    coder_a: str
    coder_b: str
    themes_a: frozenset[str]
    themes_b: frozenset[str]
    kappa: float


def double_coded_agreement() -> list[InterviewAgreement]:
    """Cohen's kappa (theme presence over the whole codebook) for every interview coded by two
    or more coders (the first two by name when more coded it). Withdrawn ones are excluded."""
    codebook = list(Theme.objects.order_by("key").values_list("key", flat=True))
    themes_by_coder: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = CodedExcerpt.objects.filter(interview__in=usable_interviews()).values_list(
        "interview_id", "coder", "theme__key"
    )
    for interview_id, coder, theme in rows:
        themes_by_coder[interview_id][coder].add(theme)
    results = []
    for interview_id, by_coder in sorted(themes_by_coder.items()):
        if len(by_coder) < 2:
            continue
        coder_a, coder_b = sorted(by_coder)[:2]
        a, b = by_coder[coder_a], by_coder[coder_b]
        results.append(
            InterviewAgreement(
                interview_id=interview_id,
                interview_code=f"ENT-{interview_id:06d}",
                coder_a=coder_a,
                coder_b=coder_b,
                themes_a=frozenset(a),
                themes_b=frozenset(b),
                kappa=agreement_for_interview(a, b, codebook),
            )
        )
    return results


# -- before a quote is published ------------------------------------------------------

# names.json lists first names by spelling group, not by sex: these groups are women's names.
# A pack may instead give {"first_names": {"female": [...], "male": [...]}}, used first.
_FEMALE_GROUPS = frozenset(
    {"fatoumata", "aissata", "mariam", "kadidia", "oumou", "assitan", "hawa", "aminata"}
)
_NAME_PART = re.compile(r"[^\W\d_]{3,}")  # parts of a name worth looking for: 3+ letters
_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+")
_RANDOM = random.SystemRandom()


@cache
def first_names(pack: str = "mali") -> dict[str, tuple[tuple[str, ...], ...]]:
    """First names of the pack by sex ("female", "male"), each as its spelling variants
    (folded; the first is the one published)."""
    path = resources.files("civharm.country_packs").joinpath(pack, "names.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    if "first_names" in data:
        return {
            sex: tuple((fold(name),) for name in names)
            for sex, names in data["first_names"].items()
        }
    family = {fold(name) for name in data["family_names"]}
    groups = [tuple(fold(name) for name in group) for group in data["same_name"]]
    given = [group for group in groups if not family.intersection(group)]
    return {
        "female": tuple(group for group in given if group[0] in _FEMALE_GROUPS),
        "male": tuple(group for group in given if group[0] not in _FEMALE_GROUPS),
    }


def draw_published_name(sex: str, real_name: str, pack: str = "mali") -> str:
    """A plausible first name of the interviewee's sex (either, when unknown), drawn at random,
    never one sharing a spelling group with a part of their real name."""
    by_sex = first_names(pack)
    groups = by_sex.get(sex) or tuple(group for groups in by_sex.values() for group in groups)
    real_parts = set(fold(real_name).split())
    allowed = [group for group in groups if not real_parts.intersection(group)]
    return _RANDOM.choice(allowed)[0].capitalize()


def reveals_identity(text: str, *, name: str, contact: str, community: str) -> bool:
    """Whether TEXT holds the interviewee's name, a part of it of 3 letters or more as a whole
    word, their contact or their community (accents, case and punctuation ignored)."""
    words = f" {_words(text)} "
    parts = set(_NAME_PART.findall(fold(name)))
    for phrase in (_words(name), _words(contact), _words(community), *parts):
        if phrase and f" {phrase} " in words:
            return True
    contact_digits = "".join(_DIGITS.findall(contact))
    # a phone number written with other spacing: its last 8 digits are the subscriber number
    return len(contact_digits) >= 6 and contact_digits[-8:] in "".join(_DIGITS.findall(text))


def _words(text: str) -> str:
    """The folded words of TEXT separated by single spaces (punctuation dropped)."""
    return " ".join(_WORD.findall(fold(text)))
