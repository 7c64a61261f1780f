"""Linkage in the register: reports of one event become one incident, victim records of one
person one person; counts follow the links; people's decisions split and merge, and survive."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from django.db import connection
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.demo import DemoTruth, generate_demo
from civharm.incidents.models import (
    HarmCount,
    Incident,
    IncidentPerpetrator,
    LinkCandidate,
    LinkDecision,
    LinkRun,
    Person,
    RecordLink,
    Report,
    VictimRecord,
)
from civharm.incidents.services import verdicts
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.linking import run_linkage
from civharm.incidents.services.merging import apply_clusters, combine_counts
from civharm.incidents.services.verdicts import decide, split_off
from civharm.linkage.frames import DELIVERY
from tests.incidents.factories import a_finished_process, a_run_saving, write_acled

pytestmark = pytest.mark.django_db
USER = "analyst-test"

# Our field team's interviews about the same events as tests/incidents/factories.ACLED_EVENTS:
# Niono a day later with a range of deaths, Ménaka the same day, and two events of their own.
FIELD_REPORTS = [
    # Référence; Date; Lieu; Cercle; Région; Latitude; Longitude; Auteur présumé; Tués; Blessés
    ("RE-1", "15/03/2022", "Niono", "Niono", "Ségou", "14.2526", "-5.9929", "FAMa", "10-16", "3"),
    ("RE-2", "20/01/2023", "Ménaka", "Ménaka", "Ménaka", "15.9182", "2.4022", "EIGS", "30", ""),
    ("RE-3", "10/08/2021", "Djenné", "Djenné", "Mopti", "13.9061", "-4.5533", "Dozo", "3", ""),
    ("RE-4", "20/05/2022", "Bandiagara", "Bandiagara", "Mopti", "14.3501", "-3.6104", "JNIM", "5",
     ""),
]  # fmt: skip
FIELD_HEADER = [
    "Référence", "Date de l'incident", "Lieu", "Cercle", "Région", "Latitude", "Longitude",
    "Auteur présumé", "Tués", "Blessés",
]  # fmt: skip

# The demo's two victim lists (generated people): linkage needs more than a handful of rows
# to train on, and the demo's truth says who is who.
NGO_LIST, UN_LIST = "liste_victimes_ong.csv", "un_victim_list.xlsx"
DEMO_VICTIM_LISTS = {NGO_LIST: "Liste de victimes ONG (démo)", UN_LIST: "UN victim list (demo)"}
DEMO_SEED, DEMO_SCALE = 2024, 0.3  # about 200 victim records


def write_field_reports(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(FIELD_HEADER)
        writer.writerows(FIELD_REPORTS)
    return path


@pytest.fixture
def events(tmp_path: Path) -> None:
    import_file(write_acled(tmp_path / "acled.csv"), "acled", in_background=False)
    import_file(
        write_field_reports(tmp_path / "entretiens.csv"),
        "reports",
        source_name="Entretiens test",
        source_type="interview",
        in_background=False,
    )


@pytest.fixture
def demo_victims(tmp_path: Path) -> DemoTruth:
    truth = generate_demo(tmp_path / "demo", seed=DEMO_SEED, scale=DEMO_SCALE)
    for file_name, source in DEMO_VICTIM_LISTS.items():
        import_file(truth.path(file_name), "victims", source_name=source, in_background=False)
    return truth


def _report(source: str, record_id: str) -> Report:
    return Report.objects.get(source__name=source, record_id=record_id)


def _acled(record_id: str) -> Report:
    return Report.objects.get(source__name="ACLED", record_id__endswith=record_id)


def _field(reference: str) -> Report:
    return _report("Entretiens test", reference)


def _same_incident(a: Report, b: Report) -> bool:
    a.refresh_from_db()
    b.refresh_from_db()
    return a.incident_id == b.incident_id


def test_two_sources_of_one_event_become_one_incident_and_keep_both_reports(events: None) -> None:
    reports, incidents = Report.objects.count(), Incident.objects.count()
    counts = run_linkage("incident", user=USER)
    niono_acled, niono_field = _acled("90001"), _field("RE-1")
    assert _same_incident(niono_acled, niono_field)
    assert not _same_incident(niono_acled, _field("RE-3"))
    assert Report.objects.count() == reports and Incident.objects.count() == incidents
    merged = Incident.objects.exclude(merged_into=None)
    assert merged.count() == counts["incidents_merged"] >= 1
    assert niono_acled.incident_id in set(merged.values_list("merged_into", flat=True))
    assert not Report.objects.filter(incident__in=merged).exists()
    run = LinkRun.objects.get()
    assert run.status == "complete" and run.records == len(FIELD_REPORTS) + 3
    assert counts["clusters"] == Incident.objects.filter(merged_into=None).count()
    assert RecordLink.objects.filter(left=min(niono_acled.pk, niono_field.pk)).exists()


def test_counts_follow_the_links(events: None) -> None:
    run_linkage("incident", user=USER)
    niono = _acled("90001")
    niono.refresh_from_db()
    reports = list(Report.objects.filter(incident=niono.incident_id))
    assert len(reports) == 2
    for harm_type in ("killed", "injured"):
        expected = combine_counts([r.harm[harm_type] for r in reports if harm_type in r.harm])
        count = HarmCount.objects.get(incident=niono.incident_id, harm_type=harm_type)
        assert (count.low, count.best, count.high) == expected
    perpetrators = set(
        IncidentPerpetrator.objects.filter(incident=niono.incident_id).values_list(
            "actor__key", "attribution_status"
        )
    )
    assert ("fama", "alleged") in perpetrators
    merged = Incident.objects.exclude(merged_into=None)
    assert not HarmCount.objects.filter(incident__in=merged).exists()


def test_the_count_rule_takes_the_largest_bounds_and_the_median_best() -> None:
    assert combine_counts([[12, 12, 12], [10, 13, 16]]) == (12, 12, 16)
    assert combine_counts([[2, 3, 4], [5, 20, 30], [None, 8, None]]) == (5, 8, 30)
    assert combine_counts([[10, 10, 10], [None, 40, None]]) == (10, 10, 10)  # best within bounds
    assert combine_counts([[20, None, None], [None, None, 15]]) == (20, None, 20)  # high >= low
    assert combine_counts([[None, None, None]]) == (None, None, None)
    assert combine_counts([[12, 12, 12], [10, None, 16], [14, None, None]]) == (14, 14, 16)  # docs


def test_different_splits_a_merge_and_survives_a_rerun(events: None) -> None:
    run_linkage("incident", user=USER)
    acled, field = _acled("90001"), _field("RE-1")
    assert _same_incident(acled, field)
    decide("incident", acled.pk, field.pk, "no_match", user=USER)
    assert not _same_incident(acled, field)
    assert not Incident.objects.filter(pk=acled.incident_id).exclude(merged_into=None).exists()
    run_linkage("incident", user=USER)
    assert not _same_incident(acled, field)
    killed = HarmCount.objects.get(incident=field.incident_id, harm_type="killed")
    assert (killed.low, killed.high) == tuple(field.harm["killed"][::2])  # its own count again


def test_same_merges_and_survives_a_rerun(events: None) -> None:
    run_linkage("incident", user=USER)
    acled, field = _acled("90002"), _field("RE-4")  # Bandiagara, 18 days apart
    assert not _same_incident(acled, field)
    decide("incident", field.pk, acled.pk, "match", user=USER, note="same attack, late report")
    assert _same_incident(acled, field)
    run_linkage("incident", user=USER)
    assert _same_incident(acled, field)
    entry = AuditEntry.objects.filter(action="link_decision").get()
    assert entry.details["decision"] == "match" and entry.fields == ["note"]


def test_a_verdict_given_while_a_run_scores_is_not_undone_by_the_run(events: None) -> None:
    """The run read the verdicts before scoring; one given meanwhile (in the web app) is
    applied when the run saves its clusters, not overwritten by them."""
    run_linkage("incident", user=USER)
    acled, field = _acled("90001"), _field("RE-1")
    assert _same_incident(acled, field)

    def meanwhile(step: str, *rest: object, **more: object) -> None:
        if step == "Scoring candidate pairs" and not LinkDecision.objects.exists():
            decide("incident", acled.pk, field.pk, "no_match", user=USER)

    counts = run_linkage("incident", user=USER, progress=meanwhile, retrain=True)
    assert LinkDecision.objects.count() == 1
    assert not _same_incident(acled, field)
    holding = Incident.objects.filter(reports__kind="event").distinct().count()
    assert counts["incidents"] == counts["clusters"] == holding  # counted after the verdict
    assert LinkRun.objects.order_by("-id").first().clusters == holding  # type: ignore[union-attr]


def test_only_a_fault_of_the_stored_model_makes_a_run_train_again() -> None:
    """Ctrl-C inside a DuckDB query, memory and disk errors are the run's, not the model's:
    they stop the run instead of starting a training."""
    import duckdb
    from splink.internals.exceptions import SplinkException

    from civharm.incidents.services.linking import _a_model_fault

    def wrapped(cause: BaseException) -> SplinkException:
        try:
            raise SplinkException("Error executing the following sql") from cause
        except SplinkException as error:
            return error

    assert not _a_model_fault(RuntimeError("Query interrupted"))
    assert not _a_model_fault(wrapped(duckdb.OutOfMemoryException("could not allocate")))
    assert not _a_model_fault(wrapped(duckdb.IOException("No space left on device")))
    assert not _a_model_fault(wrapped(OSError(28, "No space left on device")))
    assert _a_model_fault(TypeError("'str' object is not a mapping"))
    assert _a_model_fault(wrapped(duckdb.ParserException("syntax error at or near")))


@pytest.mark.parametrize(
    "damage",
    [
        {"model": "not a model"},
        {"model": {"records": "many"}},
        {"model": {"records": 7, "trained_on_day": "yesterday"}},
        {"parameters": {"comparisons": "garbage"}},
        {"parameters": {"comparisons": [{"output_column_name": "x", "comparison_levels": 3}]}},
    ],
)
def test_a_damaged_stored_model_is_trained_again_not_a_failure(
    events: None, damage: dict[str, object]
) -> None:
    """The model a run stores is read by the next one: damaged, it is replaced, with a step
    that says so, and the run completes."""
    first = run_linkage("incident", user=USER)
    stored = LinkRun.objects.get()
    model = stored.settings["model"]
    if "model" in damage:
        stored.settings["model"] = damage["model"]
    else:
        model["parameters"] = {**model["parameters"], **damage["parameters"]}
    stored.save()
    steps: list[str] = []
    with translation.override("en"):
        again = run_linkage(
            "incident", user=USER, progress=lambda step, *a, **k: steps.append(step)
        )
    assert again["model_trained"] == 1 and again["clusters"] == first["clusters"]
    assert LinkRun.objects.order_by("-id").first().status == "complete"  # type: ignore[union-attr]
    if "parameters" in damage:
        assert "The stored model could not be used; training a new one" in steps


def test_a_pending_pair_is_marked_decided(events: None) -> None:
    run_linkage("incident", user=USER)
    a, b = _acled("90002"), _field("RE-4")
    pair = {"kind": "incident", "left_id": min(a.pk, b.pk), "right_id": max(a.pk, b.pk)}
    LinkCandidate.objects.update_or_create(
        **pair, defaults={"probability": 0.6, "run": LinkRun.objects.get()}
    )
    decide("incident", a.pk, b.pk, "no_match", user=USER)
    assert LinkCandidate.objects.get(**pair).status == "decided"
    run_linkage("incident", user=USER)
    assert LinkCandidate.objects.get(**pair).status == "decided"


def test_split_off_undoes_a_merge_and_deletes_nothing(events: None) -> None:
    incidents = Incident.objects.count()
    run_linkage("incident", user=USER)
    acled, field = _acled("90001"), _field("RE-1")
    assert _same_incident(acled, field)
    split_off("incident", field.pk, user=USER)
    assert not _same_incident(acled, field)
    assert Incident.objects.count() == incidents  # the merged incident was revived, not created
    for report in (acled, field):
        assert Incident.objects.get(pk=report.incident_id).merged_into_id is None
    run_linkage("incident", user=USER)
    assert not _same_incident(acled, field)


def _people_in_both_lists(truth: DemoTruth) -> dict[str, list[Report]]:
    """Generated victim id -> their record in each demo list, for victims named by both."""
    records: dict[str, list[Report]] = {}
    for file_name, source in DEMO_VICTIM_LISTS.items():
        rows = {r.row: r.victim_id for r in truth.sources[file_name].rows if r.kind == "victim"}
        for report in Report.objects.filter(source__name=source).select_related("victim_record"):
            victim = rows.get(report.row_number or 0)
            if victim:
                records.setdefault(victim, []).append(report)
    return {victim: pair for victim, pair in records.items() if len(pair) == 2}


def test_victim_records_of_one_person_become_one_person(demo_victims: DemoTruth) -> None:
    persons = Person.objects.count()
    counts = run_linkage("person", user=USER)
    both = _people_in_both_lists(demo_victims)
    for a, b in both.values():
        a.victim_record.refresh_from_db()
        b.victim_record.refresh_from_db()
    together = [a.victim_record.person_id == b.victim_record.person_id for a, b in both.values()]
    # How many the model finds is civharm.linkage's business (bench/); here: the register follows.
    assert len(both) >= 10 and sum(together) >= 0.5 * len(together)
    assert Person.objects.count() == persons == VictimRecord.objects.count()  # none deleted
    assert counts["persons"] == Person.objects.filter(merged_into=None).count() < persons
    assert counts["persons_merged"] == persons - counts["persons"]
    one_list = VictimRecord.objects.filter(report__source__name=DEMO_VICTIM_LISTS[NGO_LIST])
    people = list(one_list.values_list("person_id", flat=True))
    assert len(people) == len(set(people))  # a list names each person once


def test_linkage_stores_and_audits_no_name(demo_victims: DemoTruth) -> None:
    run_linkage("person", user=USER)
    entry = AuditEntry.objects.get(action="read", object_type="LinkRun")
    assert entry.details["names_read"] == VictimRecord.objects.count()
    assert entry.fields == ["father_name", "name"] and entry.actor == USER
    runs = list(LinkRun.objects.values())
    models = [run["settings"].pop("model") for run in runs]
    stored = json.dumps(
        [
            runs,
            list(RecordLink.objects.values()),
            list(LinkCandidate.objects.values()),
            [(e.action, e.reason, e.details, e.fields) for e in AuditEntry.objects.all()],
        ],
        default=str,
        ensure_ascii=False,
    ).casefold()
    for victim in demo_victims.victims:
        assert victim.family_name.casefold() not in stored
    # The stored model holds nothing read from the records: every text in it is a text of
    # the model's own definition (comparison SQL, labels), whatever the data.
    from civharm.linkage.victims import VICTIM_MODEL

    definition = set(_texts(VICTIM_MODEL.settings().get_settings("duckdb").as_dict()))
    (model,) = models
    trained = {"m_probability", "u_probability", model["parameters"]["linker_uid"]}
    assert set(_texts(model["parameters"])) - definition <= trained
    assert set(model) == {"parameters", "records", "sources", "trained_on_day", "fingerprint"}
    assert model["sources"] == sorted(DEMO_VICTIM_LISTS.values())


def _texts(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        return [*value, *(t for v in value.values() for t in _texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def test_a_run_with_no_records_completes(db: None) -> None:
    assert run_linkage("incident", user=USER)["records"] == 0
    assert LinkRun.objects.get().status == "complete"


def test_split_off_a_victim_record_revives_its_person(demo_victims: DemoTruth) -> None:
    persons = Person.objects.count()
    run_linkage("person", user=USER)
    merged = Person.objects.exclude(merged_into=None).first()
    assert merged is not None
    record = VictimRecord.objects.filter(person=merged.merged_into_id).order_by("-id").first()
    split_off("person", record.report_id, user=USER)
    record.refresh_from_db()
    assert Person.objects.count() == persons
    assert not VictimRecord.objects.filter(person=record.person_id).exclude(pk=record.pk).exists()
    assert Person.objects.get(pk=record.person_id).merged_into_id is None
    run_linkage("person", user=USER)
    record.refresh_from_db()
    assert VictimRecord.objects.filter(person=record.person_id).count() == 1


def test_a_cluster_takes_back_the_incident_founded_on_its_report(events: None) -> None:
    first, other = _field("RE-1"), _field("RE-3")
    Report.objects.filter(pk=other.pk).update(incident=first.incident_id)  # attached by hand
    emptied = Incident.objects.get(pk=other.incident_id)
    assert emptied.founding_record == other.pk
    apply_clusters(
        "incident",
        pd.DataFrame({"record_id": [first.pk, other.pk], "cluster_id": [first.pk, other.pk]}),
    )
    other.refresh_from_db()
    assert other.incident_id == emptied.pk and first.incident_id != emptied.pk
    assert HarmCount.objects.get(incident=emptied, harm_type="killed").best == 3


def test_a_cluster_with_no_incident_of_its_own_gets_a_new_one(events: None) -> None:
    first, other = _field("RE-1"), _field("RE-3")
    Report.objects.filter(pk=other.pk).update(incident=first.incident_id)  # attached by hand
    emptied = Incident.objects.get(pk=other.incident_id)
    Incident.objects.filter(pk=emptied.pk).update(founding_record=None)  # made before 0008
    apply_clusters(
        "incident",
        pd.DataFrame({"record_id": [first.pk, other.pk], "cluster_id": [first.pk, other.pk]}),
    )
    other.refresh_from_db()
    created = Incident.objects.get(pk=other.incident_id)
    assert created.pk not in (first.incident_id, emptied.pk)
    assert (created.date_start, created.place_name) == (other.date_start, other.place_name)
    assert created.founding_record == other.pk
    assert HarmCount.objects.get(incident=created, harm_type="killed").best == 3


def test_a_second_run_scores_with_the_first_runs_model_and_finds_the_same(
    demo_victims: DemoTruth,
) -> None:
    first = run_linkage("person", user=USER)
    trained = LinkRun.objects.get()
    second = run_linkage("person", user=USER)
    reused = LinkRun.objects.exclude(pk=trained.pk).get()
    assert (first["model_trained"], second["model_trained"]) == (1, 0)
    assert reused.settings["model"] == trained.settings["model"]  # kept for the run after
    assert reused.settings["model"]["records"] == VictimRecord.objects.count()
    for key in ("records", "clusters", "links", "review_pairs", "persons", "persons_merged"):
        assert second[key] == first[key], key
    assert run_linkage("person", user=USER, retrain=True)["model_trained"] == 1


def test_a_changed_model_or_a_grown_register_trains_again(demo_victims: DemoTruth) -> None:
    run_linkage("person", user=USER)
    run = LinkRun.objects.get()
    stale = {**run.settings["model"], "fingerprint": "another model"}
    LinkRun.objects.filter(pk=run.pk).update(settings={**run.settings, "model": stale})
    assert run_linkage("person", user=USER)["model_trained"] == 1
    records = VictimRecord.objects.count()
    for changed in (
        {"records": records // 2},  # the register grew by more than a quarter
        {"records": records * 2},  # or shrank (an older backup restored)
        {"sources": [DEMO_VICTIM_LISTS[NGO_LIST]]},  # a list came in since
    ):
        latest = LinkRun.objects.order_by("-id").first()
        model = {**latest.settings["model"], **changed}
        LinkRun.objects.filter(pk=latest.pk).update(settings={**latest.settings, "model": model})
        assert run_linkage("person", user=USER)["model_trained"] == 1, changed
    assert run_linkage("person", user=USER)["model_trained"] == 0


def test_the_incident_frame_carries_each_reports_stated_location_precision(events: None) -> None:
    """ACLED says how precise each point is; our template does not ("exact" where a point is
    given, the importers' rule): the frame hands both to linkage, "unknown" as missing."""
    from civharm.incidents.services.linkage_frames import incident_frame

    frame = incident_frame().set_index("record_id")
    stored = dict(Report.objects.filter(kind="event").values_list("id", "geo_precision"))
    assert set(frame.index) <= set(stored)
    for record_id, precision in frame["geo_precision"].items():
        wanted = stored[record_id]
        assert precision == (None if wanted == "unknown" else wanted)
    assert frame.loc[_acled("1").id, "admin2_pcode"]  # columns did not shift
    # no delivery: a dataset's monthly imports must not ask again about its events
    assert DELIVERY not in frame.columns
    assert {"exact", "near"} & set(frame["geo_precision"].dropna())


VICTIM_HEADER = "N°;NOM;Prénom;Sexe (M/F);Âge;Date du décès;Lieu;Cercle;Région\n"


def _victim_rows(path: Path, *ages: str) -> Path:
    # one generated namesake of one attack, once per age given ("" = no age)
    rows = [f"{90 + i};SAGARA;Bouréma;M;{age};12/03/2022;Sokolo;Niono;Ségou\n" for i, age in
            enumerate(ages)]  # fmt: skip
    path.write_text(VICTIM_HEADER + "".join(rows), encoding="utf-8")
    return path


def test_a_list_that_repeats_rows_never_makes_one_person_of_two_of_its_namesakes(
    demo_victims: DemoTruth, settings: object, tmp_path: Path
) -> None:
    """The NGO list is set as repeating rows. It names two namesakes of one attack (30 and 36
    years old); another list names one of them without an age, which links to both. They
    stay two people, after the run and after the re-clustering a person's verdict triggers
    (which reads no name). The rule itself: tests/linkage/test_clustering.py."""
    ngo = DEMO_VICTIM_LISTS[NGO_LIST]
    config = {**settings.CIVHARM_LINKAGE}  # type: ignore[attr-defined]
    # on ~200 records these three score 0.86-0.87, under the default person threshold
    config["person"] = {**config["person"], "sources_with_duplicates": [ngo], "link_threshold": 0.8}
    settings.CIVHARM_LINKAGE = config  # type: ignore[attr-defined]
    before = set(VictimRecord.objects.values_list("pk", flat=True))
    import_file(_victim_rows(tmp_path / "ngo.csv", "30", "36"), "victims", source_name=ngo,
                in_background=False)  # fmt: skip
    ids = set(VictimRecord.objects.exclude(pk__in=before).values_list("pk", flat=True))
    assert len(ids) == 2
    namesakes = VictimRecord.objects.filter(pk__in=ids)
    other = "Liste communale (test)"
    import_file(_victim_rows(tmp_path / "commune.csv", ""), "victims", source_name=other,
                in_background=False)  # fmt: skip
    without_age = VictimRecord.objects.get(report__source__name=other)

    def persons() -> set[int]:
        return {v.person_id for v in namesakes.all()}

    run_linkage("person", user=USER)
    assert len(persons()) == 2
    without_age.refresh_from_db()
    joined = namesakes.get(person_id=without_age.person_id)  # it joined one namesake...
    apart = namesakes.exclude(pk=joined.pk).get()
    left, right = sorted((without_age.report_id, apart.report_id))
    chained = LinkCandidate.objects.get(kind="person", left_id=left, right_id=right)
    assert (chained.status, chained.reason) == ("pending", "chained")  # ...the other waits
    # the list repeats rows: one person entered twice with other details is asked about
    reports = sorted(namesakes.values_list("report_id", flat=True))
    assert LinkCandidate.objects.get(kind="person", left_id=reports[0], right_id=reports[1])
    # A person says the record without an age is the other namesake: the re-clustering,
    # which reads no name, moves it there and still never puts both namesakes together.
    decide("person", left, right, "match", user=USER)
    assert len(persons()) == 2


def test_nobody_is_asked_about_two_entries_of_a_list_that_names_each_person_once(
    demo_victims: DemoTruth, settings: object, tmp_path: Path
) -> None:
    """A list not known to repeat rows names two namesakes of one attack (30 and 36 years
    old) and the first of them again in a row sent twice; another list names one of them
    without an age. The namesakes are two people by the rules: no run asks about them. The
    row sent twice is one entry: it is asked about, and so is the record without an age."""
    config = {**settings.CIVHARM_LINKAGE}  # type: ignore[attr-defined]
    config["person"] = {**config["person"], "link_threshold": 0.8}  # as the test above
    settings.CIVHARM_LINKAGE = config  # type: ignore[attr-defined]
    before = set(VictimRecord.objects.values_list("pk", flat=True))
    import_file(_victim_rows(tmp_path / "liste.csv", "30", "36", "30"), "victims",
                source_name="Liste de la mairie (test)", in_background=False)  # fmt: skip
    first, second, again = sorted(  # candidates name reports, not victim records
        VictimRecord.objects.exclude(pk__in=before).values_list("report_id", flat=True)
    )
    import_file(_victim_rows(tmp_path / "commune.csv", ""), "victims",
                source_name="Liste communale (test)", in_background=False)  # fmt: skip
    without_age = VictimRecord.objects.get(report__source__name="Liste communale (test)")
    without_age_report = without_age.report_id

    run_linkage("person", user=USER)
    pending = set(
        LinkCandidate.objects.filter(kind="person", status="pending").values_list(
            "left_id", "right_id"
        )
    )
    assert (first, again) in pending  # one entry sent twice
    assert (first, second) not in pending and (second, again) not in pending
    assert {(r, without_age_report) for r in (first, second, again)} & pending
    persons = VictimRecord.objects.filter(report_id__in=(first, second, again)).values("person_id")
    assert len({p["person_id"] for p in persons}) == 3  # one list: three people until asked


def test_a_list_sent_again_with_an_age_corrected_is_asked_about(
    demo_victims: DemoTruth, settings: object, tmp_path: Path
) -> None:
    """The same list, sent again renumbered with one age corrected (30 -> 32): the new row
    is a record of the same source, but of another delivery. It may be the same entry
    corrected, so its pair with the old row waits for a person, whereas the old namesake of
    the first delivery (36) still is not asked about with the old row."""
    config = {**settings.CIVHARM_LINKAGE}  # type: ignore[attr-defined]
    config["person"] = {**config["person"], "link_threshold": 0.8}  # as the tests above
    settings.CIVHARM_LINKAGE = config  # type: ignore[attr-defined]
    source = "Liste de la mairie (test)"
    before = set(Report.objects.values_list("pk", flat=True))
    import_file(_victim_rows(tmp_path / "liste.csv", "30", "36"), "victims",
                source_name=source, in_background=False)  # fmt: skip
    first, namesake = sorted(Report.objects.exclude(pk__in=before).values_list("pk", flat=True))
    again = tmp_path / "liste-corrigee.csv"
    again.write_text(
        VICTIM_HEADER + "7;SAGARA;Bouréma;M;32;12/03/2022;Sokolo;Niono;Ségou\n", encoding="utf-8"
    )
    import_file(again, "victims", source_name=source, in_background=False)
    corrected = Report.objects.exclude(pk__in=before | {first, namesake}).get().pk

    run_linkage("person", user=USER)
    pending = set(
        LinkCandidate.objects.filter(kind="person", status="pending").values_list(
            "left_id", "right_id"
        )
    )
    assert (first, corrected) in pending
    assert (first, namesake) not in pending


def test_a_verdict_that_splits_two_entries_of_one_list_does_not_ask_about_them(
    demo_victims: DemoTruth, settings: object, tmp_path: Path
) -> None:
    """People said the record without an age is each of two namesakes of one list (30 and
    36), so a run linked the two namesakes. A "different" verdict then splits one off: the
    re-clustering refuses the namesakes' link, and does not ask a person about it, since
    two entries of one list are two people."""
    config = {**settings.CIVHARM_LINKAGE}  # type: ignore[attr-defined]
    config["person"] = {**config["person"], "link_threshold": 0.8}  # as the tests above
    settings.CIVHARM_LINKAGE = config  # type: ignore[attr-defined]
    before = set(Report.objects.values_list("pk", flat=True))
    import_file(_victim_rows(tmp_path / "liste.csv", "30", "36"), "victims",
                source_name="Liste de la mairie (test)", in_background=False)  # fmt: skip
    first, namesake = sorted(Report.objects.exclude(pk__in=before).values_list("pk", flat=True))
    import_file(_victim_rows(tmp_path / "commune.csv", ""), "victims",
                source_name="Liste communale (test)", in_background=False)  # fmt: skip
    without_age = Report.objects.exclude(pk__in=before | {first, namesake}).get().pk
    decide("person", first, without_age, "match", user=USER)
    decide("person", namesake, without_age, "match", user=USER)
    run_linkage("person", user=USER)
    assert RecordLink.objects.filter(kind="person", left_id=first, right_id=namesake).exists()

    decide("person", first, without_age, "no_match", user=USER)
    assert not LinkCandidate.objects.filter(
        kind="person", left_id=first, right_id=namesake, status="pending"
    ).exists()
    persons = VictimRecord.objects.filter(report_id__in=(first, namesake, without_age))
    assert len({v.person_id for v in persons}) == 2


@pytest.mark.django_db(transaction=True)
def test_a_verdict_waits_for_a_saving_run_then_says_so(
    events: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict waits a while for a run's save (PostgreSQL: VERDICT_WAIT_S; SQLite: its busy
    timeout), then is refused with a sentence, and nothing of it is recorded."""
    run_linkage("incident", user=USER)
    acled, field = _acled("90002"), _field("RE-4")
    monkeypatch.setattr(verdicts, "VERDICT_WAIT_S", 0.5)
    if connection.vendor == "sqlite":  # 30 s in production; the test connects again with 1 s
        connection.close()
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 1)
    with (
        a_run_saving("incident"),
        pytest.raises(verdicts.LinkageBusyError, match=r"Try again|Réessayez"),
    ):
        decide("incident", acled.pk, field.pk, "match", user=USER)
    assert not LinkDecision.objects.exists()
    decide("incident", acled.pk, field.pk, "match", user=USER)  # the run is done: recorded
    assert _same_incident(acled, field)


def test_a_run_stopped_outright_is_marked_failed_and_its_scratch_removed_by_the_next(
    events: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL or a power cut leave a run marked running and its scratch folder (spill files
    with decrypted names) on disk. The next run closes the one and removes the other, and
    leaves what belongs to a live process or another machine, and a folder nobody owns
    unless it was untouched for a day."""
    from civharm.core.processes import this_process
    from civharm.linkage.engines import OWNER_FILE, SCRATCH_PREFIX

    dead = a_finished_process()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # this test's temporary folder
    folders = {}
    cases = (("killed", dead), ("alive", this_process()), ("unknown", None), ("stale", None))
    for name, owner in cases:
        folders[name] = tmp_path / f"{SCRATCH_PREFIX}{name}"
        (folders[name] / "duckdb").mkdir(parents=True)
        (folders[name] / "duckdb" / "spill.tmp").write_text("decrypted names", encoding="utf-8")
        if owner is not None:
            (folders[name] / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
    # no owner file and untouched for two days (Spark's Java made it again after a sweep)
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (folders["stale"], *folders["stale"].rglob("*")):
        os.utime(path, (two_days_ago, two_days_ago))
    killed = LinkRun.objects.create(
        kind="incident", engine="duckdb", started_by=USER, settings={"process": dead}
    )
    elsewhere = LinkRun.objects.create(
        kind="incident",
        engine="duckdb",
        started_by=USER,
        settings={"process": {**dead, "host": "another-machine"}},
    )
    steps: list[str] = []
    run_linkage("incident", user=USER, progress=steps.append)
    killed.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (killed.status, elsewhere.status) == ("failed", "running")
    assert killed.finished_at is not None
    said = [step for step in steps if f"#{killed.pk} " in step]
    assert len(said) == 1 and "nothing of it was kept" in said[0]
    assert LinkRun.objects.filter(kind="incident", status="complete").count() == 1
    left = sorted(path.name for path in tmp_path.glob(SCRATCH_PREFIX + "*"))
    assert left == [f"{SCRATCH_PREFIX}alive", f"{SCRATCH_PREFIX}unknown"]  # and its own: gone
    # (unknown: no owner file, but touched today: perhaps an engine making its folder)
