"""`civharm brief`: a small register (generated, no real people) rendered to PDF through the real
command, its pages turned into images and text with poppler (pdftoppm, pdftotext)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.advocacy.brief_charts import SERIES_COLOURS
from civharm.advocacy.brief_content import key_figures
from civharm.advocacy.brief_figures import (
    CURRENT,
    TimeBuckets,
    choose_time_buckets,
    incident_records,
    protect_brief,
)
from civharm.advocacy.brief_map import CLASS_COLOURS
from civharm.advocacy.brief_render import render_html
from civharm.advocacy.briefs import BriefError, brief_context, brief_request, resolve_region
from civharm.advocacy.models import Brief, Recommendation, RecommendationStatus
from civharm.analysis.models import EstimateRun, StratumEstimate
from civharm.core.gazetteer import Gazetteer
from civharm.incidents.models import (
    Actor,
    HarmCount,
    Incident,
    IncidentPerpetrator,
    Report,
    Source,
)
from tests.conftest import run_cli


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


ABDUCTED_COLOUR = _rgb(SERIES_COLOURS[2])  # used by the charts alone
MAP_COLOURS = [_rgb(c) for c in CLASS_COLOURS if c not in SERIES_COLOURS]
ACTORS = {"fama": "state_forces", "jnim": "veo"}
# (context, incidents in 2022, incidents in 2021, actors): an IED cell of 2 is a small cell.
PLAN = [
    ("ground_operation", 20, 10, ("fama",)),
    ("checkpoint", 14, 8, ("fama",)),
    ("air_drone_strike", 12, 6, ("fama", "jnim")),
    ("ied_landmine", 2, 0, ("jnim",)),
]


def _poppler() -> None:
    for tool in ("pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (Debian poppler-utils) not found: run .ci/pdf.sh as root")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint cannot load (Pango missing? run .ci/pdf.sh as root): {error}")


def _incident(
    day: date, cercle: tuple[str, str, str], context: str, grade: str = "fair"
) -> Incident:
    return Incident.objects.create(
        date_start=day,
        admin1_pcode="ML05",
        admin1_name="Mopti",
        admin2_pcode=cercle[0],
        admin2_name=cercle[1],
        place_name="Village généré",
        interaction_context=context,
        assessment_grade=grade,
    )


def _harm(incident: Incident, harm_type: str, low: int, best: int, high: int) -> None:
    HarmCount.objects.create(incident=incident, harm_type=harm_type, low=low, best=best, high=high)


def build_register() -> None:
    """Mopti, 2021 and 2022: 48 incidents in 2022 (2 killed each, 1 to 3), 24 in 2021; a
    discounted incident and one in Ségou that a Mopti brief must not count."""
    cercles = Gazetteer.load().admin2_units("ML05")[:4]
    actors = {
        key: Actor.objects.get_or_create(
            key=key, defaults={"category": category, "name_fr": key, "name_en": key}
        )[0]
        for key, category in ACTORS.items()
    }
    acled = Source.objects.create(name="ACLED (test)", source_type="dataset")
    ngo = Source.objects.create(name="ONG partenaire (test)", source_type="ngo")
    number = 0
    for context, now, before, actor_keys in PLAN:
        for year, count in ((2022, now), (2021, before)):
            for i in range(count):
                number += 1
                day = date(year, 1 + (i * 5 + number) % 12, 1 + i % 27)
                incident = _incident(day, cercles[number % len(cercles)], context)
                for key in actor_keys:
                    IncidentPerpetrator.objects.create(incident=incident, actor=actors[key])
                _harm(incident, "killed", 1, 2, 3)
                if context == "checkpoint":
                    _harm(incident, "abducted", 1, 1, 2)
                if context == "air_drone_strike":
                    _harm(incident, "injured", 2, 3, 5)
                for source in (acled, ngo) if i % 2 else (acled,):
                    Report.objects.create(
                        source=source, record_id=f"r{number}-{source.pk}", kind="event",
                        source_format="acled", payload="{}", payload_sha256="0" * 64,
                        incident=incident, date_start=day, admin1_pcode="ML05",
                    )  # fmt: skip
    _harm(
        _incident(date(2022, 6, 1), cercles[0], "checkpoint", "discounted"), "killed", 999, 999, 999
    )
    adviser = Recommendation.objects.create(
        title="Create a civilian-harm mitigation adviser post", addressee="government",
        made_on=date(2022, 3, 1), created_by="analyst-user",
    )  # fmt: skip
    for status, day in (("proposed", date(2022, 3, 1)), ("accepted", date(2022, 9, 1))):
        RecommendationStatus.objects.create(
            recommendation=adviser, status=status, on=day, recorded_by="analyst-user"
        )
    segou = Incident.objects.create(date_start=date(2022, 6, 1), admin1_pcode="ML04")
    _harm(segou, "killed", 500, 500, 500)


def _text(pdf: Path) -> str:
    command = ["pdftotext", "-layout", str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def _pixels_near(pages: list[Path], colours: list[tuple[int, int, int]]) -> int:
    from PIL import Image

    count = 0
    for page in pages:
        for pixel, n in _colour_counts(Image.open(page).convert("RGB")):
            if any(sum(abs(a - b) for a, b in zip(pixel, c, strict=True)) <= 12 for c in colours):
                count += n
    return count


def _colour_counts(image: object) -> list[tuple[tuple[int, int, int], int]]:
    counts = image.getcolors(maxcolors=1 << 20)  # type: ignore[attr-defined]
    return [(pixel, n) for n, pixel in counts]


@pytest.mark.django_db
def test_a_brief_pdf_shows_figures_charts_map_and_method_with_small_cells_withheld(
    tmp_path: Path, settings
) -> None:
    _poppler()
    settings.DATA_DIR = tmp_path / "data"
    build_register()
    out = io.StringIO()
    call_command(
        "brief", "--region", "mopti", "--from", "2022-01", "--to", "2022-12", "--lang", "en",
        "-o", str(tmp_path / "brief.pdf"), "--json", stdout=out,
    )  # fmt: skip
    paths = json.loads(out.getvalue())
    pdf, html = Path(paths["pdf"]), Path(paths["html"])
    assert pdf == tmp_path / "brief.pdf" and html == tmp_path / "brief.html"
    assert paths["seconds"] < 15
    text = _text(pdf)
    for expected in (
        "Civilian harm in Mopti", "January–December 2022", "Key figures", "people killed",
        "range 48–144", "Trends", "Interaction patterns", "Sources and method",
        "Disclosure control", "No interview quotes are available", "Where: incidents by cercle",
    ):  # fmt: skip
        assert expected in text, expected
    assert "96" in text  # 48 incidents × 2 killed: neither the discounted nor Ségou's
    # The air strikes alleged against both actors are one bar, not counted under each.
    assert "Malian Armed Forces (FAMa) + JNIM" in text
    assert "counts once, under all of them together" in text
    assert "999" not in text and "500" not in text and "INC-" not in text
    assert "Village" not in text  # no place below the cercle
    # The patterns table's row (the chart's label line has one figure): its 2 incidents are
    # a small cell, withheld.
    rows = [
        line.split("IED or landmine")[1].split()
        for line in text.splitlines()
        if "IED or landmine" in line
    ]
    (ied_row,) = [cells for cells in rows if len(cells) == 6]
    assert ied_row[0] == "—"
    assert "withheld so that no one can be identified" in text
    pages = _pages(pdf, tmp_path)
    assert _pixels_near(pages, [ABDUCTED_COLOUR]) > 200  # bars of the charts
    assert _pixels_near(pages, MAP_COLOURS) > 2000  # the choropleth's cercles
    brief = Brief.objects.get()
    assert brief.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert brief.html_sha256 == hashlib.sha256(html.read_bytes()).hexdigest()
    assert (brief.region_pcode, brief.language, brief.file_name) == ("ML05", "en", "brief.pdf")
    assert AuditEntry.objects.filter(action="brief", object_id=str(brief.pk)).exists()
    assert "Create a civilian-harm mitigation adviser post" in text and "accepted" in text
    assert list(brief.recommendations.values_list("title", flat=True)) == [
        "Create a civilian-harm mitigation adviser post"
    ]


@pytest.mark.django_db
def test_a_french_brief_is_written_in_french(tmp_path: Path, settings) -> None:
    _poppler()
    settings.DATA_DIR = tmp_path / "data"
    build_register()
    call_command(
        "brief", "--region", "Mopti", "--from", "2022-01", "--to", "2022-12", "--lang", "fr",
        "-o", str(tmp_path / "bref.pdf"), stdout=io.StringIO(),
    )  # fmt: skip
    html = (tmp_path / "bref.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "janvier–décembre 2022" in html
    assert "Engin explosif improvisé ou mine" in _text(tmp_path / "bref.pdf")


def test_regions_are_found_by_any_spelling_or_pcode() -> None:
    assert resolve_region("segou") == resolve_region("Ségou") == ("ML04", "Ségou")
    assert resolve_region("ML05") == resolve_region("MOPTI") == ("ML05", "Mopti")
    with pytest.raises(BriefError, match="Kayes, Koulikoro"):
        resolve_region("Atlantis")


def test_periods_are_checked_and_compared_with_the_period_before() -> None:
    request = brief_request("Mopti", "2022-07", "2023-06", "en", ("--from", "--to"))
    period = request.period
    assert (period.date_from, period.date_to) == (date(2022, 7, 1), date(2023, 6, 30))
    assert (period.previous_from, period.previous_to) == (date(2021, 7, 1), date(2022, 6, 30))
    # Mistakes are told in the language the user works in, not the brief's.
    with translation.override("en"), pytest.raises(BriefError, match="YYYY-MM"):
        brief_request("Mopti", "2022/01", "2022-12", "fr", ("--from", "--to"))
    with translation.override("fr"), pytest.raises(BriefError, match="AAAA-MM"):
        brief_request("Mopti", "2022/01", "2022-12", "en", ("--from", "--to"))
    with translation.override("en"), pytest.raises(BriefError, match="before"):
        brief_request("Mopti", "2022-12", "2022-01", "en", ("--from", "--to"))


def test_years_outside_1990_2100_are_one_sentence_errors() -> None:
    with translation.override("en"):
        for first, last in (("0001-01", "0001-02"), ("1989-12", "2022-01"), ("2022-01", "2101-01")):
            with pytest.raises(BriefError, match="out of range; choose one from 1990 to 2100"):
                brief_request("Mopti", first, last, "en", ("--from", "--to"))
        # The longest period allowed still has a period before it.
        longest = brief_request("Mopti", "1990-01", "2100-12", "en", ("--from", "--to"))
        assert longest.period.previous_from == date(1879, 1, 1)


def _rows(*incidents: tuple[tuple[str, ...], tuple[int, int, int]]) -> list[dict[str, object]]:
    """brief_data.incident_rows' shape: (actors, killed low/best/high) per incident."""
    return [
        {"period": CURRENT, "month": "2022-01", "cercle": "ML0501", "context": "checkpoint",
         "actors": list(actors), "harm": {"killed": killed} if killed[1] else {}}
        for actors, killed in incidents
    ]  # fmt: skip


