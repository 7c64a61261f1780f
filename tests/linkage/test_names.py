"""Malian names: spellings, order and particles that are one name must meet; others not."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civharm.linkage.names import (
    add_name_columns,
    father_in_cell,
    father_key,
    name_parts,
    spelling_skeleton,
    split_filiation,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("TRAORE Sekou", "Sékou Traoré"),
        ("Seku Trawore", "Sékou Traoré"),
        ("Mahamadou DIALLO", "Mamadou Jallo"),
        ("Djallo Mamadou", "Mamadou Diallo"),
        ("Ousmane Cissé", "Usman Sisse"),
        ("Omar Mahiga", "Oumar Maïga"),
        ("KULIBALI Fatimata", "Fatoumata Coulibaly"),
        ("Aïssata Keïta", "Ayssata Keita"),
        ("Alhousseini Ag Mohamed", "AG MOHAMED Alhousseini"),
        ("Alhousseini Agmohamed", "Alhousseini ag Mohamed"),
        ("El Hadj Boubacar Dicko", "Boubakar Diko"),
    ],
)
def test_spellings_and_orders_of_one_name_meet(a: str, b: str) -> None:
    assert name_parts(a) == name_parts(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mamadou Diallo", "Mohamed Diallo"),
        ("Amadou Traoré", "Hamadoun Traoré"),
        ("Fatoumata Diallo", "Aminata Diallo"),
        ("Mohamed Ould Ahmed", "Mohamed Ag Ahmed"),
    ],
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert name_parts(a).key != name_parts(b).key


def test_capitals_mark_the_family_name_whatever_the_order() -> None:
    assert name_parts("DIARRA Hawa").surname == name_parts("Hawa DIARRA").surname == "jara"
    assert name_parts("DIARRA Hawa").given_first == "aua"


def test_a_known_family_name_first_is_read_as_the_family_name() -> None:
    assert name_parts("Guindo Allaye").surname == name_parts("Allaye Guindo").surname


def test_particles_bind_to_the_father_s_name() -> None:
    parts = name_parts("Fatimata Mint Ahmed")
    assert parts.surname == "uld_amed"
    assert parts.given_first == name_parts("Fatoumata").given_first or parts.given_first


def test_empty_and_missing_names_give_empty_parts() -> None:
    assert name_parts("").key == ""
    assert name_parts("  -- ").key == ""
    frame = add_name_columns(pd.DataFrame({"full_name": ["Sékou Traoré", None]}))
    assert frame.loc[0, "surname"] == "traur"
    assert frame.loc[1, "surname"] is None


@given(st.text(max_size=40))
def test_any_text_normalises_without_error(text: str) -> None:
    parts = name_parts(text)
    assert parts.key == " ".join(sorted(parts.key.split()))
    assert spelling_skeleton(text).isascii()


def test_a_dit_nickname_is_not_part_of_the_name() -> None:
    assert name_parts("Allaye dit Baba Diallo") == name_parts("Allaye Diallo")


def test_cheick_is_a_given_name_not_a_title() -> None:
    assert name_parts("Cheick Barry").given_first == "sheik"


@pytest.mark.parametrize(
    ("written", "name", "father"),
    [
        ("Amadou DIALLO fils de Hamadoun", "Amadou DIALLO", "Hamadoun"),
        ("DIALLO Amadou, fils d'Ousmane et de Fatoumata", "DIALLO Amadou", "Ousmane"),
        ("Aminata TRAORE (fille de Moussa TRAORE)", "Aminata TRAORE", "Moussa TRAORE"),
        ("Moussa Keita son of Ali", "Moussa Keita", "Ali"),
        ("Fils de Bakary", "Fils de Bakary", "Bakary"),  # a child the list does not name
        ("Sekou Traore", "Sekou Traore", None),
        ("Alhousseini Ag Mohamed", "Alhousseini Ag Mohamed", None),  # the particle stays
        ("Amadou DIALLO F/de Hamadoun", "Amadou DIALLO", "Hamadoun"),
        ("Amadou DIALLO fs de : Hamadoun", "Amadou DIALLO", "Hamadoun"),
        ("Awa fille d'Amadou", "Awa", "Amadou"),
        ("Moussa s/o Ali", "Moussa", "Ali"),
        ("Moussa Fils", "Moussa Fils", None),  # a name, not a filiation
        ("Amadou DIALLO F/Hamadoun", "Amadou DIALLO", "Hamadoun"),
        ("Jean DU PONT", "Jean DU PONT", None),
    ],
)
def test_a_filiation_is_split_off_the_name(written: str, name: str, father: str | None) -> None:
    assert split_filiation(written) == (name, father)
    if name != written:
        assert name_parts(written) == name_parts(name)


def test_the_father_is_compared_without_the_family_name_he_shares() -> None:
    surname = name_parts("Aminata TRAORE").surname
    assert father_key("Moussa TRAORE", surname) == father_key("Moussa", surname) == "musa"
    assert father_key("", surname) is None and father_key("Traoré", surname) is None


@pytest.mark.parametrize(
    ("cell", "father"),
    [
        ("Hamadoun", "Hamadoun"),
        ("fils de Hamadoun", "Hamadoun"),
        ("Fils de Hamadoun et de Fatoumata", "Hamadoun"),
        ("Hamadoun (décédé)", "Hamadoun"),
        ("F/Hamadoun", "Hamadoun"),
        ("fils Hamadoun", "Hamadoun"),
        ("de Hamadoun", "Hamadoun"),
        ("محمد بن علي", "محمد بن علي"),  # another script is a name, not "unknown"
        ("Hamadoun" + " " * 5000 + "et de Awa", "Hamadoun"),  # long blanks: no slow regex
        ("inconnu", None),
        ("N/A", None),
        ("-", None),
        ("  ", None),
        ("n.d.", None),
    ],
)
def test_a_fathers_cell_gives_his_name_and_nothing_for_unknown(
    cell: str, father: str | None
) -> None:
    assert father_in_cell(cell) == father
