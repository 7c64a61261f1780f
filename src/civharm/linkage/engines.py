"""Open and close the SQL engine Splink runs on: DuckDB in this process, or Spark.

Every engine gets a private (0700) scratch folder for its spill, shuffle and checkpoint files,
removed on close: the frames hold victims' names, so nothing may land in the working directory.
A run killed outright cannot remove its folder: the next engine opened on this machine does
(sweep_abandoned_scratch), knowing it by the owner file written in it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from splink.internals.database_api import DatabaseAPI

from civharm.core.i18n import _
from civharm.core.processes import gone, this_process

ENGINES = ("duckdb", "spark")
MINIMUM_JAVA = 17
SPARK_APP_NAME = "civharm-linkage"
# DuckDB takes all the memory it is allowed before it spills. A million victim records link
# in this much with a modest spill, leaving room for the frames beside it (bench/linkage.py).
DUCKDB_MEMORY_CAP = 4 * 2**30

SCRATCH_PREFIX = "civharm-linkage-"
OWNER_FILE = "owner.json"  # in each scratch folder: the process that made it (this_process)
# A scratch folder without a readable owner file, untouched this long, is abandoned: an engine
# writes its owner file as it makes the folder, so only a process gone leaves one without (a
# Java process of Spark, outliving a killed run, can make its subfolders again after a sweep).
UNOWNED_AFTER_S = 24 * 3600
logger = logging.getLogger(__name__)

# Scratch folder of each open engine; the finaliser also runs at interpreter exit.
_scratch: weakref.WeakKeyDictionary[DatabaseAPI[Any], weakref.finalize] = (
    weakref.WeakKeyDictionary()
)
_owned_spark: weakref.WeakSet[DatabaseAPI[Any]] = weakref.WeakSet()


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here; the message says what to install or set."""


def open_engine(
    name: str,
    *,
    spark_master: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
) -> DatabaseAPI[Any]:
    """A Splink DatabaseAPI on `name` ("duckdb" or "spark"); close it with close_engine.

    Spark's master and extra configuration come from the arguments, else from the environment
    (CIVHARM_SPARK_MASTER, CIVHARM_SPARK_CONF="key=value,key=value"), else local[*].
    """
    if name not in ENGINES:
        raise EngineUnavailable(
            _("Unknown linkage engine “{name}”: choose duckdb or spark.").format(name=name)
        )
    sweep_abandoned_scratch()
    scratch: Path | None = None
    try:
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))  # mode 0700
        (scratch / OWNER_FILE).write_text(json.dumps(this_process()), encoding="utf-8")
    except OSError as error:
        if scratch is not None:  # made, but no owner file: no sweep would ever remove it
            shutil.rmtree(scratch, ignore_errors=True)
        raise EngineUnavailable(
            _(
                "Cannot create the linkage's private scratch folder in {folder} ({error}): "
                "set TMPDIR to a writable folder."
            ).format(folder=tempfile.gettempdir(), error=type(error).__name__)
        ) from None
    try:
        if name == "duckdb":
            api: DatabaseAPI[Any] = _open_duckdb(scratch)
        else:
            api = _open_spark(scratch, spark_master, spark_conf)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _scratch[api] = weakref.finalize(api, shutil.rmtree, scratch, ignore_errors=True)
    return api


def sweep_abandoned_scratch() -> int:
    """Remove the scratch folders (spill files, decrypted names among them) that engines of
    processes now gone left in the temporary folder; returns how many. A folder of another
    user or of a process still alive is left alone, and so is one without a readable owner
    file unless nothing in it changed for UNOWNED_AFTER_S."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*"):
        try:
            if folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        try:
            abandoned = gone(json.loads((folder / OWNER_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            abandoned = _untouched_for(folder, UNOWNED_AFTER_S)
        if abandoned:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        logger.info("removed %d linkage scratch folder(s) left by a stopped process", removed)
    return removed


def _stale_scratch(uri: str) -> bool:
    """Whether a Spark path lies in a scratch folder of this machine that no open engine of
    this process holds (closed, perhaps made again by Spark without its owner file). Paths of
    other schemes (hdfs:, s3a:) and folders of one's own choosing are never stale."""
    parts = urlsplit(uri)
    if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
        return False
    path = Path(parts.path)
    try:
        inside = path.relative_to(tempfile.gettempdir())
    except ValueError:
        return False
    if not inside.parts or not inside.parts[0].startswith(SCRATCH_PREFIX):
        return False
    live = {scratch_dir(api) for api in list(_scratch)}
    return Path(tempfile.gettempdir()) / inside.parts[0] not in live


def _untouched_for(folder: Path, seconds: float) -> bool:
    """Whether nothing in `folder` (itself, its files and subfolders) changed for `seconds`:
    stops at the first recent entry."""
    cutoff = time.time() - seconds
    try:
        if folder.stat().st_mtime > cutoff:
            return False
        return all(path.lstat().st_mtime <= cutoff for path in folder.rglob("*"))
    except OSError:
        return False  # changing under us: in use