def test_several_alleged_actors_are_one_category_so_actor_rows_add_up_to_the_total() -> None:
    rows = _rows(
        *[(("fama",), (2, 2, 2))] * 9,
        *[(("fama", "jnim"), (1, 1, 1))] * 7,
        *[(("jnim",), (3, 3, 3))] * 6,
        *[((), (0, 0, 0))] * 5,
    )
    buckets = TimeBuckets(("2022-01",), 0)
    records = list(incident_records(rows, buckets))
    figures = protect_brief(records, buckets, threshold=5)
    assert figures.values_of("actor") == ["fama", "fama+jnim", "jnim", "unknown"]
    incidents = [figures.by("actor", "incidents", a) for a in figures.values_of("actor")]
    assert incidents == [9, 7, 6, 5] and sum(incidents) == figures.key("incidents") == 27
    killed = [figures.by("actor", "killed", a) for a in figures.values_of("actor")]
    assert sum(k or 0 for k in killed) == figures.key("killed") == 18 + 7 + 18
    # One value per dimension: each incident is one record of the "incidents" figure; harm
    # types are figures of people, so no table counts incidents per harm type either.
    incident_records_ = [r for r in records if r["figure"] == "incidents"]
    assert len(incident_records_) == len(rows) and all(r["value"] == 1 for r in incident_records_)
    assert all(isinstance(r[d], str) for r in records for d in ("actor", "context", "cercle"))


