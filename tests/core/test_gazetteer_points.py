"""locate_many remembers points: a remembered answer is the polygons' own; memory is bounded."""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest
import shapely

from civharm.core import gazetteer as gazetteer_module
from civharm.core.gazetteer import AdminUnits, Gazetteer


def _polygons_answer(gazetteer: Gazetteer, lats: list[float], lons: list[float]) -> list:
    """What the cercle polygons say, asked the plain way (no cache, intersects predicate)."""
    tree = gazetteer._tree
    found: list[AdminUnits | None] = [None] * len(lats)
    points = shapely.points(np.asarray(lons), np.asarray(lats))
    point_index, cercle_index = tree.query(points, predicate="intersects")
    for i, j in zip(point_index[::-1].tolist(), cercle_index[::-1].tolist(), strict=True):
        found[i] = gazetteer._cercle_units[j]
    return found


def _test_points() -> tuple[list[float], list[float]]:
    """Random points over and around Mali, plus polygon vertices: points on shared borders."""
    rng = random.Random(11)
    lats = [rng.uniform(9.0, 26.0) for _ in range(3_000)]
    lons = [rng.uniform(-13.0, 5.0) for _ in range(3_000)]
    for geometry in Gazetteer.load("mali")._tree.geometries:
        for lon, lat in shapely.get_coordinates(geometry)[::50]:
            lats.append(float(lat))
            lons.append(float(lon))
    return lats, lons


def test_remembered_points_get_the_polygons_answer() -> None:
    gazetteer = Gazetteer("mali")  # a fresh one: nothing remembered yet
    lats, lons = _test_points()
    expected = _polygons_answer(gazetteer, lats, lons)
    assert gazetteer.locate_many(lats, lons) == expected  # first time: the polygons
    assert gazetteer.locate_many(lats, lons) == expected  # again: remembered
    shuffled = list(range(len(lats)))
    random.Random(3).shuffle(shuffled)
    again = gazetteer.locate_many([lats[i] for i in shuffled], [lons[i] for i in shuffled])
    assert again == [expected[i] for i in shuffled]
    assert sum(units is not None for units in expected) > 1_000  # the sample does reach Mali


def test_repeated_points_in_one_call_get_one_answer() -> None:
    gazetteer = Gazetteer("mali")
    located = gazetteer.locate_many([14.49, 14.49, 0.0, 14.49], [-4.19, -4.19, 0.0, -4.19])
    assert located[0] is not None and located[0] == located[1] == located[3]
    assert located[2] is None


def test_not_a_number_is_never_remembered() -> None:
    gazetteer = Gazetteer("mali")
    assert gazetteer.locate_many([float("nan")] * 3, [1.0, float("nan"), -4.0]) == [None] * 3
    assert gazetteer._point_cache == {}


def test_remembered_points_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer_module, "POINT_CACHE_LIMIT", 500)
    gazetteer = Gazetteer("mali")
    rng = random.Random(5)
    for _ in range(20):  # 20 batches of 200 new points: 4,000 distinct points in all
        lats = [rng.uniform(10.0, 25.0) for _ in range(200)]
        lons = [rng.uniform(-12.0, 4.0) for _ in range(200)]
        assert gazetteer.locate_many(lats, lons) == _polygons_answer(gazetteer, lats, lons)
        assert len(gazetteer._point_cache) <= 500


def test_threads_locating_at_once_get_the_polygons_answer() -> None:
    """Two imports in a web server geocode at the same time; prepared polygons are not
    thread-safe (without the lock this crashed the process within a few attempts)."""
    for attempt in range(10):
        gazetteer = Gazetteer("mali")  # fresh: polygons not yet indexed by a first use
        answers: dict[int, bool] = {}

        def locate(seed: int, gazetteer: Gazetteer = gazetteer, answers: dict = answers) -> None:
            rng = random.Random(seed)
            right = True
            for _batch in range(3):
                lats = [rng.uniform(10.0, 25.0) for _ in range(3_000)]
                lons = [rng.uniform(-12.0, 4.0) for _ in range(3_000)]
                found = gazetteer.locate_many(lats, lons)
                right = right and found == _polygons_answer(gazetteer, lats, lons)
            answers[seed] = right

        threads = [threading.Thread(target=locate, args=(attempt * 10 + n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == {attempt * 10 + n: True for n in range(4)}
