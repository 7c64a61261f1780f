"""Which incident (person) a cluster counts towards: the one founded on one of its records, so
a split or a changed verdict never hands a pseudonym, a name or a place to another victim or
event. Real imports, the real merging service."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civharm.incidents.models import Incident, Person, Report, VictimRecord
from civharm.incidents.protection import field_cipher
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.merging import apply_clusters
from tests.incidents.factories import ACLED_EVENTS, write_acled, write_victims

pytestmark = pytest.mark.django_db


def _clusters(*groups: list[int]) -> pd.DataFrame:
    rows = [(record, min(group)) for group in groups for record in group]
    return pd.DataFrame(rows, columns=["record_id", "cluster_id"])


def _victims(tmp_path: Path, count: int) -> list[int]:
    """Generated people of one list, one per record: their records' ids, in order."""
    rows = [
        (str(n), f"TESTNOM{n}", f"Gen{n}", "M" if n % 2 else "F", str(20 + n), "14/03/2022",
         "Niono", "Niono", "Ségou")
        for n in range(1, count + 1)
    ]  # fmt: skip
    import_file(write_victims(tmp_path / "liste.csv", rows), "victims", in_background=False)
    return list(VictimRecord.objects.order_by("report_id").values_list("report_id", flat=True))


def _shown(person: Person) -> tuple[str, str, int | None]:
    return field_cipher().decrypt(person.name_encrypted), person.sex, person.age


def _own(record_id: int) -> tuple[str, str, int | None]:
    record = VictimRecord.objects.get(report_id=record_id)
    return field_cipher().decrypt(record.name_encrypted), record.sex, record.age


def test_each_imported_person_and_incident_is_founded_on_its_record(tmp_path: Path) -> None:
    records = _victims(tmp_path, 2)
    import_file(write_acled(tmp_path / "acled.csv"), "acled", in_background=False)
    for record in records:
        assert Person.objects.get(records__report_id=record).founding_record == record
    for report in Report.objects.filter(kind="event"):
        assert report.incident is not None and report.incident.founding_record == report.pk


def test_a_split_gives_each_person_back_the_records_it_was_founded_on(tmp_path: Path) -> None:
    r1, r2, r3, r4 = _victims(tmp_path, 4)
    founders = {r: Person.objects.get(records__report_id=r).pk for r in (r1, r2, r3, r4)}
    apply_clusters("person", _clusters([r1, r2, r3, r4]))
    assert Person.objects.filter(merged_into=None).count() == 1

    # the larger part holds neither the first record nor the person that holds them all
    apply_clusters("person", _clusters([r2, r3, r4], [r1]))

    assert Person.objects.get(records__report_id=r1).pk == founders[r1]  # its pseudonym kept
    assert Person.objects.get(records__report_id=r2).pk == founders[r2]
    for person in Person.objects.filter(merged_into=None):
        assert person.founding_record in set(person.records.values_list("report_id", flat=True))
        assert _shown(person) == _own(person.founding_record)


def test_an_owner_kept_without_its_founding_record_shows_one_of_its_own(tmp_path: Path) -> None:
    """Registers linked before founding records were kept (None): whatever person a group
    keeps, it then shows the name, sex and age of the group's earliest record."""
    r1, r2, r3 = _victims(tmp_path, 3)
    apply_clusters("person", _clusters([r1, r2, r3]))
    Person.objects.update(founding_record=None)

    apply_clusters("person", _clusters([r2, r3], [r1]))

    for person in Person.objects.filter(merged_into=None):
        held = sorted(person.records.values_list("report_id", flat=True))
        assert person.founding_record == held[0]
        assert _shown(person) == _own(held[0])


def test_a_split_incident_shows_the_place_and_date_of_its_own_reports(tmp_path: Path) -> None:
    events = [ACLED_EVENTS[0], ACLED_EVENTS[1], (*ACLED_EVENTS[1][:1], "2022-06-02",
              *ACLED_EVENTS[1][2:])]  # fmt: skip
    events = [(f"MLI8{n}", *event[1:]) for n, event in enumerate(events)]
    import_file(write_acled(tmp_path / "acled.csv", events), "acled", in_background=False)
    e1, e2, e3 = Report.objects.filter(kind="event").order_by("id").values_list("id", flat=True)
    apply_clusters("incident", _clusters([e1, e2, e3]))
    Incident.objects.update(founding_record=None)  # and whatever was kept before

    apply_clusters("incident", _clusters([e2, e3], [e1]))

    for incident in Incident.objects.filter(merged_into=None):
        reports = list(incident.reports.order_by("date_start", "id"))
        assert incident.founding_record == reports[0].pk
        assert (incident.date_start, incident.admin2_pcode, incident.place_name) == (
            reports[0].date_start,
            reports[0].admin2_pcode,
            reports[0].place_name,
        )


def _holder(record: int) -> int:
    return VictimRecord.objects.get(report_id=record).person_id


