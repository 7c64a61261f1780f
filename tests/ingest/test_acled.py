"""ACLED exports, current and old schema: ids, civilian tolls, contexts, actors, precision."""

from __future__ import annotations

import pytest

from civharm.core.precision import Count, DatePrecision, GeoPrecision
from civharm.ingest.acled import interaction_context, read_acled
from civharm.ingest.records import RowError, SourceRecord

from .conftest import FIXTURES, REAL_ACLED


def _records(path):
    items = list(read_acled(path))
    assert not [item for item in items if isinstance(item, RowError)]
    return items


def test_current_schema_fixture_reads_every_row():
    records = _records(FIXTURES / "acled_current.csv")
    assert len(records) == 20
    assert [r.record_id for r in records[:2]] == ["MLI30000", "MLI30001"]
    assert records[0].row == 2


def test_civilian_targeting_gives_an_exact_civilian_toll():
    attack = _records(FIXTURES / "acled_current.csv")[0]
    fatalities = int(attack.payload["fatalities"])
    assert attack.harm["killed"] == Count.exact(fatalities)
    assert attack.interaction_context == "attack_on_village"
    assert [(a.key, a.role) for a in attack.actors] == [
        ("dan_na_ambassagou", "perpetrator"),
        (None, "target"),
    ]


def test_other_events_keep_fatalities_only_as_an_upper_bound_with_a_warning():
    strike = _records(FIXTURES / "acled_current.csv")[1]
    fatalities = int(strike.payload["fatalities"])
    assert strike.harm["killed"] == Count(low=0, best=None, high=fatalities)
    assert strike.interaction_context == "air_drone_strike"
    assert any("civilians is unknown" in warning for warning in strike.warnings)


def test_time_and_geo_precision_are_mapped():
    records = _records(FIXTURES / "acled_current.csv")
    month = records[2]  # time_precision 3
    assert month.date_precision is DatePrecision.MONTH
    assert (month.date_start.day, month.date_end.day) == (1, 31)
    assert records[1].date_precision is DatePrecision.WEEK
    assert records[0].place.precision is GeoPrecision.EXACT
    assert records[1].place.precision is GeoPrecision.NEAR


@pytest.mark.parametrize(
    ("cells", "context"),
    [
        ({"sub_event_type": "Remote explosive/landmine/IED"}, "ied_landmine"),
        ({"sub_event_type": "Shelling/artillery/missile attack"}, "shelling"),
        ({"sub_event_type": "Looting/property destruction"}, "looting_extortion"),
        ({"sub_event_type": "Arrests"}, "arrest_detention"),
        ({"sub_event_type": "Attack", "notes": "Gunmen attacked a market"}, "market_attack"),
        ({"sub_event_type": "Attack", "notes": "Gunmen shot a herder"}, "other"),
        ({"event_type": "Remote violence", "notes": "An IED exploded"}, "ied_landmine"),
        ({"event_type": "Remote violence", "notes": "Mortar shells fell"}, "shelling"),
        ({"event_type": "Violence against civilians", "notes": "kidnapped a chief"}, "abduction"),
        ({"event_type": "Battle-No change of territory"}, "clash_crossfire"),
        ({"event_type": "Riots/Protests"}, "other"),
    ],
)
def test_interaction_context_from_either_schema(cells, context):
    assert interaction_context(cells) == context


@pytest.mark.skipif(not REAL_ACLED.exists(), reason="real ACLED file (tests only) is absent")
def test_real_old_schema_file_reads_every_row_and_keeps_every_fatality():
    records = _records(REAL_ACLED)
    assert len(records) == 1339
    assert all(isinstance(r, SourceRecord) for r in records)
    assert sum(r.harm["killed"].high for r in records) == 3004
    assert len({r.record_id for r in records}) == 1339
    civilian = [r for r in records if r.payload["inter2"] == "7"]
    assert all(r.harm["killed"].best == int(r.payload["fatalities"]) for r in civilian)
    assert {r.payload["event_date"][-4:] for r in records} == {"2017", "2018", "2019"}
