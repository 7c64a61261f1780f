"""Demo data: a hidden truth of civilian-harm events in Mali (generated people only) and
source files in the formats real sources use. Pure Python; never imports Django.
"""

from civharm.demo.generate import DEMO_FILES, generate_demo, write_ucdp_rows
from civharm.demo.truth import DemoTruth, SourceFile, SourceRow, TrueEvent, TrueVictim

__all__ = [
    "DEMO_FILES",
    "DemoTruth",
    "SourceFile",
    "SourceRow",
    "TrueEvent",
    "TrueVictim",
    "generate_demo",
    "write_ucdp_rows",
]