def close_engine(api: DatabaseAPI[Any]) -> None:
    """Stop Spark (if this module started it) or close DuckDB, then delete the scratch folder."""
    if api.sql_dialect.sql_dialect_str == "spark":
        if api in _owned_spark:
            api.spark.stop()  # type: ignore[attr-defined]
        else:  # a session shared with engines still open: hand them a folder that stays
            _hand_on_checkpoints(api)
    else:
        api.duckdb_con.close()
    finaliser = _scratch.pop(api, None)
    if finaliser is not None:
        finaliser()


def _hand_on_checkpoints(api: DatabaseAPI[Any]) -> None:
    own = scratch_dir(api)
    context = api.spark.sparkContext  # type: ignore[attr-defined]
    current = context.getCheckpointDir() or ""
    if own is None or str(own) not in current:
        return
    for other in list(_scratch):
        folder = scratch_dir(other)
        shares = getattr(getattr(other, "spark", None), "sparkContext", None) is context
        if other is not api and folder is not None and shares:
            context.setCheckpointDir(str(folder / "checkpoints"))
            return


def scratch_dir(api: DatabaseAPI[Any]) -> Path | None:
    """The private folder the engine spills to (None once closed, or if not opened here)."""
    finaliser = _scratch.get(api)
    if finaliser is None or not finaliser.alive:
        return None
    return Path(finaliser.peek()[2][0])  # type: ignore[index]


# --- DuckDB ---------------------------------------------------------------------------------