def test_low_and_high_are_withheld_in_the_release_wherever_the_best_is() -> None:
    # One incident with 3 killed (a small cell) but a high count of 10 that alone would pass.
    rows = _rows(((("fama",), (1, 3, 10))), *[(("fama",), (0, 0, 0))] * 11)
    buckets = TimeBuckets(("2022-01",), 0)
    figures = protect_brief(incident_records(rows, buckets), buckets, threshold=5)
    assert figures.key("incidents") == 12 and figures.key("killed") is None
    high_cells = [
        cell for table in figures.release.tables.values() for cell in table.cells
        if cell.key[1] in ("killed_low", "killed_high")
    ]  # fmt: skip
    assert high_cells and all(cell.suppressed and cell.value is None for cell in high_cells)
    with translation.override("en"):
        killed_row = key_figures(figures)[1]
    assert (killed_row["value"], killed_row["range"]) == ("—", "")


def test_time_breakdown_is_coarser_for_few_incidents() -> None:
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    assert choose_time_buckets(months, 600, 5).size == 1
    assert choose_time_buckets(months, 48, 5).keys == ("2022-01", "2022-04", "2022-07", "2022-10")
    assert choose_time_buckets(months, 20, 5).size == 6
    assert choose_time_buckets(months, 19, 5) == TimeBuckets(tuple(months), 0)


