"""Opening and closing linkage engines: private scratch folders, and errors that say what to do.

Spark itself is started only in test_spark.py; here its refusals are checked before any JVM.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from splink.internals.database_api import DatabaseAPI

from civharm.linkage.engines import (
    EngineUnavailable,
    close_engine,
    java_version,
    open_engine,
    parse_spark_conf,
    scratch_dir,
    spark_configuration,
)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scratch folders land here, so a test can see that none is left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_duckdb_spills_into_a_private_folder_removed_on_close(private_tmp: Path) -> None:
    api = open_engine("duckdb")
    scratch = scratch_dir(api)
    assert scratch is not None and scratch.parent == private_tmp
    assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
    temp_directory, threads = _settings(api, "temp_directory", "threads")
    assert Path(temp_directory).parent == scratch
    assert threads >= 1
    assert api.duckdb_con.execute("SELECT 40 + 2").fetchone() == (42,)

    close_engine(api)

    assert not scratch.exists() and list(private_tmp.iterdir()) == []
    assert scratch_dir(api) is None
    with pytest.raises(duckdb.ConnectionException):
        api.duckdb_con.execute("SELECT 1")


def test_duckdb_memory_threads_and_spill_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVHARM_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("CIVHARM_DUCKDB_THREADS", "1")
    monkeypatch.setenv("CIVHARM_DUCKDB_MAX_SPILL", "2GB")
    api = open_engine("duckdb")
    try:
        limit, threads, spill = _settings(api, "memory_limit", "threads", "max_temp_directory_size")
    finally:
        close_engine(api)
    assert limit in {"953.6 MiB", "1.0 GiB"}  # DuckDB prints it in its own units
    assert spill in {"1.8 GiB", "2.0 GiB"}
    assert threads == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CIVHARM_DUCKDB_THREADS", "two"),
        ("CIVHARM_DUCKDB_THREADS", "0"),
        ("CIVHARM_DUCKDB_MEMORY_LIMIT", "lots"),
        ("CIVHARM_DUCKDB_MAX_SPILL", "plenty"),
    ],
)
def test_a_bad_duckdb_setting_is_named_not_a_stack_trace(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(EngineUnavailable, match=f"{variable}={value} is not a value DuckDB"):
        open_engine("duckdb")
    assert list(private_tmp.iterdir()) == []  # its scratch folder was removed


def test_an_unwritable_temporary_folder_says_to_set_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(EngineUnavailable, match="set TMPDIR to a writable folder"):
        open_engine("duckdb")


def _settings(api: DatabaseAPI[Any], *names: str) -> tuple[Any, ...]:
    row = api.duckdb_con.execute(
        "SELECT " + ", ".join(f"current_setting('{name}')" for name in names)
    ).fetchone()
    assert row is not None
    return row


def test_unknown_engine_is_refused_by_name(private_tmp: Path) -> None:
    with pytest.raises(EngineUnavailable, match="choose duckdb or spark"):
        open_engine("postgres")
    assert list(private_tmp.iterdir()) == []


def test_spark_without_pyspark_says_what_to_install() -> None:
    script = (
        "import sys; sys.modules['pyspark'] = None\n"  # as on a machine without the extra
        "from civharm.core import i18n; i18n.activate('en')\n"
        "from civharm.linkage.engines import EngineUnavailable, open_engine\n"
        "try:\n    open_engine('spark')\n"
        "except EngineUnavailable as error:\n    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert "pip install 'civharm[spark]'" in result.stdout


def test_spark_without_java_says_what_to_install(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(private_tmp / "no-java-here"))
    assert java_version() is None
    with pytest.raises(EngineUnavailable, match="Java 17 or newer, and none was found"):
        open_engine("spark")
    assert list(private_tmp.iterdir()) == []


def test_spark_with_old_java_names_the_version_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "jdk8"
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"  # prints what Java 8 prints, on stderr
    java.write_text("#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(home))
    assert java_version() == 8
    with pytest.raises(EngineUnavailable, match="but Java 8 was found"):
        open_engine("spark")


def test_java_version_reads_this_machines_java() -> None:
    version = java_version()
    assert version is None or version >= 8


def test_spark_conf_from_the_environment_reads_key_value_pairs() -> None:
    assert parse_spark_conf("") == {}
    assert parse_spark_conf("spark.executor.memory=4g, spark.x=a=b,") == {
        "spark.executor.memory": "4g",
        "spark.x": "a=b",
    }
    with pytest.raises(EngineUnavailable, match="key=value"):
        parse_spark_conf("spark.executor.memory")


def test_local_spark_keeps_its_files_private_and_loads_the_splink_jar(tmp_path: Path) -> None:
    conf = spark_configuration(
        tmp_path, "local[2]", {"spark.jars": "/opt/other.jar"}, "/opt/splink.jar"
    )
    assert conf["spark.jars"] == "/opt/other.jar,/opt/splink.jar"
    assert conf["spark.sql.shuffle.partitions"] == "8"
    assert conf["spark.local.dir"].startswith(str(tmp_path))
    assert conf["spark.sql.warehouse.dir"].startswith(str(tmp_path))
    assert conf["spark.ui.enabled"] == "false"
    assert f"-Djava.io.tmpdir={tmp_path}" in conf["spark.driver.extraJavaOptions"]
    assert (tmp_path / "log4j2.properties").read_text().startswith("rootLogger.level = warn")


def test_cluster_spark_takes_its_sizes_from_the_operator(tmp_path: Path) -> None:
    conf = spark_configuration(
        tmp_path, "spark://head:7077", {"spark.executor.memory": "8g"}, "/opt/splink.jar"
    )
    assert conf["spark.master"] == "spark://head:7077"
    assert conf["spark.executor.memory"] == "8g"
    assert "spark.driver.memory" not in conf and "spark.sql.shuffle.partitions" not in conf
    assert conf["spark.jars"] == "/opt/splink.jar"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_scratch_folder_is_removed_when_the_engine_is_forgotten(private_tmp: Path) -> None:
    api = open_engine("duckdb")
    scratch = scratch_dir(api)
    assert scratch is not None
    api.duckdb_con.close()
    del api  # the finaliser removes the folder even without close_engine
    import gc

    gc.collect()
    assert not scratch.exists()


def test_a_stored_models_prior_follows_the_registers_size() -> None:
    from civharm.linkage.pipeline import TrainedModel, for_this_register

    stored = TrainedModel({"probability_two_random_records_match": 0.001, "x": 1}, 1001, "f")
    assert for_this_register(stored, 2001)["probability_two_random_records_match"] == 0.0005
    assert for_this_register(stored, 1001)["probability_two_random_records_match"] == 0.001
    assert stored.parameters["probability_two_random_records_match"] == 0.001  # not changed
    assert for_this_register(stored, 11)["probability_two_random_records_match"] == 0.1


def test_a_models_fingerprint_covers_name_folding_and_the_country_packs_name_data() -> None:
    from civharm.linkage.pipeline import _definition_files, model_fingerprint
    from civharm.linkage.victims import VICTIM_MODEL

    names = {path.name for path in _definition_files()}
    assert {"names.py", "victims.py", "pipeline.py", "text.py", "names.json"} <= names
    assert {"units.py", "gazetteer.py", "admin2.csv", "localities.csv"} <= names
    # incidents/services/linkage_frames.py builds the frames; the rest of linking is not hashed
    assert "linkage_frames.py" in names and "linking.py" not in names
    assert all(path.is_file() for path in _definition_files())
    assert model_fingerprint(VICTIM_MODEL, "duckdb") != model_fingerprint(VICTIM_MODEL, "spark")


def _model_and_records(name: str) -> tuple[Any, pd.DataFrame]:
    from civharm.linkage.febrl import PERSON_LIST_MODEL, load_febrl4
    from civharm.linkage.incidents import INCIDENT_MODEL
    from civharm.linkage.synthetic import generate_linkage_truth
    from civharm.linkage.victims import VICTIM_MODEL

    if name == "febrl":
        return PERSON_LIST_MODEL, load_febrl4()[0].head(200)
    truth = generate_linkage_truth(30, seed=3)
    if name == "incidents":
        return INCIDENT_MODEL, truth.reports.drop(columns=["true_incident_id"])
    return VICTIM_MODEL, truth.victims.drop(columns=["true_person_id", "true_incident_id"])


@pytest.mark.parametrize("name", ["victims", "incidents", "febrl"])
def test_each_models_settings_name_only_columns_its_records_have(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Runs skip Splink's settings validation (it only logs, and costs 0.08 s a run): this is
    where a comparison or blocking rule naming a column that prepare() no longer makes fails."""
    from splink import Linker

    from civharm.linkage.engines import close_engine, open_engine

    model, records = _model_and_records(name)
    splink_logger = logging.getLogger("splink")
    splink_logger.addHandler(caplog.handler)  # Splink may stop its records propagating
    api = open_engine("duckdb")
    try:
        table = api.register(model.prepare(records))
        Linker(table, model.settings(), log_level=logging.WARNING, validate_settings=True)
    finally:
        close_engine(api)
        splink_logger.removeHandler(caplog.handler)
    assert len(records) > 20
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