def _open_duckdb(scratch: Path) -> DatabaseAPI[Any]:
    """In-memory DuckDB that spills to the scratch folder past its memory limit.

    The limit leaves room for the pandas frames in the same process: half the memory this
    process may use, at most DUCKDB_MEMORY_CAP (CIVHARM_DUCKDB_MEMORY_LIMIT, e.g. "3GB",
    overrides it).
    """
    import duckdb
    from splink.backends.duckdb import DuckDBAPI

    connection = duckdb.connect(":memory:")
    default = min(_memory_bytes() // 2, DUCKDB_MEMORY_CAP)
    limit = os.environ.get("CIVHARM_DUCKDB_MEMORY_LIMIT") or f"{default // 2**20}MB"
    threads_text = os.environ.get("CIVHARM_DUCKDB_THREADS") or str(_cpu_count())
    if (
        not threads_text.isascii()
        or not threads_text.isdigit()
        or not 1 <= int(threads_text) <= 1024
    ):
        raise EngineUnavailable(_bad_setting("CIVHARM_DUCKDB_THREADS", threads_text))
    threads = int(threads_text)
    # DuckDB's own cap is 90 % of the free disk: a run that blows up would fill a shared disk
    spill = os.environ.get("CIVHARM_DUCKDB_MAX_SPILL") or (
        f"{shutil.disk_usage(scratch).free // 2 // 2**20}MB"
    )
    settings = {
        "memory_limit": limit,
        "threads": threads,
        # without it an in-memory database spills into ./.tmp — names in the working directory
        "temp_directory": str(scratch / "duckdb"),
        "max_temp_directory_size": spill,
        # Splink's results are sets of pairs: order is not needed and costs memory at scale
        "preserve_insertion_order": False,
    }
    variables = {
        "memory_limit": "CIVHARM_DUCKDB_MEMORY_LIMIT",
        "max_temp_directory_size": "CIVHARM_DUCKDB_MAX_SPILL",
    }
    for key, value in settings.items():
        try:
            connection.execute(f"SET {key} = ?", [value])
        except duckdb.Error:
            connection.close()
            raise EngineUnavailable(_bad_setting(variables.get(key, key), str(value))) from None
    return DuckDBAPI(connection=connection)


def errors_behind(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what caused it (Splink wraps the engine's own errors), each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        yield current
        seen.add(id(current))
        current = current.__cause__ or current.__context__


def _bad_setting(variable: str, value: str) -> str:
    return _("{variable}={value} is not a value DuckDB accepts (e.g. 4 threads, 3GB).").format(
        variable=variable, value=value
    )


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _memory_bytes() -> int:
    """Physical memory, or the container's (cgroup) limit if that is lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


# --- Spark ----------------------------------------------------------------------------------


def java_version(java: str | None = None) -> int | None:
    """The major version of the Java that Spark would start (JAVA_HOME, else PATH); None if none."""
    if java is None:
        home = os.environ.get("JAVA_HOME")
        java = str(Path(home, "bin", "java")) if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        result = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def _require_spark_runtime() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise EngineUnavailable(
            _(
                "The Spark engine needs PySpark, which is not installed. "
                "Install it with: pip install 'civharm[spark]' (from a source checkout: "
                ".venv/bin/pip install -e '.[spark]')"
            )
        ) from error
    version = java_version()
    if version is None:
        raise EngineUnavailable(
            _(
                "The Spark engine needs Java {version} or newer, and none was found. "
                "Install it (Debian: apt-get install openjdk-17-jre-headless) "
                "or set JAVA_HOME to its folder."
            ).format(version=MINIMUM_JAVA)
        )
    if version < MINIMUM_JAVA:
        raise EngineUnavailable(
            _(
                "The Spark engine needs Java {version} or newer, but Java {found} was found. "
                "Install a newer one (Debian: apt-get install openjdk-17-jre-headless) "
                "or set JAVA_HOME to its folder."
            ).format(version=MINIMUM_JAVA, found=version)
        )


def parse_spark_conf(text: str) -> dict[str, str]:
    """ "k=v,k=v" -> {k: v}; a value may itself contain "=" but not ","."""
    conf = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EngineUnavailable(
                _("CIVHARM_SPARK_CONF must read key=value,key=value; “{item}” does not.").format(
                    item=item
                )
            )
        conf[key.strip()] = value.strip()
    return conf


def spark_configuration(
    scratch: Path, master: str, extra: Mapping[str, str], jar: str
) -> dict[str, str]:
    """Spark settings: the Splink jar, quiet logs, shuffle files in the scratch folder, and for
    a local master, a driver memory and shuffle partitions that suit one machine."""
    log_config = scratch / "log4j2.properties"
    log_config.write_text(
        "rootLogger.level = warn\nrootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n"
        "logger.native.name = org.apache.hadoop.util.NativeCodeLoader\n"
        "logger.native.level = error\n"
        # "hostname resolves to a loopback address" and "spark.local.dir will be overridden"
        "logger.utils.name = org.apache.spark.util.Utils\nlogger.utils.level = error\n"
        "logger.conf.name = org.apache.spark.SparkConf\nlogger.conf.level = error\n"
        # Splink reads back folders of empty partitions: "All paths were ignored"
        "logger.source.name = org.apache.spark.sql.execution.datasources.DataSource\n"
        "logger.source.level = error\n",
        encoding="utf-8",
    )
    java_options = f"-Dlog4j2.configurationFile=file:{log_config} -Djava.io.tmpdir={scratch}"
    conf = {
        "spark.app.name": SPARK_APP_NAME,
        "spark.master": master,
        "spark.driver.extraJavaOptions": java_options,
        "spark.local.dir": str(scratch / "spark-local"),
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.ui.enabled": "false",  # no web page of the job (and its data) on port 4040
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }
    if master.startswith("local"):
        partitions = str(max(8, 4 * _local_cores(master)))
        conf["spark.sql.shuffle.partitions"] = partitions
        conf["spark.default.parallelism"] = partitions
        conf["spark.driver.memory"] = f"{max(1, _memory_bytes() // 2 // 2**30)}g"
    conf.update(extra)
    jars = [item for item in conf.get("spark.jars", "").split(",") if item]
    conf["spark.jars"] = ",".join([*jars, jar] if jar not in jars else jars)
    return conf


def _local_cores(master: str) -> int:
    match = re.fullmatch(r"local\[(\d+)(?:,\d+)?\]", master)
    return int(match.group(1)) if match else _cpu_count()


def _open_spark(
    scratch: Path, master: str | None, extra: Mapping[str, str] | None
) -> DatabaseAPI[Any]:
    _require_spark_runtime()
    from pyspark.sql import SparkSession
    from splink.backends.spark import SparkAPI, similarity_jar_location

    master = master or os.environ.get("CIVHARM_SPARK_MASTER") or "local[*]"
    if extra is None:
        extra = parse_spark_conf(os.environ.get("CIVHARM_SPARK_CONF", ""))
    conf = spark_configuration(scratch, master, extra, similarity_jar_location())
    owned = SparkSession.getActiveSession() is None  # a notebook's own session is left running
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    # Splink writes intermediate tables here; on a cluster it must be a folder every node sees
    checkpoint = os.environ.get("CIVHARM_SPARK_CHECKPOINT_DIR")
    context = spark.sparkContext
    current = context.getCheckpointDir()
    # the scratch folder of an engine closed since (a notebook's session outlives it): never
    # write names there again, a folder no owner file names
    closed = current is not None and _stale_scratch(current)
    if (owned or current is None or closed) and (checkpoint or master.startswith("local")):
        context.setCheckpointDir(checkpoint or str(scratch / "checkpoints"))
    # without a folder every node sees, intermediate tables stay in the executors' memory
    method = "parquet" if context.getCheckpointDir() else "persist"
    api = SparkAPI(
        spark_session=spark,
        break_lineage_method=os.environ.get("CIVHARM_SPARK_BREAK_LINEAGE") or method,
    )
    if owned:
        _owned_spark.add(api)
    return api
