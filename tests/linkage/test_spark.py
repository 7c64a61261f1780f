"""The same linkage job on DuckDB and on Spark (local[2]) gives the same pairs and clusters.

Generated people only. Slow (starts a JVM once per test session); skipped only without Java.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.database_api import DatabaseAPI

from civharm.linkage.engines import (
    MINIMUM_JAVA,
    SCRATCH_PREFIX,
    close_engine,
    java_version,
    open_engine,
    scratch_dir,
)
from civharm.linkage.pipeline import LinkageModel, run_model
from civharm.linkage.results import LinkageSettings

pytestmark = pytest.mark.slow

GIVEN = ["Aminata", "Moussa", "Fatoumata", "Oumar", "Mariam", "Boubacar", "Awa", "Seydou"]
FAMILY = ["Traoré", "Coulibaly", "Diarra", "Keïta", "Touré", "Sangaré", "Maïga", "Cissé"]
PLACES = ["Mopti", "Djenné", "Bandiagara", "Tenenkou", "Douentza"]


def generated_people(count: int = 40, seed: int = 7) -> pd.DataFrame:
    """`count` generated people on list "a", most again on list "b" with small differences."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for person in range(count):
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        age, place = rng.randint(3, 85), rng.choice(PLACES)
        sources = ("a", "b") if rng.random() < 0.75 else ("a",)
        for source in sources:
            written, told_age = name, age
            if source == "b" and rng.random() < 0.5:
                cut = rng.randrange(1, len(name) - 1)
                written = name[:cut] + name[cut + 1 :]  # a dropped letter
            if source == "b" and rng.random() < 0.3:
                told_age = age + rng.choice([-1, 1])
            rows.append(
                {
                    "record_id": len(rows) + 1,
                    "source": source,
                    "full_name": written,
                    "age": told_age,
                    "place_name": place,
                    "person": person,
                }
            )
    return pd.DataFrame(rows)


def fixed_settings() -> SettingsCreator:
    """Name, age and place with m and u set by hand: no training, so both engines agree."""
    age = cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.ExactMatchLevel("age"),
            cll.AbsoluteDifferenceLevel("age", 2),
            cll.ElseLevel(),
        ],
    ).configure(m_probabilities=[0.6, 0.35, 0.05], u_probabilities=[0.02, 0.06, 0.92])
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        probability_two_random_records_match=0.02,
        comparisons=[
            cl.JaroWinklerAtThresholds("full_name", [0.92, 0.8]).configure(
                m_probabilities=[0.7, 0.2, 0.07, 0.03],
                u_probabilities=[0.001, 0.004, 0.02, 0.975],
            ),
            age,
            cl.ExactMatch("place_name").configure(
                m_probabilities=[0.9, 0.1], u_probabilities=[0.2, 0.8]
            ),
        ],
        blocking_rules_to_generate_predictions=[block_on("place_name"), block_on("age")],
    )


TINY_MODEL = LinkageModel(
    name="name, age and place (fixed m and u)",
    prepare=lambda frame: frame.drop(columns=["person"]),
    settings=fixed_settings,
    train=lambda linker, records: None,  # m and u are in the settings: nothing to estimate
)


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[DatabaseAPI[Any]]:
    version = java_version()
    if version is None or version < MINIMUM_JAVA:
        pytest.skip(
            f"Spark needs Java {MINIMUM_JAVA}+ and this machine has "
            f"{'none' if version is None else f'Java {version}'} (run .ci/java.sh)"
        )
    api = open_engine("spark", spark_master="local[2]")
    yield api
    close_engine(api)


