"""Cohen's kappa against hand-computed and textbook examples (pure: no database)."""

from __future__ import annotations

import pytest

from civharm.research.agreement import (
    agreement_for_interview,
    cohen_kappa,
    interview_agreement,
    presence_pairs,
)


def test_kappa_matches_a_hand_computed_three_category_example() -> None:
    # 10 items, categories x, y, z.
    # A: x x x x y y y z z z     B: x x x y y y z z z x
    # agree on items 1-3, 5-6, 8-9 -> p_o = 7/10 = 0.7
    # A marginals: x 4, y 3, z 3;  B marginals: x 4, y 3, z 3
    # p_e = (4*4 + 3*3 + 3*3) / 100 = 34/100 = 0.34
    # kappa = (0.7 - 0.34) / (1 - 0.34) = 0.36 / 0.66 = 6/11 = 0.545454...
    a = "xxxxyyyzzz"
    b = "xxxyyyzzzx"
    assert cohen_kappa(list(zip(a, b, strict=True))) == pytest.approx(6 / 11)


def test_kappa_matches_the_textbook_yes_no_example() -> None:
    # The worked example of Wikipedia's "Cohen's kappa" article: 50 proposals, two readers;
    # both yes 20, A yes B no 5, A no B yes 10, both no 15 -> p_o 0.7, p_e 0.5, kappa 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10
    pairs += [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_perfect_chance_and_degenerate_agreement() -> None:
    assert cohen_kappa([("a", "a"), ("b", "b")]) == 1.0
    # p_o = 0, p_e = 0.5 -> kappa = -1 (systematic disagreement)
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)
    # every item coded "a" by both: p_e = 1, 0/0; documented convention: 1.0
    assert cohen_kappa([("a", "a")] * 3) == 1.0
    with pytest.raises(ValueError):
        cohen_kappa([])


def test_interview_agreement_is_kappa_over_theme_presence() -> None:
    codebook = ["fear", "justice", "food", "shelter", "revenge"]
    # A: fear, justice   B: fear, food
    # items: fear (P,P) justice (P,A) food (A,P) shelter (A,A) revenge (A,A)
    # p_o = 3/5 = 0.6; A: P 2 A 3, B: P 2 A 3 -> p_e = (4 + 9)/25 = 0.52
    # kappa = (0.6 - 0.52) / 0.48 = 0.08 / 0.48 = 1/6
    kappa = agreement_for_interview({"fear", "justice"}, {"fear", "food"}, codebook)
    assert kappa == pytest.approx(1 / 6)
    assert interview_agreement is agreement_for_interview
    assert len(presence_pairs(set(), set(), [*codebook, "fear"])) == 5
    with pytest.raises(ValueError, match="not in the codebook"):
        agreement_for_interview({"unknown"}, set(), codebook)
