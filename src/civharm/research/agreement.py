"""Inter-coder agreement (Cohen's kappa) for double-coded interviews. Pure Python: no Django.

Unit of agreement (our decision): for one interview, each theme of the codebook is one item,
and each coder's "code" for it is whether they applied the theme anywhere in the narrative
(present/absent). Segment-level agreement would need both coders to cut the narrative at the
same offsets, which free-span coding does not give. Never sees narrative text, only theme keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

PRESENT = "present"
ABSENT = "absent"


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float:
    """Cohen's kappa for items each coded once by coder A and once by coder B.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of items on which the coders agree
    and p_e = sum over categories k of (share A gave k) * (share B gave k), the agreement
    expected by chance from each coder's own marginals.

    Degenerate case: p_e == 1 only when both coders gave every item the same single category;
    then p_o == 1 too and the formula is 0/0. We return 1.0 (they agreed on every item), by
    convention; note that kappa then says nothing about how well the coders discriminate.
    """
    if not pairs:
        raise ValueError("Cohen's kappa needs at least one coded item")
    total = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / total
    shares_a = Counter(a for a, _ in pairs)
    shares_b = Counter(b for _, b in pairs)
    expected = sum(shares_a[k] * shares_b[k] for k in shares_a) / (total * total)
    if expected >= 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def presence_pairs(
    codes_a: set[str], codes_b: set[str], codebook: Sequence[str]
) -> list[tuple[str, str]]:
    """One (A, B) pair per codebook theme: whether each coder applied it."""
    unknown = (codes_a | codes_b) - set(codebook)
    if unknown:
        raise ValueError(f"themes not in the codebook: {sorted(unknown)}")
    return [
        (PRESENT if key in codes_a else ABSENT, PRESENT if key in codes_b else ABSENT)
        for key in dict.fromkeys(codebook)  # a key listed twice is still one item
    ]


def agreement_for_interview(codes_a: set[str], codes_b: set[str], codebook: Sequence[str]) -> float:
    """Kappa over presence/absence of each codebook theme in one interview, coder A vs B.

    With a large codebook most items are "absent" for both coders, so p_e is high and kappa
    is sensitive to each disagreement; read it with the number of themes each coder applied.
    """
    return cohen_kappa(presence_pairs(codes_a, codes_b, codebook))


interview_agreement = agreement_for_interview  # the name used in the shared spec