def _founded_on_what_they_hold(model: type[Incident] | type[Person]) -> None:
    """Every live owner holds the record it was founded on, and no two share one; every
    merged owner points at the owner holding its founding record."""
    live = model.objects.filter(merged_into=None).exclude(founding_record=None)
    foundings = list(model.objects.exclude(founding_record=None).values_list("founding_record"))
    assert len(foundings) == len(set(foundings))
    holder = Report if model is Incident else VictimRecord
    key, owner_field = ("id", "incident_id") if model is Incident else ("report_id", "person_id")
    held = dict(holder.objects.values_list(key, owner_field))
    for owner in live:
        assert held[owner.founding_record] == owner.pk
    for owner in model.objects.exclude(merged_into=None).exclude(founding_record=None):
        assert owner.merged_into_id == held[owner.founding_record]


def test_chains_of_merges_never_pass_a_person_to_another_victim(tmp_path: Path) -> None:
    """From a review: persons merged into one another, then split again in another order."""
    r0, r1, r2, r3 = _victims(tmp_path, 4)
    own = {r: _holder(r) for r in (r0, r1, r2, r3)}
    for groups in (
        [[r1, r3], [r2], [r0]],  # P3 merged into P1
        [[r2, r3], [r1], [r0]],  # r3 goes to P2's group: P3 follows it
        [[r0], [r1], [r2], [r3]],  # all apart: each victim gets its own person back
        [[r1, r2, r3], [r0]],
        [[r0, r1], [r2, r3]],
        [[r0], [r1], [r2], [r3]],
    ):
        apply_clusters("person", _clusters(*groups))
        _founded_on_what_they_hold(Person)
    assert {r: _holder(r) for r in own} == own
    assert Person.objects.count() == 4  # none made: each came back


def test_verdicts_in_a_chain_give_each_victim_its_own_person_back(tmp_path: Path) -> None:
    from civharm.incidents.services.verdicts import decide, split_off

    r1, r2, r3 = _victims(tmp_path, 3)
    own = {r: _holder(r) for r in (r1, r2, r3)}
    decide("person", r1, r3, "match", user="analyst-test")
    decide("person", r2, r3, "match", user="analyst-test")
    decide("person", r1, r3, "no_match", user="analyst-test")
    split_off("person", r3, user="analyst-test")

    assert {r: _holder(r) for r in own} == own
    _founded_on_what_they_hold(Person)


def test_chains_of_merged_incidents_give_each_report_its_incident_back(tmp_path: Path) -> None:
    events = [(f"MLI9{n}", *ACLED_EVENTS[n % 2][1:]) for n in range(3)]
    import_file(write_acled(tmp_path / "acled.csv", events), "acled", in_background=False)
    e1, e2, e3 = Report.objects.filter(kind="event").order_by("id").values_list("id", flat=True)
    own = {e: Report.objects.get(pk=e).incident_id for e in (e1, e2, e3)}
    for groups in ([[e1, e3], [e2]], [[e2, e3], [e1]], [[e1], [e2], [e3]]):
        apply_clusters("incident", _clusters(*groups))
        _founded_on_what_they_hold(Incident)
    assert {e: Report.objects.get(pk=e).incident_id for e in own} == own


def test_an_unchanged_incident_made_before_founding_records_is_left_as_it_is(
    tmp_path: Path,
) -> None:
    events = [(f"MLI7{n}", *ACLED_EVENTS[1][1:]) for n in range(2)]
    import_file(write_acled(tmp_path / "acled.csv", events), "acled", in_background=False)
    e1, e2 = Report.objects.filter(kind="event").order_by("id").values_list("id", flat=True)
    apply_clusters("incident", _clusters([e1, e2]))
    kept = Incident.objects.get(merged_into=None)
    Incident.objects.update(founding_record=None, description="as an analyst left it")
    before = Incident.objects.get(pk=kept.pk)

    apply_clusters("incident", _clusters([e1, e2]))  # a run that changes nothing

    after = Incident.objects.get(pk=kept.pk)
    assert (after.founding_record, after.description) == (None, "as an analyst left it")
    assert after.updated_at == before.updated_at


def test_an_owner_founded_elsewhere_is_never_given_to_a_group_without_a_founder(
    tmp_path: Path,
) -> None:
    """From a review: a register linked before founding records, where some owners have none."""
    r1, r2, r3 = _victims(tmp_path, 3)
    p2, p3 = _holder(r2), _holder(r3)
    apply_clusters("person", _clusters([r2, r3], [r1]))  # P3 merged into P2
    Person.objects.filter(pk=p3).update(founding_record=None)  # as migration 0008 may leave it

    apply_clusters("person", _clusters([r1, r2], [r3]))  # r2 joins r1; r3 on its own

    assert Person.objects.get(pk=p2).merged_into_id == _holder(r2)  # with its founding record
    assert _holder(r3) != p2 and _shown(Person.objects.get(pk=_holder(r3))) == _own(r3)
    _founded_on_what_they_hold(Person)
