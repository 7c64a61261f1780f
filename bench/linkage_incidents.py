"""Reports -> incidents on generated multi-source reports with known truth: pairwise and
B-cubed scores of civharm's incident model, for a few registers.

    .venv/bin/python bench/linkage_incidents.py                # 600 incidents seed 11, 2000 seed 3
    .venv/bin/python bench/linkage_incidents.py 1000:5 4000:2  # incidents:seed, as many as wanted

The generator puts another incident in the same cercle within a week for nine in ten: what
is hard here is telling events apart, not spellings. Generated events only.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(arguments: list[str]) -> int:
    from civharm.linkage.incidents import link_incident_reports
    from civharm.linkage.metrics import bcubed, pairwise_scores
    from civharm.linkage.results import LinkageSettings
    from civharm.linkage.synthetic import generate_linkage_truth

    registers = [tuple(int(n) for n in a.split(":")) for a in arguments] or [(600, 11), (2000, 3)]
    print(f"{'incidents':>9} {'seed':>4} {'reports':>7} {'seconds':>7} "
          f"{'pair P':>7} {'pair R':>7} {'pair F1':>7} {'B3 F1':>7}")  # fmt: skip
    for incidents, seed in registers:
        truth = generate_linkage_truth(incidents, seed=seed)
        reports = truth.reports
        settings = LinkageSettings(sources_with_duplicates=frozenset(truth.sources_with_duplicates))
        started = time.perf_counter()
        result = link_incident_reports(reports, settings)
        seconds = time.perf_counter() - started
        expected = reports[["record_id"]].assign(cluster_id=reports["true_incident_id"].to_numpy())
        pairwise = pairwise_scores(result.clusters, expected)
        cubed = bcubed(result.clusters, expected)
        scores = (pairwise.precision, pairwise.recall, pairwise.f1, cubed.f1)
        figures = " ".join(f"{value:>7.4f}" for value in scores)
        print(f"{incidents:>9,} {seed:>4} {len(reports):>7,} {seconds:>7.2f} {figures}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main(sys.argv[1:]))