def test_spark_links_and_clusters_like_duckdb(spark_engine: DatabaseAPI[Any]) -> None:
    frame = generated_people()

    on_duckdb = run_model(frame, TINY_MODEL, LinkageSettings(engine="duckdb"))
    on_spark = run_model(frame, TINY_MODEL, LinkageSettings(engine="spark"), db_api=spark_engine)

    pd.testing.assert_frame_equal(
        _sorted(on_duckdb.clusters), _sorted(on_spark.clusters), check_dtype=False
    )
    for name in ("links", "review_pairs"):
        pd.testing.assert_frame_equal(
            _sorted(getattr(on_duckdb, name)),
            _sorted(getattr(on_spark, name)),
            check_dtype=False,
            check_exact=False,
            rtol=1e-9,
        )
    # the job is not trivial: some people were found on both lists, some are alone
    sizes = on_duckdb.clusters["cluster_id"].value_counts()
    assert (sizes > 1).any() and (sizes == 1).any()
    assert len(on_duckdb.links) > 10


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:2]), ignore_index=True)


def test_spark_scratch_holds_the_checkpoints(spark_engine: DatabaseAPI[Any]) -> None:
    checkpoint = spark_engine.spark.sparkContext.getCheckpointDir()  # type: ignore[attr-defined]
    assert checkpoint is not None and "civharm-linkage-" in checkpoint


def test_a_session_that_outlives_an_engine_never_checkpoints_into_its_deleted_folder(
    spark_engine: DatabaseAPI[Any], tmp_path: Path
) -> None:
    """A notebook's own session outlives each engine opened on it. An engine closed since
    left its (deleted) scratch folder as the checkpoint folder: the next engine takes its own,
    where its owner file is, rather than make the old one again with victims' tables in it.
    A live engine's folder is kept."""
    context = spark_engine.spark.sparkContext  # type: ignore[attr-defined]
    ours = context.getCheckpointDir()
    other = open_engine("spark", spark_master="local[2]")  # not owned: the session is active
    try:
        assert context.getCheckpointDir() == ours  # the live engine's folder is kept
    finally:
        close_engine(other)
    closed = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))  # where an engine makes its own
    context.setCheckpointDir(str(closed / "checkpoints"))
    shutil.rmtree(closed)  # as a closed engine leaves it: deleted, still the session's setting
    try:
        later = open_engine("spark", spark_master="local[2]")
        try:
            own = scratch_dir(later)
            assert own is not None and str(own) in context.getCheckpointDir()
        finally:
            close_engine(later)
        assert not closed.exists()
    finally:
        context.setCheckpointDir(ours.removeprefix("file:").rsplit("/", 1)[0])


def test_an_engine_closed_while_another_runs_on_its_session_hands_it_a_live_folder(
    spark_engine: DatabaseAPI[Any],
) -> None:
    """Two engines on one notebook session: the first closed while the second still runs
    must not leave the second checkpointing into its deleted folder (Spark would make it
    again, names in it and no owner file), nor may a later engine take that folder up."""
    context = spark_engine.spark.sparkContext  # type: ignore[attr-defined]
    ours = context.getCheckpointDir()
    first = open_engine("spark", spark_master="local[2]")
    try:
        gone = scratch_dir(first)
        assert gone is not None
        context.setCheckpointDir(str(gone / "checkpoints"))  # the first one's, as if it made it
        second = open_engine("spark", spark_master="local[2]")
        try:
            close_engine(first)
            current = context.getCheckpointDir()
            assert str(gone) not in current
            spark_engine.spark.range(2).write.parquet(current + "/t")  # type: ignore[attr-defined]
            assert not gone.exists()
            gone.mkdir()  # as Spark would have made it again: a later engine passes it by
            (gone / "checkpoints").mkdir()
            context.setCheckpointDir(str(gone / "checkpoints"))
            later = open_engine("spark", spark_master="local[2]")
            try:
                assert str(scratch_dir(later)) in context.getCheckpointDir()
            finally:
                close_engine(later)
        finally:
            close_engine(second)
            shutil.rmtree(gone, ignore_errors=True)
    finally:
        context.setCheckpointDir(ours.removeprefix("file:").rsplit("/", 1)[0])
