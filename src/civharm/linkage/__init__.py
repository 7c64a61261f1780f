"""Record linkage for the register: reports -> incidents, victim records -> persons.

Pure Python on Splink (DuckDB by default, Spark at scale); never imports Django. Takes
plain frames, returns clusters, links and pairs for review. Never writes a name anywhere:
frames live in the engine's memory (or the engine's scratch directory) for one run only.
"""

from civharm.linkage.frames import INCIDENT_REPORT_COLUMNS, VICTIM_RECORD_COLUMNS
from civharm.linkage.results import LinkageResult, LinkageSettings

__all__ = [
    "INCIDENT_REPORT_COLUMNS",
    "VICTIM_RECORD_COLUMNS",
    "LinkageResult",
    "LinkageSettings",
]
