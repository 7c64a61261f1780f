"""Advocacy briefs: one region, one period, in French or English, as a PDF and an HTML file.

Reads the register (brief_data), protects every figure as one release (brief_figures),
writes the sections (brief_content) and the files (brief_render), keeps a copy of both in the
data folder, stores an advocacy.Brief with their SHA-256 and audits it. Never puts an incident
code, a person, a name or a place below the cercle in a brief.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.advocacy import brief_content as content
from civharm.advocacy.brief_data import (
    incident_rows,
    period_months,
    region_estimate,
    report_counts,
    source_names,
)
from civharm.advocacy.brief_figures import (
    CURRENT,
    BriefFigures,
    BriefPeriod,
    choose_time_buckets,
    documented_record,
    incident_records,
    protect_brief,
    report_records,
)
from civharm.advocacy.brief_render import PdfUnavailable, html_to_pdf, render_html
from civharm.advocacy.models import Brief
from civharm.core.gazetteer import Gazetteer
from civharm.core.text import fold
from civharm.research.outputs import published_quotes

LANGUAGES = ("fr", "en")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# The years a brief may cover: anything else is a typo, and the previous period of equal length
# must still be a date Python can hold (0001-01 has no month before it: a ValueError, a 500).
FIRST_YEAR, LAST_YEAR = 1990, 2100
OUTPUT_SUFFIXES = (".pdf", ".html")


class BriefError(ValueError):
    """A brief cannot be made as asked; the message says why in one sentence."""


@dataclass(frozen=True)
class BriefRequest:
    period: BriefPeriod
    language: str


@dataclass(frozen=True)
class BriefOutcome:
    brief: Brief
    html: Path
    pdf: Path | None  # None when WeasyPrint cannot draw here (pdf_problem says why)
    pdf_problem: str
    seconds: float


def resolve_region(text: str) -> tuple[str, str]:
    """(P-code, name) of a region given by name (any case or accents) or P-code."""
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    found = gazetteer.find_admin(text, 1) if text and text.strip() else None
    if found is None:
        names = ", ".join(name for _pcode, name in gazetteer.admin1_units())
        raise BriefError(
            _("Unknown region « {region} »: choose one of {names}.").format(
                region=text.strip()[:60], names=names
            )
        )
    return found


def parse_month(text: str, label: str) -> date:
    """'2022-01' -> 1 January 2022; `label` names the option or field in the error."""
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise BriefError(
            _("{label}: « {text} » is not a month; write it as YYYY-MM, e.g. 2022-01.").format(
                label=label, text=(text or "")[:40]
            )
        )
    year = int(match[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BriefError(
            _(
                "{label}: the year {year} is out of range; choose one from {first} to {last}."
            ).format(label=label, year=year, first=FIRST_YEAR, last=LAST_YEAR)
        )
    return date(year, int(match[2]), 1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_before(day: date, months: int) -> date:
    """The first day of the month `months` before DAY's (a BriefError, never a ValueError,
    if that is before year 1: parse_month's year range keeps it far from that)."""
    index = day.year * 12 + day.month - 1 - months
    if index < 12:
        raise BriefError(_("The period is too long: the one before it would start before year 1."))
    return date(index // 12, index % 12 + 1, 1)


def brief_request(
    region: str, month_from: str, month_to: str, language: str, labels: tuple[str, str]
) -> BriefRequest:
    """Check what was asked; `labels` name the two month options (e.g. "--from", "--to")."""
    pcode, name = resolve_region(region)
    start = parse_month(month_from, labels[0])
    end = month_end(parse_month(month_to, labels[1]))
    if end < start:
        raise BriefError(
            _("{to} ({end}) is before {from_} ({start}).").format(
                to=labels[1], end=month_to.strip(), from_=labels[0], start=month_from.strip()
            )
        )
    if language not in LANGUAGES:
        raise BriefError(_("A brief is written in French (fr) or English (en)."))
    length = len(period_months(start, end))
    previous_from = months_before(start, length)
    period = BriefPeriod(pcode, name, start, end, previous_from, start - timedelta(days=1))
    return BriefRequest(period, language)


BRIEF_QUOTES = 4  # a brief is a few pages: a handful of voices, not a transcript


def quotes_for_brief(region_pcode: str, date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Approved interview quotes of the region and period, at most BRIEF_QUOTES, each as
    {"id", "text", "pseudonym", "note"}: the pseudonym is the quote's own published name and
    the note "name changed" in the active language; the id is recorded on the Brief (never
    printed) so that a withdrawal of consent finds the briefs to purge.

    civharm.research.outputs.published_quotes keeps only quotes whose interviewee agreed to
    the publication of anonymised quotes and has not withdrawn consent, checked at each brief.
    Nothing else of the interview (code, place, date, name) reaches the brief."""
    quotes = published_quotes(region_pcode, date_from, date_to)[:BRIEF_QUOTES]
    return [
        {
            "id": q["id"],
            "text": str(q["text"]),
            "pseudonym": str(q["pseudonym"]),
            "note": str(q["note"]),
        }
        for q in quotes
    ]


def _protected_figures(request: BriefRequest) -> tuple[BriefFigures, dict[str, Any] | None]:
    period = request.period
    threshold = int(settings.CIVHARM["SMALL_CELL_THRESHOLD"])
    estimate = region_estimate(period)
    rows = incident_rows(period)
    current = sum(1 for row in rows if row["period"] == CURRENT)
    buckets = choose_time_buckets(
        period_months(period.date_from, period.date_to), current, threshold
    )
    records = chain(
        incident_records(rows, buckets),
        report_records(report_counts(period)),
        documented_record(estimate["documented"] if estimate else None),
    )
    return protect_brief(records, buckets, threshold), estimate


def partner_shows_documented(region_pcode: str) -> bool:
    """Whether the partners' release shows the region's documented victims. It may withhold
    that region stratum (as a complement of another region's small count) where the brief's
    own release, which holds this one region alone, would show it: the brief would give it
    back. Built from the register's snapshot, so asked only when there is an estimate."""
    from civharm.analysis.published import partner_release, published_value

    return published_value(partner_release(), "documented", "region", region_pcode) is not None


def brief_context(request: BriefRequest) -> dict[str, Any]:
    """Everything the template prints, in the brief's language (activate it first)."""
    period = request.period
    figures, estimate = _protected_figures(request)
    from civharm.advocacy.recommendations import recommendations_for_brief

    period_text = content.period_text(period.date_from, period.date_to)
    previous_text = content.period_text(period.previous_from, period.previous_to)
    return {
        "language": request.language,
        "title": _("Civilian harm in {region}").format(region=period.region_name),
        "footer": _("civharm — advocacy brief, {region}, {period} — controlled output").format(
            region=period.region_name, period=period_text
        ),
        "trends_intro": _(
            "This period compared with the previous period of the same length ({previous})."
        ).format(previous=previous_text),
        "estimate_labels": {"total": _("estimated total (95% interval)")},
        "time_caption": content.time_caption(figures.buckets),
        "region": period.region_name,
        "period": period_text,
        "previous_period": previous_text,
        "generated_on": date_format(timezone.localdate(), "DATE_FORMAT"),
        "key_figures": content.key_figures(figures),
        "estimate": content.estimate_block(
            figures,
            estimate,
            partners_see_it=estimate is not None and partner_shows_documented(period.region_pcode),
        ),
        "charts": content.charts(figures, period),
        "trends": content.trends(figures),
        "patterns": content.patterns(figures),
        "harm_labels": list(content.harm_labels().values()),
        "quotes": quotes_for_brief(period.region_pcode, period.date_from, period.date_to),
        "recommendations": recommendations_for_brief(
            period.region_pcode, period.date_from, period.date_to
        ),
        "sources": content.sources(figures),
        "dataset_names": source_names(period, {"dataset"}),
        "texts": content.method_texts(figures, estimate),
        "suppressed": figures.suppressed,
    }


@dataclass(frozen=True)
class RenderedBrief:
    html: bytes
    pdf: bytes | None  # None when WeasyPrint cannot draw here
    pdf_problem: str  # why there is no PDF, in one sentence
    recommendation_ids: tuple[int, ...]  # the recommendations the brief reports
    quote_ids: tuple[int, ...] = ()  # the research.Quote ids it prints


def render_brief(request: BriefRequest) -> RenderedBrief:
    with translation.override(request.language):
        context = brief_context(request)
        html = render_html(context)
        reported = tuple(row["id"] for row in context["recommendations"])
        quoted = tuple(int(quote["id"]) for quote in context["quotes"])
        try:
            pdf, problem = html_to_pdf(html), ""
        except PdfUnavailable as unavailable:
            pdf, problem = None, str(unavailable)
    return RenderedBrief(html.encode("utf-8"), pdf, problem, reported, quoted)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_file_name(request: BriefRequest) -> str:
    period = request.period
    region = fold(period.region_name).replace(" ", "-")
    start, end = period.date_from.strftime("%Y-%m"), period.date_to.strftime("%Y-%m")
    return f"brief-{region}-{start}-{end}-{request.language}.pdf"


def archive_path(brief: Brief, kind: str) -> Path:
    """Where the data folder keeps a brief's copy ("pdf" or "html"), for the web page."""
    return Path(settings.DATA_DIR) / "briefs" / f"brief-{brief.pk}.{kind}"


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise BriefError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=error.strerror)
        ) from None


def output_paths(output: Path) -> tuple[Path, Path]:
    """The PDF and the HTML beside it for OUTPUT, named FILE.pdf or FILE.html: a brief is
    always both. Another suffix is refused rather than silently replaced (-o b.txt would
    otherwise write b.pdf and b.html, and a script looking for b.txt finds nothing)."""
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise BriefError(
            _(
                "{name}: a brief is written as a PDF with the same brief as HTML beside it; "
                "name the output FILE.pdf or FILE.html."
            ).format(name=output.name[:80])
        )
    return output.with_suffix(".pdf"), output.with_suffix(".html")


def make_brief(request: BriefRequest, *, actor: str, output: Path | None = None) -> BriefOutcome:
    """Render the brief, write OUTPUT (.pdf) and the .html beside it (when given; a missing
    folder is created, and the caller says both paths), keep copies in the data folder, store
    the Brief and audit it."""
    started = time.perf_counter()
    pdf_path, html_path = output_paths(output) if output else (None, None)
    rendered = render_brief(request)
    _check_quotes_still_published(rendered.quote_ids)
    if pdf_path and html_path:
        _write(html_path, rendered.html)
        if rendered.pdf is not None:
            _write(pdf_path, rendered.pdf)
    brief = _store(request, actor, rendered, pdf_path)
    _write(archive_path(brief, "html"), rendered.html)
    if rendered.pdf is not None:
        _write(archive_path(brief, "pdf"), rendered.pdf)
    return BriefOutcome(
        brief=brief,
        html=html_path or archive_path(brief, "html"),
        pdf=(pdf_path or archive_path(brief, "pdf")) if rendered.pdf is not None else None,
        pdf_problem=rendered.pdf_problem,
        seconds=time.perf_counter() - started,
    )


def _store(
    request: BriefRequest, actor: str, rendered: RenderedBrief, pdf_path: Path | None
) -> Brief:
    """The Brief, linked as evidence to the recommendations it reports, and its audit entry."""
    period = request.period
    with transaction.atomic():
        brief = Brief.objects.create(
            region_pcode=period.region_pcode,
            region_name=period.region_name,
            date_from=period.date_from,
            date_to=period.date_to,
            language=request.language,
            created_by=actor,
            pdf_sha256=_sha256(rendered.pdf) if rendered.pdf is not None else "",
            html_sha256=_sha256(rendered.html),
            file_name=(pdf_path.name if pdf_path else default_file_name(request)),
            quote_ids=list(rendered.quote_ids),
        )
        brief.recommendations.set(rendered.recommendation_ids)
        audit.record(
            actor,
            "brief",
            "Brief",
            brief.pk,
            details={
                "region": period.region_pcode,
                "from": period.date_from.isoformat(),
                "to": period.date_to.isoformat(),
                "language": request.language,
                "pdf_sha256": brief.pdf_sha256,
                "html_sha256": brief.html_sha256,
                "recommendations": list(rendered.recommendation_ids),
                "quotes": list(rendered.quote_ids),
            },
        )
    return brief


def _check_quotes_still_published(quote_ids: tuple[int, ...]) -> None:
    """Refuse a brief whose quoted interviewee withdrew consent while it was being drawn (the
    withdrawal deleted the quote): it would reach the archive after the purge."""
    from civharm.research.models import Quote

    if len(quote_ids) != Quote.objects.filter(pk__in=quote_ids, status="approved").count():
        raise BriefError(
            _("A quoted interviewee withdrew consent meanwhile: make the brief again.")
        )


def withdraw_briefs_quoting(quote_ids: set[int], *, actor: str, now: datetime) -> list[int]:
    """Withdraw from the archive every brief that printed one of QUOTE_IDS (a withdrawal of
    consent): its files are deleted when the caller's transaction commits, the Brief row stays
    with its hashes and `withdrawn_at`, and each is audited. Returns the briefs' ids.

    A brief already sent out of the system cannot be recalled from here: the team tells the
    recipients (docs/research.md). Briefs made before quote ids were recorded have none."""
    if not quote_ids:
        return []
    briefs = [
        brief
        for brief in Brief.objects.select_for_update().exclude(quote_ids=[])
        if quote_ids.intersection(brief.quote_ids)
    ]
    paths = [archive_path(brief, kind) for brief in briefs for kind in ("pdf", "html")]
    for brief in briefs:
        if brief.withdrawn_at is None:
            brief.withdrawn_at = now
            brief.save(update_fields=["withdrawn_at"])
        audit.record(
            actor,
            "delete",
            "Brief",
            brief.pk,
            reason="consent withdrawn",
            details={"archive_deleted": True, "html_sha256": brief.html_sha256},
        )

    def unlink() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)  # a failed withdrawal deletes nothing
    return [brief.pk for brief in briefs]


def latest_year(region_pcode: str) -> int | None:
    """The last year with a counted incident in the region (for the demo's brief)."""
    from django.db.models import Max

    from civharm.incidents.models import Incident

    last = (
        Incident.objects.filter(merged_into__isnull=True, admin1_pcode=region_pcode)
        .exclude(assessment_grade="discounted")
        .aggregate(last=Max("date_start"))["last"]
    )
    return last.year if last else None


def write_demo_brief(directory: Path) -> Path:
    """The demo's sample brief (French, Mopti, its last three years against the three before)
    in DIRECTORY: the PDF's path, or the HTML's where WeasyPrint cannot draw a PDF here.

    Three years, not one: the demo has about a dozen incidents a year in Mopti, so a one-year
    brief would be mostly withheld figures, which is right but shows little."""
    pcode, _name = resolve_region("Mopti")
    last = latest_year(pcode) or timezone.localdate().year
    first = last - 2
    request = brief_request("Mopti", f"{first}-01", f"{last}-12", "fr", ("--from", "--to"))
    output = Path(directory) / default_file_name(request)
    outcome = make_brief(request, actor="demo", output=output)
    return outcome.pdf or outcome.html