@pytest.mark.django_db
def test_without_pango_the_html_is_written_and_the_command_says_how(
    tmp_path: Path, settings, monkeypatch
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when Pango cannot be loaded
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="libpango") as raised:
        call_command(
            "brief", "--region", "Mopti", "--from", "2022-01", "--to", "2022-03",
            "-o", str(tmp_path / "new" / "b.pdf"), "--lang", "en", stdout=out,
        )  # fmt: skip
    assert raised.value.returncode == 3
    folder = tmp_path / "new"
    assert (folder / "b.html").exists() and not (folder / "b.pdf").exists()
    assert Brief.objects.get().pdf_sha256 == ""
    # What was written, said in full: the folder made for it and the HTML's path.
    assert f"Folder created: {folder}." in out.getvalue()
    assert f"Brief written as HTML: {folder / 'b.html'}." in out.getvalue()


@pytest.mark.django_db
def test_an_output_named_other_than_pdf_or_html_is_refused(tmp_path: Path) -> None:
    pattern = r"b\.txt: .* name the output FILE\.pdf or FILE\.html"
    with translation.override("en"), pytest.raises(CommandError, match=pattern):
        call_command(
            "brief", "--region", "Mopti", "--from", "2022-01", "--to", "2022-03",
            "-o", str(tmp_path / "b.txt"), "--lang", "en", stdout=io.StringIO(),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == [] and not Brief.objects.exists()


@pytest.mark.not_the_database
def test_mistakes_are_one_sentence_errors(cli_env: dict[str, str]) -> None:
    period = ("--from", "2022-01", "--to", "2022-12")
    result = run_cli(cli_env, "brief", "--region", "Atlantis", *period, check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "Atlantis" in result.stderr and "Mopti" in result.stderr and "Ségou" in result.stderr
    bad_month = ("--from", "2022-13", "--to", "2022-12")
    result = run_cli(cli_env, "brief", "--region", "Mopti", *bad_month, check=False)
    assert (
        result.returncode != 0 and "YYYY-MM" in result.stderr and "Traceback" not in result.stderr
    )
    for first, last in (("1900-01", "9999-12"), ("0001-01", "0001-02")):
        result = run_cli(cli_env, "brief", "--region", "Mopti", "--from", first, "--to", last,
                         check=False)  # fmt: skip
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "out of range" in result.stderr and "1990" in result.stderr
    # The global --lang took "de" and wrote in French; now it is refused before anything runs.
    for args in (("brief", "--lang", "de"), ("--lang=de", "brief")):
        result = run_cli(cli_env, *args, "--region", "Mopti", *period, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        # One line, in French or English (it is said before the messages' language is set).
        (line,) = result.stderr.strip().splitlines()
        assert re.fullmatch(r"civharm ?: --lang de .*\bfr\b.*\ben\.", line), line
    help_text = run_cli(cli_env, "brief", "--help").stdout
    assert (
        "civharm brief --region Mopti --from 2022-01 --to 2022-12 --lang fr -o brief.pdf"
        in help_text
    )


def _estimate_run(strata: dict[str, int]) -> None:
    """A complete run stratified by region: each region's documented victims, and an estimate."""
    run = EstimateRun.objects.create(
        started_by="test", status="complete", by=["region"], methods=["loglinear"],
        documented=sum(strata.values()), lists=["a", "b", "c"],
    )  # fmt: skip
    for name, documented in strata.items():
        StratumEstimate.objects.create(
            run=run, key=[name], method="loglinear", documented=documented,
            total=documented * 1.5, low=documented * 1.2, high=documented * 2.0, model="[AB][C]",
        )  # fmt: skip


@pytest.mark.django_db
def test_the_documented_victims_follow_what_the_partners_release_shows() -> None:
    """Mopti's 40 documented victims pass the brief's own release (one region alone), but the
    partners' release withholds them beside Gao's 3: the brief must not give them back."""
    from civharm.analysis.published import forget_partner_release, partner_release, published_value

    request = brief_request("Mopti", "2022-01", "2022-12", "en", ("--from", "--to"))
    for strata, shown in (({"Mopti": 40, "Gao": 3}, False), ({"Mopti": 40, "Gao": 30}, True)):
        _estimate_run(strata)  # the latest run is the one both releases read
        forget_partner_release()
        partners = published_value(partner_release(), "documented", "region", "ML05")
        assert (partners is not None) is shown, (strata, partners)
        with translation.override("en"):
            context = brief_context(request)
        block = context["estimate"]
        assert (block["documented"], block["withheld"]) == (("40", False) if shown else ("—", True))
        assert (block["total"] == "—") is not shown
        with translation.override("en"):
            html = render_html(context)
        assert ("documented and estimated victims are withheld" in html) is not shown


@pytest.mark.django_db
def test_voices_are_approved_quotes_by_published_name_only_and_follow_consent(
    tmp_path: Path, settings, monkeypatch
) -> None:
    """At most four quotes of the region and period, each under its own published name (never
    the interviewee's T-… pseudonym) and "name changed"; none whose consent to publication was
    taken back or withdrawn. The Brief records which quotes it printed."""
    from civharm.advocacy.briefs import make_brief
    from civharm.research.models import Consent, Interviewee
    from civharm.research.services import approve_quote, propose_quote, withdraw_consent
    from tests.research.helpers import NAME, make_interview

    def quoted(text: str, **changes: object) -> tuple[int, str]:
        interview = make_interview(**changes)
        quote = approve_quote(propose_quote(interview, text, proposer="a"), approver="b")
        return quote.pk, quote.published_name

    shown = [quoted(f"Nous voulons la paix, voix {n}.") for n in range(5)]
    unpublished = make_interview()
    approve_quote(propose_quote(unpublished, "Plus de consentement.", proposer="a"), approver="b")
    Consent.objects.filter(interview=unpublished).update(for_publication=False)
    withdrawn = make_interview()
    approve_quote(propose_quote(withdrawn, "Consentement retiré.", proposer="a"), approver="b")
    withdraw_consent(withdrawn, actor="field")
    quoted("Une autre région.", admin1_pcode="ML07")
    quoted("Une autre année.", interviewed_on=date(2023, 3, 1))

    request = brief_request("Mopti", "2025-01", "2025-12", "en", ("--from", "--to"))
    with translation.override("en"):
        context = brief_context(request)
        html = render_html(context)
    assert len(context["quotes"]) == 4
    assert {(q["id"], q["pseudonym"]) for q in context["quotes"]} <= set(shown)
    voices = html[
        html.index('<section id="quotes">') : html.index('<section id="recommendations">')
    ]
    assert voices.count("<blockquote>") == 4 and voices.count("(name changed)") == 4
    for absent in ("Plus de consentement", "Consentement retiré", "autre région", "autre année"):
        assert absent not in html
    assert NAME not in html and "ENT-" not in voices and "T-" not in voices
    for pseudonym in Interviewee.objects.values_list("pseudonym", flat=True):
        assert pseudonym not in html

    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # HTML only: quicker, same quotes
    brief = make_brief(request, actor="advocacy").brief
    assert brief.quote_ids == [q["id"] for q in context["quotes"]]
