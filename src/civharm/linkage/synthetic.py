"""Synthetic ground truth for linkage: incident reports and victim lists of a made-up conflict in
Mali 2018–2024, each record tagged with its true incident and true person.

For tests and benchmarks only: every person is generated, none is real; never feeds the register.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from civharm.core.taxonomy import load_taxonomy
from civharm.linkage.frames import INCIDENT_REPORT_COLUMNS, VICTIM_RECORD_COLUMNS

PACK = "mali"
FIRST_DAY = np.datetime64("2018-01-01", "D")
YEAR_WEIGHTS = (1.0, 1.3, 1.4, 1.3, 2.0, 1.7, 1.5)  # 2018..2024: the war spread, then peaked
KM_PER_DEGREE = 111.32
COMMUNITIES = ("fulani", "bambara", "dogon", "songhai", "tamasheq", "arab")
ZONES = ("centre", "north", "south")
_ZONE_OF_REGION = {"ML04": 0, "ML05": 0, "ML06": 1, "ML07": 1, "ML08": 1, "ML10": 1, "ML11": 1}

# ---------------------------------------------------------------------------------------------
# Names. Canonical spelling -> other spellings lists use for the same name. Accents dropped and
# case are not listed: every list may do that to any name.
_SPELLINGS = {
    "Mamadou": "Mahamadou|Mamadu", "Amadou": "Ahmadou|Hamadou", "Moussa": "Mousa|Musa",
    "Oumar": "Omar|Umar", "Ousmane": "Usman|Housmane|Ousmana", "Hamadoun": "Amadoun|Hamadoune",
    "Boubacar": "Boubakar|Aboubacar|Bubakar", "Seydou": "Seïdou|Saïdou|Seidu",
    "Sékou": "Seku", "Ibrahim": "Ibrahima|Ibrahime", "Aliou": "Alou|Alyou",
    "Hamidou": "Amidou|Hamidu", "Allaye": "Alaye|Allay", "Abdoulaye": "Abdoulay|Ablaye|Abdoulahi",
    "Adama": "Adam", "Yacouba": "Yacuba|Yakouba", "Souleymane": "Souleimane|Sulayman",
    "Issa": "Isa", "Bakary": "Bakari|Bacary", "Drissa": "Idrissa|Dirissa",
    "Lassina": "Lassana|Lasina", "Daouda": "Dauda|Daoud", "Hassane": "Hassan|Assane",
    "Bouréima": "Bouraïma|Bourema", "Hama": "Hamma", "Boukary": "Boukari|Bukary",
    "Belco": "Belko", "Brehima": "Birama", "Tiémoko": "Chiémoko", "Fousseyni": "Fousseni|Foussény",
    "Nouhoum": "Nouhou|Nouhoun", "Issiaka": "Isiaka", "Alassane": "Alhassane|Alassana",
    "Almoustapha": "Almoustafa|Al Moustapha", "Mahamane": "Mahaman|Mahamani", "Oumarou": "Umarou",
    "Abdoulkader": "Abdoul Kader|Abdelkader", "Mohamed": "Mohammed|Mouhamed", "Ahmed": "Ahmad",
    "Alhousseini": "Alhousseyni|Elhousseini|Al Housseini", "Intalla": "Intallah|Intala",
    "Alghabass": "Algabass|Alghabas", "Attaher": "Ataher|Attayer", "Acherif": "Achérif|Acharif",
    "Aghaly": "Aghali|Agaly", "Mahmoud": "Mahmud|Mahamoud", "Moulaye": "Moulay",
    "Cheick": "Cheikh|Sheikh", "Abdallah": "Abdoullah|Abdellahi", "Lamine": "Alamine|El Amine",
    "Fatoumata": "Fatimata|Fatumata", "Aminata": "Aminatou", "Mariam": "Mariama|Mariame|Maryam",
    "Kadidia": "Kadiatou|Kadidiatou|Kadija", "Hawa": "Awa|Haoua", "Aïssata": "Ayssata",
    "Oumou": "Umu|Oummou", "Assitan": "Assita|Asitan", "Djénéba": "Jeneba|Dieneba",
    "Rokia": "Rokiatou|Rokiya", "Salimata": "Salimatou", "Bintou": "Bintu",
    "Korotoumou": "Korotimi", "Ramata": "Ramatou", "Kadia": "Kadiya", "Aïchata": "Aïchatou",
    "Fadimata": "Fadimatou|Fadimta", "Zeinabou": "Zeinaba|Zénabou", "Lalla": "Lala",
    "Hadizatou": "Hadiza|Adizatou", "Fatouma": "Fatuma", "Tinhinan": "Tin Hinan",
    "Khadija": "Khadijetou|Khadidja", "Fatma": "Fatimetou", "Mariem": "Meriem",
    "Diallo": "Jallo|Djallo|Dialo", "Barry": "Bari|Barri", "Bah": "Ba", "Cissé": "Sissé|Cisse",
    "Dicko": "Diko|Dikko", "Traoré": "Trawore|Traorè", "Coulibaly": "Kulibali|Koulibaly|Coulibali",
    "Keïta": "Kéita|Kéïta", "Diarra": "Jara|Djara|Diara", "Doumbia": "Dumbia|Doumbiya",
    "Bagayoko": "Bagayogo", "Diakité": "Jakite", "Sissoko": "Sisoko|Cissoko",
    "Guindo": "Guindou|Ghindo", "Ongoïba": "Ongoyba", "Tembely": "Tembeli|Tembélé",
    "Kassogué": "Kasogue", "Poudiougo": "Poudjougo", "Yalcouyé": "Yalkouye",
    "Maïga": "Mahiga|Maïgua", "Touré": "Turé", "Haïdara": "Haydara", "Yattara": "Yatara",
    "Bocoum": "Bokoum", "Djitteye": "Djiteye|Jitteye", "Tall": "Tal", "Ouologuem": "Wologuem",
    "Walet": "Welet|Oulet", "Ould": "Wuld", "Mint": "Minet",
}  # fmt: skip
# Given names by community and sex, most frequent first (Zipf weights follow the order).
_GIVEN = {
    ("fulani", "m"): "Amadou Mamadou Hamadoun Boubacar Oumar Hamidou Allaye Ousmane Abdoulaye "
    "Bouréima Hama Boukary Aliou Ibrahim Hassane Seydou Moussa Belco Modibo Sékou Alassane "
    "Nouhoum Souleymane Adama Issa Cheick Lamine",
    ("bambara", "m"): "Mamadou Moussa Bakary Seydou Sékou Adama Drissa Lassina Siaka Yacouba "
    "Oumar Souleymane Brehima Daouda Abdoulaye Issa Tiémoko Fousseyni Aliou Ousmane Amadou "
    "Modibo Nouhoum Issiaka Lamine Ibrahim",
    ("dogon", "m"): "Amadou Ousmane Yacouba Seydou Adama Issiaka Moussa Ogobara Daouda Mamadou "
    "Aliou Drissa Abdoulaye Souleymane Oumar Issa Boukary Bouréima Joseph Paul",
    ("songhai", "m"): "Boubacar Moussa Alassane Mahamane Issa Oumarou Hamidou Ousmane Ibrahim "
    "Almoustapha Abdoulaye Mamadou Hassane Amadou Abdoulkader Mahmoud Oumar Hama Bouréima "
    "Seydou Nouhoum Baba Moulaye Alhousseini Mohamed Souleymane Daouda",
    ("tamasheq", "m"): "Mohamed Ahmed Alhousseini Intalla Mossa Alghabass Attaher Ibrahim "
    "Acherif Aghaly Bilal Almoustapha Sidi Abdoulkader Mahmoud Abdallah",
    ("arab", "m"): "Mohamed Ahmed Sidi Mahmoud Baba Moulaye Cheick Abdallah Lamine Hassane "
    "Abdoulkader Acherif",
    ("fulani", "f"): "Fatoumata Kadidia Aïssata Hawa Mariam Aminata Bintou Ramata Oumou "
    "Djénéba Salimata Rokia",
    ("bambara", "f"): "Fatoumata Aminata Mariam Assitan Oumou Djénéba Hawa Kadidia Rokia "
    "Salimata Korotoumou Bintou Kadia Aïssata",
    ("dogon", "f"): "Aminata Mariam Fatoumata Kadia Hawa Aïssata Djénéba Kadidia Agnès",
    ("songhai", "f"): "Fatoumata Aïssata Mariam Hadizatou Aïchata Fatouma Zeinabou Kadidia "
    "Aminata Hawa",
    ("tamasheq", "f"): "Fadimata Aïchata Mariam Zeinabou Lalla Fatouma Tinhinan Fatoumata",
    ("arab", "f"): "Aïchata Fatma Mariem Khadija Lalla Zahra Mariam",
}
# Family names by community, most frequent first; Tamasheq and Arab names are patronymic.
_SURNAMES = {
    "fulani": "Diallo Barry Sidibé Sangaré Bah Cissé Dicko Sow Tall Boly Dia Diakité Bocoum",
    "bambara": "Traoré Coulibaly Keïta Diarra Konaté Doumbia Koné Samaké Dembélé Sanogo "
    "Bagayoko Diakité Sissoko Togola Camara Fofana Kanté Diabaté Dao",
    "dogon": "Guindo Dolo Togo Ongoïba Tembely Kassogué Sagara Karambé Poudiougo Yalcouyé "
    "Douyon Saye Djiguiba Kodio Tapily Timbiné Ouologuem",
    "songhai": "Maïga Touré Cissé Haïdara Yattara Bocoum Dicko Djitteye Tandina Baby Traoré Diallo",
}
_PARTICLES = {("tamasheq", "m"): "Ag", ("tamasheq", "f"): "Walet", ("arab", "m"): "Ould",
              ("arab", "f"): "Mint"}  # fmt: skip
_NICKNAMES = "Bah Papa Vieux Hamma Baba Madou Bala Tiécoura"
# How a list writes a particle before the father's name: "Ag Mohamed", "ag Mohamed", "AG …",
# "Ag. Mohamed", "Ag-Mohamed", "Agmohamed" (joined: the father's name goes lower-case).
_PARTICLE_STYLES = ("{} ", "{l} ", "{u} ", "{}. ", "{}-", "{}")
_PARTICLE_STYLE_WEIGHTS = (0.62, 0.1, 0.08, 0.06, 0.06, 0.08)
_JOINED_STYLE = 5

# ---------------------------------------------------------------------------------------------
# Places: conflict intensity of cercles (default 0.3) and the communities living there.
_CERCLE_WEIGHTS = {
    "ML0505": 12, "ML0501": 10, "ML0502": 10, "ML0504": 8, "ML0503": 5, "ML0506": 5,
    "ML0507": 5, "ML0508": 3, "ML0404": 7, "ML0403": 5, "ML0405": 3, "ML0407": 2, "ML0406": 2,
    "ML0402": 1, "ML0401": 1, "ML0604": 4, "ML0602": 3, "ML0603": 4, "ML0601": 2, "ML0605": 3,
    "ML0701": 5, "ML0703": 5, "ML0702": 3, "ML0704": 6, "ML0802": 2, "ML0803": 2, "ML0801": 1,
    "ML0804": 1, "ML0207": 2, "ML0201": 1, "ML0205": 1, "ML0304": 1, "ML0307": 1, "ML0901": 0.5,
}  # fmt: skip
_MIX = {  # share of fulani, bambara, dogon, songhai, tamasheq, arab
    "dogon_plateau": (0.35, 0.05, 0.55, 0.05, 0, 0), "ML0504": (0.45, 0, 0.25, 0.2, 0.1, 0),
    "inner_delta": (0.5, 0.25, 0.1, 0.15, 0, 0), "ML04": (0.35, 0.6, 0, 0.05, 0, 0),
    "ML0404": (0.45, 0.5, 0, 0.05, 0, 0), "ML0403": (0.45, 0.5, 0, 0.05, 0, 0),
    "ML06": (0.1, 0, 0, 0.45, 0.3, 0.15), "ML07": (0.15, 0, 0, 0.5, 0.25, 0.1),
    "ML10": (0.2, 0, 0, 0.15, 0.6, 0.05), "ML08": (0, 0, 0, 0, 0.8, 0.2),
    "ML0207": (0.4, 0.4, 0, 0, 0, 0.2), "south": (0.25, 0.7, 0, 0.05, 0, 0),
}  # fmt: skip
_MIX_GROUPS = {"ML0501": "dogon_plateau", "ML0502": "dogon_plateau", "ML0505": "dogon_plateau",
               "ML0503": "inner_delta", "ML0506": "inner_delta", "ML0507": "inner_delta",
               "ML0508": "inner_delta"}  # fmt: skip
_VILLAGE_SYLLABLES = {
    "bambara": ("Sira Kala Fala Dia Kona Sama Nia Tie Dou Sou Kou Fa Ke Ni Ba Bou Sin Dio Kolo "
                "Tou N'Go Sana Mana", "bougou koro dougou ni la sso kala ba na ko dala"),
    "fulani": ("Wouro Sare Dalla Fetto Hore Dioura Ogossa Boulel Ganguel Nio Mbe Sio Tiel Kara",
               "gou ré ngal be ndé Ardo| Dina| Modi| Birgui| Kessel| Bali"),
    "dogon": ("Ogo Sanga Bani Dia Tin Ende Kani Yo Gou Ti Ama Do Kom Ire Sogo Tere Yen Dinan "
              "Gan Koul", "gou na ly ra ré kamba da bombo kanda logou ssagou tongo li mbo"),
    "songhai": ("Bara Ga Ha Kou Tin Bou Ta Be Fa Zin Ou Ngo Ber Ayo Tou Goun Kar Sa Dou",
                "bangou rey na ma ha bara si go ndam rou tia kore"),
    "tamasheq": ("In Tin Ti Ta Anou Ara Tin-", "tebezas tilit ekar akal arabel ouelane adiam "
                 "mellet zaouaten agar kassa assak tarha demar fif aguel"),
}  # fmt: skip
_VILLAGE_SYLLABLES["arab"] = _VILLAGE_SYLLABLES["tamasheq"]

# ---------------------------------------------------------------------------------------------
# Incidents: interaction contexts by zone (centre, north, south), and who does what.
_CONTEXTS = {
    "attack_on_village": (30, 18, 25), "ied_landmine": (12, 20, 6),
    "ground_operation": (12, 10, 12), "air_drone_strike": (6, 10, 3),
    "checkpoint": (5, 5, 8), "search_cordon": (7, 4, 8),
    "abduction": (8, 10, 10), "ambush": (6, 10, 8), "market_attack": (3, 3, 2),
    "clash_crossfire": (5, 10, 6), "arrest_detention": (4, 3, 8), "looting_extortion": (2, 4, 4),
    "shelling": (0, 3, 0),
}  # fmt: skip
_STATE_OPS = (
    "fama:55 fama+africa_corps_wagner:25 gendarmerie:5 national_guard:5 barkhane:5 minusma:2"
)
_ACTORS = {
    "attack_on_village": "jnim:30 dan_na_ambassagou:20 is_sahel:10 fama:10 "
    "fama+africa_corps_wagner:10 dozo_militia:5 community_militia_other:5 "
    "unidentified_armed_group:10",
    "ied_landmine": "jnim:60 is_sahel:20 veo_unidentified:10 unknown:10",
    "ground_operation": _STATE_OPS, "search_cordon": _STATE_OPS, "checkpoint": _STATE_OPS,
    "arrest_detention": _STATE_OPS,
    "air_drone_strike": "fama:80 barkhane:15 fama+africa_corps_wagner:5",
    "abduction": "jnim:50 is_sahel:20 criminals:20 unidentified_armed_group:10",
    "ambush": "jnim:50 is_sahel:20 dozo_militia:10 unidentified_armed_group:20",
    "market_attack": "jnim:40 fama+africa_corps_wagner:25 is_sahel:20 fama:15",
    "clash_crossfire": "jnim+is_sahel:35 fama+jnim:35 csp_signatory+is_sahel:15 "
    "dan_na_ambassagou+jnim:15",
    "looting_extortion": "criminals:50 jnim:30 is_sahel:20",
    "shelling": "jnim:60 is_sahel:20 csp_signatory:20",
}  # fmt: skip
# Contexts two sources describe differently for the same event.
_CONFUSED_CONTEXT = {
    "attack_on_village": "clash_crossfire", "clash_crossfire": "attack_on_village",
    "ied_landmine": "ambush", "ambush": "ied_landmine", "ground_operation": "search_cordon",
    "search_cordon": "ground_operation", "arrest_detention": "abduction",
    "abduction": "arrest_detention", "air_drone_strike": "shelling",
    "market_attack": "attack_on_village", "checkpoint": "arrest_detention",
}  # fmt: skip
_HARMS = ("killed", "abducted", "injured", "property_destroyed", "livestock_crops_lost",
          "displaced_households")  # fmt: skip


@dataclass(frozen=True)
class SourceProfile:
    """How one source finds incidents and writes them down (probabilities unless said)."""

    name: str
    knows: float  # reports an incident (before reach by zone and size)
    reach: tuple[float, float, float]  # multiplier in the centre, north, south
    names_victim: float  # names a victim of an incident it reports
    size_bias: float = 0.0  # big incidents are more likely reported (the press)
    surname_first: float = 0.2  # "DIALLO Amadou" rather than "Amadou Diallo"
    upper_surname: float = 0.8  # when surname first, written upper-case
    all_upper: float = 0.02
    drop_accents: float = 0.4
    variant: float = 0.1  # another spelling of a name than the person's own
    typo: float = 0.05
    drop_middle: float = 0.3
    sex_missing: float = 0.1
    age_missing: float = 0.25
    age_heaped: float = 0.2
    age_noise: float = 0.3
    date_missing: float = 0.08
    date_shift: float = 0.15  # date off by 1-3 days
    late_bias: bool = False  # shifted dates fall after the event (publication dates)
    place_cercle: float = 0.15  # only the cercle known
    place_region: float = 0.05  # only the region known
    place_variant: float = 0.3
    old_codes: float = 0.1  # pre-2016 region codes (Ménaka under Gao)
    week: float = 0.03
    month: float = 0.05
    year: float = 0.0
    coords_missing: float = 0.3
    coords_cercle: float = 0.1  # coordinates of the cercle's chief town
    actor_missing: float = 0.1
    actor_vague: float = 0.15  # "unidentified armed men"
    actor_other: float = 0.04  # contested attribution
    killed_missing: float = 0.08
    killed_noisy: float = 0.4  # toll off by up to 30 %
    context_unknown: float = 0.08
    context_confused: float = 0.08
    duplicates: float = 0.0  # share of rows entered twice


PROFILES = (
    SourceProfile("un_list", 0.75, (1.0, 0.95, 0.6), 0.92, surname_first=0.85,
                  upper_surname=0.95, all_upper=0.1, drop_accents=0.2, variant=0.05, typo=0.03,
                  drop_middle=0.1, sex_missing=0.03, age_missing=0.15, age_heaped=0.1,
                  date_missing=0.03, date_shift=0.1, coords_cercle=0.2, place_variant=0.15),
    SourceProfile("ngo_list", 0.55, (1.0, 0.7, 0.5), 0.85, surname_first=0.3, drop_accents=0.6,
                  variant=0.15, typo=0.06, sex_missing=0.08, age_missing=0.2, date_shift=0.2,
                  old_codes=0.3, week=0.05, month=0.1, coords_missing=0.2, coords_cercle=0.05,
                  actor_missing=0.2, actor_vague=0.2, killed_noisy=0.5, duplicates=0.01),
    SourceProfile("press", 0.22, (1.0, 0.8, 1.0), 0.6, size_bias=0.3, surname_first=0.1,
                  upper_surname=0.3, variant=0.2, drop_middle=0.5, sex_missing=0.35,
                  age_missing=0.55, age_heaped=0.4, date_missing=0.15, date_shift=0.35,
                  late_bias=True, place_cercle=0.3, place_region=0.1, place_variant=0.45,
                  old_codes=0.2, week=0.1, coords_missing=0.6, coords_cercle=0.3, actor_vague=0.5,
                  killed_missing=0.15, killed_noisy=0.7, context_unknown=0.2),
    SourceProfile("interviews", 0.3, (1.0, 0.4, 0.3), 0.9, surname_first=0.15, upper_surname=0.5,
                  drop_accents=0.7, variant=0.25, typo=0.08, drop_middle=0.4, sex_missing=0.05,
                  age_missing=0.35, age_heaped=0.5, age_noise=0.6, date_missing=0.2,
                  date_shift=0.4, place_cercle=0.05, place_region=0.02, place_variant=0.5,
                  week=0.15, month=0.2, year=0.02, coords_missing=0.5, actor_missing=0.25,
                  actor_vague=0.3, killed_missing=0.3, killed_noisy=0.8, context_unknown=0.15),
    SourceProfile("local_authority", 0.3, (0.8, 0.6, 1.0), 0.8, surname_first=0.9,
                  all_upper=0.6, drop_accents=0.5, age_heaped=0.6, sex_missing=0.15,
                  old_codes=0.4, coords_missing=0.7, actor_vague=0.3),
    SourceProfile("hospital", 0.15, (1.0, 0.5, 1.0), 0.6, surname_first=0.5, drop_accents=0.8,
                  variant=0.2, typo=0.08, sex_missing=0.02, age_missing=0.1, age_heaped=0.1,
                  date_shift=0.3, late_bias=True, place_cercle=0.4, place_region=0.2,
                  coords_missing=0.9, actor_missing=0.6),
)  # fmt: skip
DUPLICATE_SOURCE = "ngo_list"


@dataclass
class SyntheticTruth:
    """Records as linkage sees them plus their truth, and the truth itself.

    reports/victims: the contract columns of frames.py plus `true_incident_id` (both) and
    `true_person_id` (victims). incidents/persons: one row per true incident/person that at
    least one source may have seen (canonical names: never give them to a model).
    """

    reports: pd.DataFrame
    victims: pd.DataFrame
    incidents: pd.DataFrame = field(repr=False)
    persons: pd.DataFrame = field(repr=False)
    sources_with_duplicates: frozenset[str] = frozenset()

    @property
    def report_clusters(self) -> pd.DataFrame:
        """record_id, cluster_id: the true incident of each report (for metrics)."""
        return _clusters(self.reports, "true_incident_id")

    @property
    def person_clusters(self) -> pd.DataFrame:
        """record_id, cluster_id: the true person of each victim record (for metrics)."""
        return _clusters(self.victims, "true_person_id")


def _clusters(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return pd.DataFrame({"record_id": frame["record_id"], "cluster_id": frame[column]})


# ---------------------------------------------------------------------------------------------
# Small vectorised helpers.


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _zipf(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def _choose(cumulative: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Indices drawn from a cumulative distribution (last value 1)."""
    return np.minimum(
        np.searchsorted(cumulative, rng.random(size), side="right"), len(cumulative) - 1
    )


def _by_group(
    groups: np.ndarray, tables: dict[int, tuple[np.ndarray, np.ndarray]], rng: np.random.Generator
) -> np.ndarray:
    """For each row, a value drawn from the (values, probabilities) table of its group."""
    out = np.full(len(groups), -1, dtype=np.int64)
    for group, (values, probs) in tables.items():
        rows = np.flatnonzero(groups == group)
        if len(rows):
            out[rows] = values[_choose(np.cumsum(probs), rng, len(rows))]
    return out


def _blank(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """An object array of the values with None where `missing`."""
    out = values.astype(object)
    out[missing] = None
    return out


def _flag(p: np.ndarray | float, rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size) < p


def _profile_array(profiles: tuple[SourceProfile, ...], name: str) -> np.ndarray:
    return np.array([getattr(profile, name) for profile in profiles])


def _parse_weights(spec: str) -> tuple[list[str], np.ndarray]:
    keys, weights = zip(*(item.rsplit(":", 1) for item in spec.split()), strict=True)
    w = np.array([float(x) for x in weights])
    return list(keys), w / w.sum()


def _shift_days(size: int, rng: np.random.Generator, late: np.ndarray) -> np.ndarray:
    """1-3 days, mostly 1; before or after the event unless `late`."""
    days = rng.choice(np.array([1, 1, 1, 2, 2, 3]), size)
    sign = np.where(late | (rng.random(size) < 0.5), 1, -1)
    return days * sign


# ---------------------------------------------------------------------------------------------
# Name vocabulary: every spelling of every name, in the forms lists write it.


@dataclass(frozen=True)
class _Vocab:
    lemma: dict[str, int]  # canonical spelling -> lemma id
    offsets: np.ndarray  # first spelling of each lemma
    counts: np.ndarray  # spellings of each lemma
    # (6, spellings): as written, no accents, UPPER, UPPER no accents, lower, lower no accents
    forms: np.ndarray
    given: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (community, sex) -> lemmas
    surnames: dict[int, tuple[np.ndarray, np.ndarray]]  # community -> lemmas
    particles: dict[tuple[int, int], int]  # (community, sex) -> particle lemma
    nicknames: np.ndarray
    particle_forms: np.ndarray  # (2 upper?, styles, spellings)


@cache
def _vocab() -> _Vocab:
    canon = sorted(
        {n for text in (*_GIVEN.values(), *_SURNAMES.values(), _NICKNAMES) for n in text.split()}
        | set(_PARTICLES.values())
    )
    spellings: list[str] = []
    offsets, counts = [], []
    for name in canon:
        variants = [name, *[v for v in _SPELLINGS.get(name, "").split("|") if v]]
        offsets.append(len(spellings))
        counts.append(len(variants))
        spellings.extend(variants)
    plain = [_strip_accents(s) for s in spellings]
    forms = np.array(
        [
            spellings,
            plain,
            [s.upper() for s in spellings],
            [s.upper() for s in plain],
            [s.lower() for s in spellings],
            [s.lower() for s in plain],
        ],
        dtype=object,
    )
    lemma = {name: i for i, name in enumerate(canon)}
    code = {c: i for i, c in enumerate(COMMUNITIES)}

    def table(text: str, exponent: float) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([lemma[n] for n in text.split()])
        return ids, _zipf(len(ids), exponent)

    particle_forms = np.array(
        [
            [
                [
                    style.format(s, l=s.lower(), u=s.upper()).upper()
                    if up
                    else style.format(s, l=s.lower(), u=s.upper())
                    for s in spellings
                ]
                for style in _PARTICLE_STYLES
            ]
            for up in (False, True)
        ],
        dtype=object,
    )
    return _Vocab(
        lemma=lemma,
        offsets=np.array(offsets),
        counts=np.array(counts),
        forms=forms,
        given={(code[c], int(s == "f")): table(t, 0.8) for (c, s), t in _GIVEN.items()},
        surnames={code[c]: table(t, 1.1) for c, t in _SURNAMES.items()},
        particles={(code[c], int(s == "f")): lemma[p] for (c, s), p in _PARTICLES.items()},
        nicknames=np.array([lemma[n] for n in _NICKNAMES.split()]),
        particle_forms=particle_forms,
    )


# ---------------------------------------------------------------------------------------------
# Places: regions and cercles of the country pack, and made-up villages inside the cercles.


def _pack_text(filename: str) -> str:
    return resources.files("civharm.country_packs").joinpath(PACK, filename).read_text("utf-8")


def _pack_rows(filename: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_pack_text(filename))))


@dataclass(frozen=True)
class _Admin:
    region_pcode: np.ndarray
    region_name: list[str]
    cercle_pcode: np.ndarray
    cercle_name: list[str]
    cercle_region: np.ndarray  # index into region arrays
    cercle_old_region: np.ndarray  # pre-2016 region (Ménaka under Gao)
    cercle_point: np.ndarray  # (n, 2) lat, lon of the chief town
    cercle_weight: np.ndarray
    cercle_mix: np.ndarray  # (n, communities)
    geometries: list
    localities: list[dict[str, str]]


def _cercle_mix(pcode: str, region: str) -> tuple[float, ...]:
    key = _MIX_GROUPS.get(pcode, pcode)
    return _MIX.get(key) or _MIX.get(region) or _MIX["south"]


@cache
def _admin() -> _Admin:
    regions = _pack_rows("admin1.csv")
    region_index = {row["pcode"]: i for i, row in enumerate(regions)}
    features = json.loads(_pack_text("admin2.geojson"))["features"]
    geometry = {f["properties"]["adm2_pcode"]: shape(f["geometry"]) for f in features}
    cercles = [row for row in _pack_rows("admin2.csv") if row["pcode"] in geometry]
    localities = _pack_rows("localities.csv")
    towns = {
        row["admin2_pcode"]: (float(row["latitude"]), float(row["longitude"]))
        for row in localities
        if row["feature"] in {"PPLA", "PPLA2", "PPLC"}
    }
    points = []
    for row in cercles:
        inner = geometry[row["pcode"]].representative_point()
        points.append(towns.get(row["pcode"], (inner.y, inner.x)))
    mix = np.array([_cercle_mix(r["pcode"], r["admin1_pcode"]) for r in cercles], dtype=float)
    return _Admin(
        region_pcode=np.array([row["pcode"] for row in regions], dtype=object),
        region_name=[row["name"] for row in regions],
        cercle_pcode=np.array([row["pcode"] for row in cercles], dtype=object),
        cercle_name=[row["name"] for row in cercles],
        cercle_region=np.array([region_index[row["admin1_pcode"]] for row in cercles]),
        cercle_old_region=np.array([region_index[row["pre2016_admin1_pcode"]] for row in cercles]),
        cercle_point=np.array(points),
        cercle_weight=np.array([_CERCLE_WEIGHTS.get(row["pcode"], 0.3) for row in cercles]),
        cercle_mix=mix / mix.sum(axis=1, keepdims=True),
        geometries=[geometry[row["pcode"]] for row in cercles],
        localities=localities,
    )


def _place_variants(name: str, kind: str = "village") -> list[str]:
    """Spellings of a place name lists use: accents, ou/u, dj/j, c/k, ss/s, hyphens, qualifiers."""
    plain = _strip_accents(name)
    variants = [name, plain]
    rules = [
        ("ou", "u"),
        ("Dj", "J"),
        ("dj", "j"),
        ("Ou", "W"),
        ("ss", "s"),
        ("c", "k"),
        ("gu", "g"),
        ("é", "e"),
        ("y", "i"),
        ("-", " "),
        (" ", "-"),
        ("h", ""),
    ]
    for old, new in rules:
        if old in plain and len(variants) < 6:
            variants.append(plain.replace(old, new, 1))
    for suffix in (" Peul", " Dogon"):
        if name.endswith(suffix):
            variants += [name[: -len(suffix)], name + "h" if suffix == " Peul" else name]
    if kind == "cercle":
        variants += [f"Cercle de {name}", f"cercle de {plain}"]
    if kind == "region":
        variants += [f"Région de {name}", f"Region {plain}"]
    return list(dict.fromkeys(v for v in variants if v.strip()))


def _latin(names: list[str]) -> list[str]:
    """Names a Malian list could write: Latin letters only (no Cyrillic, no ɔ/ɛ)."""
    return [n for n in names if n and all(ord(c) < 0x250 for c in n)]


def _village_name(community: str, rng: np.random.Generator) -> str:
    roots, ends = (text.split() for text in _VILLAGE_SYLLABLES[community])
    root, end = roots[rng.integers(len(roots))], ends[rng.integers(len(ends))]
    if "|" in end:  # a second word: "Wouro Ardo"
        return f"{root} {end.strip('|')}"
    if root.endswith("-"):
        return root + end.capitalize()
    return root + end


def _points_in(geometry: object, n: int, rng: np.random.Generator) -> np.ndarray:
    """n (lat, lon) points drawn uniformly inside a polygon."""
    west, south, east, north = geometry.bounds  # type: ignore[attr-defined]
    found: list[np.ndarray] = []
    while sum(len(f) for f in found) < n:
        lon = rng.uniform(west, east, 4 * n + 8)
        lat = rng.uniform(south, north, 4 * n + 8)
        inside = shapely.contains_xy(geometry, lon, lat)
        found.append(np.column_stack([lat[inside], lon[inside]]))
    return np.concatenate(found)[:n]


@dataclass(frozen=True)
class _Places:
    admin: _Admin
    village_cercle: np.ndarray
    village_point: np.ndarray  # (n, 2)
    village_community: np.ndarray
    cercle_first_village: np.ndarray  # villages are sorted by cercle
    cercle_villages: np.ndarray
    # names of villages, then cercles, then regions, each with its spellings
    name_offsets: np.ndarray
    name_counts: np.ndarray
    name_texts: np.ndarray


def _cercle_villages(cercle: int, n: int, admin: _Admin, rng: np.random.Generator) -> list[tuple]:
    """(name, lat, lon, community, spellings) of the villages of one cercle."""
    pcode = admin.cercle_pcode[cercle]
    mix = admin.cercle_mix[cercle]
    out = [
        (
            r["name"],
            float(r["latitude"]),
            float(r["longitude"]),
            int(rng.choice(len(COMMUNITIES), p=mix)),
            _place_variants(r["name"]) + _latin(r["alternate_names"].split("|"))[:3],
        )
        for r in admin.localities
        if r["admin2_pcode"] == pcode
    ]
    points = _points_in(admin.geometries[cercle], n, rng)
    twins = mix[0] >= 0.2 and mix[2] >= 0.2  # Fulani and Dogon hamlets of one village
    for lat, lon in points:
        community = int(rng.choice(len(COMMUNITIES), p=mix))
        name = _village_name(COMMUNITIES[community], rng)
        if twins and rng.random() < 0.12:
            for suffix, member in ((" Peul", 0), (" Dogon", 2)):
                jitter = rng.normal(0, 0.01, 2)
                out.append(
                    (
                        name + suffix,
                        lat + jitter[0],
                        lon + jitter[1],
                        member,
                        _place_variants(name + suffix),
                    )
                )
            continue
        out.append((name, lat, lon, community, _place_variants(name)))
    return out


def _places(n_villages: int, rng: np.random.Generator) -> _Places:
    admin = _admin()
    share = np.sqrt(admin.cercle_weight) / np.sqrt(admin.cercle_weight).sum()
    rows, cercle_of = [], []
    for cercle, fraction in enumerate(share):
        villages = _cercle_villages(cercle, max(4, round(n_villages * fraction)), admin, rng)
        rows += villages
        cercle_of += [cercle] * len(villages)
    spellings = [r[4] for r in rows]
    spellings += [_place_variants(name, "cercle") for name in admin.cercle_name]
    spellings += [_place_variants(name, "region") for name in admin.region_name]
    counts = np.array([len(s) for s in spellings])
    cercle_of_arr = np.array(cercle_of)
    per_cercle = np.bincount(cercle_of_arr, minlength=len(admin.cercle_pcode))
    return _Places(
        admin=admin,
        village_cercle=cercle_of_arr,
        village_point=np.array([(r[1], r[2]) for r in rows]),
        village_community=np.array([r[3] for r in rows]),
        cercle_first_village=np.concatenate([[0], np.cumsum(per_cercle)[:-1]]),
        cercle_villages=per_cercle,
        name_offsets=np.concatenate([[0], np.cumsum(counts)[:-1]]),
        name_counts=counts,
        name_texts=np.array([s for group in spellings for s in group], dtype=object),
    )


def _place_text(
    places: _Places, place: np.ndarray, p_variant: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The canonical name of each place, or (with p_variant) another of its spellings."""
    n = len(place)
    other = (rng.random(n) * places.name_counts[place]).astype(np.int64)
    pick = np.where(rng.random(n) < p_variant, other, 0)
    return places.name_texts[places.name_offsets[place] + pick]


# ---------------------------------------------------------------------------------------------
# True incidents: clustered in cercles and weeks, with contexts, perpetrators and tolls.


@dataclass(frozen=True)
class _ActorTable:
    sets: list[tuple[str, ...]]  # actor-set id -> taxonomy keys
    raw_by_context: dict[int, tuple[np.ndarray, np.ndarray]]  # context -> raw sets, probs
    fixed: np.ndarray  # (raw set, year) -> actor-set id (no Wagner before 2022, …)
    has_veo: np.ndarray
    vague_veo: int
    vague_unknown: int


def _fix_actors(raw: str, year: int) -> tuple[str, ...]:
    """Who could act that year: Wagner from 2022, Barkhane until 2022, MINUSMA until 2023."""
    gone = {"africa_corps_wagner"} if year < 2022 else set()
    gone |= {"barkhane"} if year > 2022 else set()
    gone |= {"minusma"} if year > 2023 else set()
    kept = tuple(dict.fromkeys(k for k in raw.split("+") if k not in gone))
    return kept or ("fama",)


@cache
def _actor_table() -> _ActorTable:
    contexts = list(_CONTEXTS)
    raw_sets = list(dict.fromkeys(k for c in contexts for k in _parse_weights(_ACTORS[c])[0]))
    by_context = {}
    for i, context in enumerate(contexts):
        keys, probs = _parse_weights(_ACTORS[context])
        by_context[i] = (np.array([raw_sets.index(k) for k in keys]), probs)
    sets: list[tuple[str, ...]] = [("veo_unidentified",), ("unidentified_armed_group",)]
    fixed = np.zeros((len(raw_sets), len(YEAR_WEIGHTS)), dtype=np.int64)
    for r, raw in enumerate(raw_sets):
        for y in range(len(YEAR_WEIGHTS)):
            actors = _fix_actors(raw, 2018 + y)
            if actors not in sets:
                sets.append(actors)
            fixed[r, y] = sets.index(actors)
    veo = {"jnim", "is_sahel", "veo_unidentified"}
    has_veo = np.array([bool(veo & set(s)) for s in sets])
    return _ActorTable(sets, by_context, fixed, has_veo, 0, 1)


def _check_taxonomy() -> None:
    """Every key the generator writes must exist in the country pack's taxonomy."""
    taxonomy = load_taxonomy(PACK)
    wanted = {
        "actors": {k for s in _actor_table().sets for k in s},
        "interaction_contexts": {*_CONTEXTS, "unknown"},
        "harm_types": set(_HARMS),
    }
    for name, keys in wanted.items():
        missing = keys - set(taxonomy.keys(name))
        if missing:
            raise ValueError(f"taxonomy {name} of pack {PACK!r} lacks {sorted(missing)}")


@dataclass(frozen=True)
class _Incidents:
    cercle: np.ndarray
    village: np.ndarray
    day: np.ndarray  # days since 1970-01-01
    year: np.ndarray  # 0 = 2018
    zone: np.ndarray
    context: np.ndarray  # index into _CONTEXTS
    actors: np.ndarray  # actor-set id
    harms: np.ndarray  # bit mask over _HARMS
    victims: np.ndarray
    killed: np.ndarray


def _incident_days(
    n: int, cercle_weight: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(cercle, day) of n incidents drawn from bursts: a cercle, a few weeks, many events."""
    n_bursts = max(1, n // 5)
    burst_cercle = rng.choice(len(cercle_weight), n_bursts, p=cercle_weight / cercle_weight.sum())
    years = rng.choice(len(YEAR_WEIGHTS), n_bursts, p=np.array(YEAR_WEIGHTS) / sum(YEAR_WEIGHTS))
    year_start = np.array([f"{2018 + y}-01-01" for y in years], dtype="datetime64[D]").astype(
        np.int64
    )
    start = year_start + rng.integers(0, 365, n_bursts)
    length = rng.integers(7, 43, n_bursts)
    burst = rng.integers(0, n_bursts, n)
    day = start[burst] + (rng.random(n) * length[burst]).astype(np.int64)
    last = np.datetime64("2024-12-31", "D").astype(np.int64)
    return burst_cercle[burst], np.clip(day, FIRST_DAY.astype(np.int64), last)


def _incident_villages(cercle: np.ndarray, places: _Places, rng: np.random.Generator) -> np.ndarray:
    tables = {
        c: (
            places.cercle_first_village[c] + np.arange(places.cercle_villages[c]),
            _zipf(int(places.cercle_villages[c]), 0.7),
        )
        for c in np.unique(cercle)
    }
    return _by_group(cercle, tables, rng)


def _victim_counts(context: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mostly 1-4 people; some massacres of dozens (village and market attacks above all)."""
    n = len(context)
    counts = rng.geometric(0.4, n)
    mass = np.isin(context, [_context_id("attack_on_village"), _context_id("market_attack")])
    massacre = rng.random(n) < np.where(mass, 0.12, 0.03)
    counts = np.where(massacre, np.ceil(rng.lognormal(np.log(15), 0.6, n)), counts)
    worst = rng.random(n) < np.where(mass, 0.01, 0.002)
    return np.where(worst, rng.integers(40, 161, n), counts).astype(np.int64)


def _context_id(key: str) -> int:
    return list(_CONTEXTS).index(key)


def _harm_mask(context: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(context)
    village = context == _context_id("attack_on_village")
    primary = np.where(context == _context_id("abduction"), 2, 1)
    extra = [(0.45, 0.45), (0.5, 0.1), (0.3, 0.05), (0.2, 0.02)]  # injured, property, …
    mask = primary
    for bit, (p_village, p_other) in enumerate(extra, start=2):
        mask = mask | (_flag(np.where(village, p_village, p_other), rng, n).astype(np.int64) << bit)
    return mask


def _draw_actor_sets(context: np.ndarray, year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    table = _actor_table()
    raw = _by_group(context, table.raw_by_context, rng)
    return table.fixed[raw, year]


def _incidents(n: int, places: _Places, rng: np.random.Generator) -> _Incidents:
    admin = places.admin
    cercle, day = _incident_days(n, admin.cercle_weight, rng)
    village = _incident_villages(cercle, places, rng)
    # a few separate events in one village on the same or the next day (an IED, then a raid)
    twin = np.flatnonzero(rng.random(n) < 0.015)
    twin = twin[twin > 0]
    cercle[twin], village[twin] = cercle[twin - 1], village[twin - 1]
    day[twin] = day[twin - 1] + rng.integers(0, 2, len(twin))
    year = np.clip(day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) - 48, 0, 6)
    zones = np.array([_ZONE_OF_REGION.get(p, 2) for p in admin.region_pcode])
    zone = zones[admin.cercle_region[cercle]]
    weights = np.array(list(_CONTEXTS.values()), dtype=float)
    context = _by_group(
        zone,
        {
            z: (np.arange(len(weights)), weights[:, z] / weights[:, z].sum())
            for z in range(len(ZONES))
        },
        rng,
    )
    victims = _victim_counts(context, rng)
    harms = _harm_mask(context, rng)
    killed = np.where(harms & 1, victims, 0)
    actors = _draw_actor_sets(context, year, rng)
    return _Incidents(cercle, village, day, year, zone, context, actors, harms, victims, killed)


# ---------------------------------------------------------------------------------------------
# True persons: households of one community, names drawn by community and sex, homonyms.


@dataclass(frozen=True)
class _Persons:
    incident: np.ndarray
    community: np.ndarray
    female: np.ndarray
    age: np.ndarray
    given: np.ndarray  # lemma ids; -1 = none
    middle: np.ndarray
    nickname: np.ndarray  # the middle name is a "dit" nickname
    family: np.ndarray
    particle: np.ndarray
    own_given: np.ndarray  # which spelling the person's own papers use
    own_middle: np.ndarray
    own_family: np.ndarray
    delay: np.ndarray  # died days after the event


def _household_communities(
    household_incident: np.ndarray, inc: _Incidents, places: _Places, rng: np.random.Generator
) -> np.ndarray:
    """Mostly the village's community; some households from elsewhere in the cercle."""
    village_community = places.village_community[inc.village[household_incident]]
    cercle = inc.cercle[household_incident]
    mix = places.admin.cercle_mix
    tables = {c: (np.arange(len(COMMUNITIES)), mix[c]) for c in np.unique(cercle)}
    other = _by_group(cercle, tables, rng)
    return np.where(rng.random(len(cercle)) < 0.88, village_community, other)


def _sexes_and_ages(context: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n = len(context)
    p_male = np.full(len(_CONTEXTS), 0.93)
    for key, p in (
        ("attack_on_village", 0.72),
        ("abduction", 0.9),
        ("air_drone_strike", 0.8),
        ("market_attack", 0.7),
        ("shelling", 0.7),
    ):
        p_male[_context_id(key)] = p
    female = rng.random(n) >= p_male[context]
    adult = 15 + rng.gamma(2.0, np.where(female, 12.0, 11.0), n) + np.where(female, 0, 3)
    age = np.where(rng.random(n) < 0.12, rng.integers(1, 15, n), np.minimum(adult, 90))
    return female, age.astype(np.int64)


def _own_spelling(vocab: _Vocab, lemma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A quarter of people write their name in a less usual spelling on their own papers."""
    n = len(lemma)
    other = (rng.random(n) * vocab.counts[np.maximum(lemma, 0)]).astype(np.int64)
    return np.where(rng.random(n) < 0.25, other, 0)


def _persons(inc: _Incidents, places: _Places, rng: np.random.Generator) -> _Persons:
    vocab = _vocab()
    incident = np.repeat(np.arange(len(inc.victims)), inc.victims)
    n = len(incident)
    first = np.ones(n, dtype=bool)
    first[1:] = incident[1:] != incident[:-1]
    household = np.cumsum(first | (rng.random(n) < 0.5)) - 1
    starts = np.flatnonzero(np.diff(household, prepend=-1))
    h_community = _household_communities(incident[starts], inc, places, rng)
    community = h_community[household]
    female, age = _sexes_and_ages(inc.context[incident], rng)
    given_tables = {c * 2 + s: t for (c, s), t in vocab.given.items()}
    key = community * 2 + female
    given = _by_group(key, given_tables, rng)
    for _ in range(2):  # brothers and sisters seldom share a given name
        same = np.flatnonzero((household[1:] == household[:-1]) & (given[1:] == given[:-1])) + 1
        given[same] = _by_group(key[same], given_tables, rng)
    second = _by_group(key, given_tables, rng)
    nickname = rng.random(n) < np.where(female, 0.005, 0.03)
    nick = vocab.nicknames[rng.integers(0, len(vocab.nicknames), n)]
    second = np.where(second == given, -1, second)  # no "Lalla Lalla"
    middle = np.where(nickname, nick, np.where(rng.random(n) < 0.18, second, -1))
    family_tables = {
        c: vocab.surnames.get(c) or vocab.given[(c, 0)] for c in range(len(COMMUNITIES))
    }
    family = _by_group(h_community, family_tables, rng)[household]  # patronymic: the father
    particle_of = np.full((len(COMMUNITIES), 2), -1)
    for (c, s), lemma in vocab.particles.items():
        particle_of[c, s] = lemma
    particle = particle_of[community, female.astype(np.int64)]
    delay = np.where(rng.random(n) < 0.04, rng.integers(1, 16, n), 0)
    persons = _Persons(
        incident,
        community,
        female,
        age,
        given,
        middle,
        nickname,
        family,
        particle,
        _own_spelling(vocab, given, rng),
        _own_spelling(vocab, middle, rng),
        _own_spelling(vocab, family, rng),
        delay,
    )
    _make_homonyms(persons, inc.victims, rng)
    return persons


def _make_homonyms(p: _Persons, victims: np.ndarray, rng: np.random.Generator) -> None:
    """In a quarter of incidents with 3+ victims, the last victim bears the first one's full
    name (another household, another age): two people, one name."""
    starts = np.cumsum(victims) - victims
    chosen = (victims >= 3) & (rng.random(len(victims)) < 0.25)
    a, b = starts[chosen], starts[chosen] + victims[chosen] - 1
    for name in (
        "community",
        "female",
        "given",
        "middle",
        "nickname",
        "family",
        "particle",
        "own_given",
        "own_middle",
        "own_family",
    ):
        column = getattr(p, name)
        column[b] = column[a]
    gap = rng.integers(5, 26, len(a)) * np.where(rng.random(len(a)) < 0.5, -1, 1)
    older = p.age[a] + gap
    p.age[b] = np.where((older < 1) | (older > 90), p.age[a] - gap, older)


# ---------------------------------------------------------------------------------------------
# Sightings: which source saw which incident, and how it placed and dated it. A source's
# report and its victim list of one incident share these.


@dataclass(frozen=True)
class _Sightings:
    incident: np.ndarray
    source: np.ndarray  # index into the profiles
    day: np.ndarray
    level: np.ndarray  # 0 village, 1 cercle only, 2 region only
    place_name: np.ndarray
    region: np.ndarray  # the region as the source codes it
    region_name: np.ndarray


def _sightings(
    inc: _Incidents, places: _Places, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> _Sightings:
    reach = np.array([p.reach for p in profiles])  # (sources, zones)
    size = _profile_array(profiles, "size_bias")
    p = _profile_array(profiles, "knows") * reach[:, inc.zone].T
    p = np.minimum(p * (1 + size * np.log1p(inc.victims)[:, None]), 0.97)
    incident, source = np.nonzero(rng.random(p.shape) < p)
    m = len(incident)
    shift = _shift_days(m, rng, _profile_array(profiles, "late_bias")[source])
    day = inc.day[incident] + np.where(
        _flag(_profile_array(profiles, "date_shift")[source], rng, m), shift, 0
    )
    u = rng.random(m)
    p_region = _profile_array(profiles, "place_region")[source]
    p_cercle = _profile_array(profiles, "place_cercle")[source]
    level = np.where(u < p_region, 2, np.where(u < p_region + p_cercle, 1, 0))
    admin, cercle = places.admin, inc.cercle[incident]
    old = _flag(_profile_array(profiles, "old_codes")[source], rng, m)
    region = np.where(old, admin.cercle_old_region[cercle], admin.cercle_region[cercle])
    n_villages = len(places.village_cercle)
    place = np.where(
        level == 0,
        inc.village[incident],
        np.where(level == 1, n_villages + cercle, n_villages + len(admin.cercle_pcode) + region),
    )
    variant = _profile_array(profiles, "place_variant")[source]
    region_name = _place_text(places, n_villages + len(admin.cercle_pcode) + region, variant, rng)
    return _Sightings(
        incident, source, day, level, _place_text(places, place, variant, rng), region, region_name
    )


# ---------------------------------------------------------------------------------------------
# Incident reports.


def _report_dates(
    day: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, precision): day, or the week, month or year around it."""
    u = rng.random(len(day))
    p_year, p_month, p_week = (
        _profile_array(profiles, k)[source] for k in ("year", "month", "week")
    )
    precision = np.where(
        u < p_year,
        "year",
        np.where(
            u < p_year + p_month, "month", np.where(u < p_year + p_month + p_week, "week", "day")
        ),
    )
    dates = day.astype("datetime64[D]")
    monday = dates - ((day + 3) % 7)
    month = dates.astype("datetime64[M]")
    year = dates.astype("datetime64[Y]")
    start = np.select(
        [precision == "week", precision == "month", precision == "year"],
        [monday, month.astype("datetime64[D]"), year.astype("datetime64[D]")],
        dates,
    )
    end = np.select(
        [precision == "week", precision == "month", precision == "year"],
        [
            monday + 6,
            (month + 1).astype("datetime64[D]") - 1,
            (year + 1).astype("datetime64[D]") - 1,
        ],
        dates,
    )
    return start, end, precision.astype(object)


def _report_points(
    s: _Sightings,
    inc: _Incidents,
    places: _Places,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    """Village point jittered 0-15 km, the cercle's chief town, or nothing."""
    m = len(s.incident)
    point = places.village_point[inc.village[s.incident]].copy()
    km = np.where(rng.random(m) < 0.3, 0.0, rng.uniform(0, 15, m))
    angle = rng.uniform(0, 2 * np.pi, m)
    point[:, 0] += km * np.cos(angle) / KM_PER_DEGREE
    point[:, 1] += km * np.sin(angle) / (KM_PER_DEGREE * np.cos(np.radians(point[:, 0])))
    chief_town = places.admin.cercle_point[inc.cercle[s.incident]]
    use_town = (s.level == 1) | _flag(_profile_array(profiles, "coords_cercle")[s.source], rng, m)
    point = np.where(use_town[:, None], chief_town, point)
    missing = (s.level == 2) | _flag(_profile_array(profiles, "coords_missing")[s.source], rng, m)
    return np.where(missing[:, None], np.nan, point.round(5))


def _report_actors(
    s: _Sightings, inc: _Incidents, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> list[list[str] | None]:
    table = _actor_table()
    m = len(s.incident)
    actors = inc.actors[s.incident]
    other = _draw_actor_sets(inc.context[s.incident], inc.year[s.incident], rng)
    actors = np.where(
        _flag(_profile_array(profiles, "actor_other")[s.source], rng, m), other, actors
    )
    vague = np.where(
        table.has_veo[actors] & (rng.random(m) < 0.5), table.vague_veo, table.vague_unknown
    )
    actors = np.where(
        _flag(_profile_array(profiles, "actor_vague")[s.source], rng, m), vague, actors
    )
    missing = _flag(_profile_array(profiles, "actor_missing")[s.source], rng, m)
    return [None if gone else list(table.sets[a]) for a, gone in zip(actors, missing, strict=True)]


def _report_harms(s: _Sightings, inc: _Incidents, rng: np.random.Generator) -> list[list[str]]:
    """The main harm always; each other harm mentioned by 60 % of the reports."""
    mask = inc.harms[s.incident]
    mentioned = np.zeros(len(mask), dtype=np.int64)
    for bit in range(2, len(_HARMS)):
        mentioned |= (rng.random(len(mask)) < 0.6).astype(np.int64) << bit
    mask = mask & (mentioned | 3)
    keys = {m: [h for b, h in enumerate(_HARMS) if m >> b & 1] for m in np.unique(mask)}
    return [list(keys[m]) for m in mask]


def _report_killed(
    s: _Sightings, inc: _Incidents, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> pd.arrays.IntegerArray:
    m = len(s.incident)
    true = inc.killed[s.incident]
    noisy = np.rint(true * (1 + rng.uniform(-0.3, 0.3, m))).astype(np.int64)
    noisy = np.where(true > 0, np.maximum(noisy, 1), 0)
    rounded = np.where(noisy > 20, np.rint(noisy / 5) * 5, noisy).astype(np.int64)  # "about 25"
    killed = np.where(
        _flag(_profile_array(profiles, "killed_noisy")[s.source], rng, m), rounded, true
    )
    p_missing = _profile_array(profiles, "killed_missing")[s.source]
    missing = _flag(np.where(true == 0, np.maximum(p_missing, 0.5), p_missing), rng, m)
    return pd.arrays.IntegerArray(killed, missing)


def _report_contexts(
    s: _Sightings, inc: _Incidents, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> np.ndarray:
    keys = np.array([*_CONTEXTS, "unknown"], dtype=object)
    confused = np.array([_context_id(_CONFUSED_CONTEXT.get(k, k)) for k in _CONTEXTS])
    m = len(s.incident)
    context = inc.context[s.incident]
    flip = _flag(_profile_array(profiles, "context_confused")[s.source], rng, m)
    text = keys[np.where(flip, confused[context], context)]
    unknown = _flag(_profile_array(profiles, "context_unknown")[s.source], rng, m)
    return _blank(np.where(unknown, "unknown", text), unknown & (rng.random(m) < 0.5))


def _reports(
    s: _Sightings,
    inc: _Incidents,
    places: _Places,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> pd.DataFrame:
    start, end, precision = _report_dates(s.day, s.source, profiles, rng)
    point = _report_points(s, inc, places, profiles, rng)
    admin = places.admin
    cercle = inc.cercle[s.incident]
    region_only = s.level == 2
    frame = pd.DataFrame(
        {
            "source": np.array([p.name for p in profiles], dtype=object)[s.source],
            "date_start": start.astype("datetime64[ns]"),
            "date_end": end.astype("datetime64[ns]"),
            "date_precision": precision,
            "latitude": point[:, 0],
            "longitude": point[:, 1],
            "admin1_pcode": admin.region_pcode[s.region],
            "admin2_pcode": _blank(admin.cercle_pcode[cercle], region_only),
            "place_name": _blank(s.place_name, region_only & (rng.random(len(cercle)) < 0.4)),
            "actors": _report_actors(s, inc, profiles, rng),
            "harm_types": _report_harms(s, inc, rng),
            "killed": _report_killed(s, inc, profiles, rng),
            "interaction_context": _report_contexts(s, inc, profiles, rng),
            "true_incident_id": s.incident.astype(np.int64) + 1,
        }
    )
    return frame


# ---------------------------------------------------------------------------------------------
# Victim records: names as each list writes them.


@dataclass(frozen=True)
class _NameStyle:
    variant: np.ndarray  # probability of another spelling, per record
    drop_accents: np.ndarray
    surname_first: np.ndarray
    upper_surname: np.ndarray
    all_upper: np.ndarray
    keep_middle: np.ndarray
    particle_style: np.ndarray


def _list_styles(
    source: np.ndarray, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> _NameStyle:
    n = len(source)

    def flag(name: str) -> np.ndarray:
        return _flag(_profile_array(profiles, name)[source], rng, n)

    styles = np.cumsum(_PARTICLE_STYLE_WEIGHTS) / sum(_PARTICLE_STYLE_WEIGHTS)
    return _NameStyle(
        variant=_profile_array(profiles, "variant")[source],
        drop_accents=flag("drop_accents"),
        surname_first=flag("surname_first"),
        upper_surname=flag("upper_surname"),
        all_upper=flag("all_upper"),
        keep_middle=~flag("drop_middle"),
        particle_style=_choose(styles, rng, n),
    )


def _canonical_style(n: int) -> _NameStyle:
    no = np.zeros(n, dtype=bool)
    return _NameStyle(np.zeros(n), no, no, no, no, ~no, np.zeros(n, dtype=np.int64))


def _spell(
    vocab: _Vocab,
    lemma: np.ndarray,
    own: np.ndarray,
    p_variant: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Spelling id: the person's own spelling, or (with p_variant) any spelling of the name."""
    safe = np.maximum(lemma, 0)
    n = len(lemma)
    other = (rng.random(n) * vocab.counts[safe]).astype(np.int64)
    return vocab.offsets[safe] + np.where(rng.random(n) < p_variant, other, own)


def _compose_names(
    p: _Persons, who: np.ndarray, style: _NameStyle, rng: np.random.Generator
) -> np.ndarray:
    """'Amadou Hamadoun Diallo', 'DIALLO Amadou', 'Alhousseini Ag Mohamed', 'Agmohamed …'."""
    vocab = _vocab()
    forms = vocab.forms
    accents = style.drop_accents.astype(np.int64)
    upper = style.all_upper.astype(np.int64)
    upper_family = style.all_upper | (style.surname_first & style.upper_surname)
    given = forms[
        accents + 2 * upper, _spell(vocab, p.given[who], p.own_given[who], style.variant, rng)
    ]
    middle_lemma = p.middle[who]
    middle = forms[
        accents + 2 * upper, _spell(vocab, middle_lemma, p.own_middle[who], style.variant, rng)
    ]
    joiner = np.where(p.nickname[who], np.where(style.all_upper, " DIT ", " dit "), " ")
    middle = np.where((middle_lemma >= 0) & style.keep_middle, joiner + middle, "")
    particle = p.particle[who]
    joined = (particle >= 0) & (style.particle_style == _JOINED_STYLE) & ~upper_family
    family_case = np.where(joined, 2, upper_family.astype(np.int64))
    family = forms[
        accents + 2 * family_case,
        _spell(vocab, p.family[who], p.own_family[who], style.variant, rng),
    ]
    particle_spelling = _spell(
        vocab, particle, np.zeros(len(who), dtype=np.int64), style.variant, rng
    )
    prefix = vocab.particle_forms[
        upper_family.astype(np.int64), style.particle_style, particle_spelling
    ]
    family = np.where(particle >= 0, prefix + family, family)
    return np.where(
        style.surname_first, family + " " + given + middle, given + middle + " " + family
    )


def _add_typos(names: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """One edit (substitution, deletion, insertion, transposition) in each chosen name."""
    letters = "aeioubdfgklmnrstyz"
    draws = rng.random((len(rows), 3))
    for (u_pos, u_op, u_letter), row in zip(draws, rows, strict=True):
        name = names[row]
        pos = int(u_pos * (len(name) - 1))
        if not name[pos].isalpha() or not name[pos + 1].isalpha():
            continue
        letter = letters[int(u_letter * len(letters))]
        letter = letter.upper() if name[pos].isupper() else letter
        op = int(u_op * 4)
        if op == 0:
            names[row] = name[:pos] + letter + name[pos + 1 :]
        elif op == 1:
            names[row] = name[:pos] + name[pos + 1 :]
        elif op == 2:
            names[row] = name[:pos] + letter + name[pos:]
        else:
            names[row] = name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]


def _record_ages(
    true_age: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> pd.arrays.IntegerArray:
    """Ages off by up to 3 years, heaped on 5s and 10s (an age band), or missing."""
    n = len(true_age)
    noise = rng.integers(-3, 4, n) * _flag(_profile_array(profiles, "age_noise")[source], rng, n)
    age = np.maximum(true_age + noise, 0)
    step = np.where(rng.random(n) < 0.5, 5, 10)
    heaped = np.where(age >= 15, np.rint(age / step) * step, age).astype(np.int64)
    age = np.where(_flag(_profile_array(profiles, "age_heaped")[source], rng, n), heaped, age)
    missing = _flag(_profile_array(profiles, "age_missing")[source], rng, n)
    return pd.arrays.IntegerArray(age.astype(np.int64), missing)


def _record_sexes(
    female: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(female)
    written = female ^ (rng.random(n) < 0.005)  # the odd clerical slip
    sex = np.where(written, "f", "m").astype(object)
    return _blank(sex, _flag(_profile_array(profiles, "sex_missing")[source], rng, n))


def _captured(
    s: _Sightings,
    inc: _Incidents,
    p: _Persons,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(sighting, person) of each victim a source names, plus re-entered duplicates."""
    counts = inc.victims[s.incident]
    sighting = np.repeat(np.arange(len(counts)), counts)
    first_person = (np.cumsum(inc.victims) - inc.victims)[s.incident]
    within = np.arange(len(sighting)) - np.repeat(np.cumsum(counts) - counts, counts)
    person = np.repeat(first_person, counts) + within
    p_name = _profile_array(profiles, "names_victim")[s.source[sighting]]
    keep = rng.random(len(person)) < np.where(p.female[person], 0.9, 1.0) * p_name
    sighting, person = sighting[keep], person[keep]
    again = _flag(_profile_array(profiles, "duplicates")[s.source[sighting]] / 2, rng, len(person))
    return np.concatenate([sighting, sighting[again]]), np.concatenate([person, person[again]])


def _event_dates(
    s: _Sightings,
    sighting: np.ndarray,
    p: _Persons,
    person: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(sighting)
    source = s.source[sighting]
    day = s.day[sighting] + np.where(rng.random(n) < 0.7, p.delay[person], 0)
    odd = rng.random(n) < 0.05
    day = day + np.where(odd, _shift_days(n, rng, np.zeros(n, dtype=bool)), 0)
    dates = day.astype("datetime64[D]").astype("datetime64[ns]")
    missing = _flag(_profile_array(profiles, "date_missing")[source], rng, n)
    return np.where(missing, np.datetime64("NaT", "ns"), dates)


def _victims(
    s: _Sightings,
    inc: _Incidents,
    p: _Persons,
    places: _Places,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> pd.DataFrame:
    sighting, person = _captured(s, inc, p, profiles, rng)
    source = s.source[sighting]
    n = len(person)
    names = _compose_names(p, person, _list_styles(source, profiles, rng), rng)
    _add_typos(names, np.flatnonzero(_flag(_profile_array(profiles, "typo")[source], rng, n)), rng)
    # some records give only the region, whatever the list's report of the incident says
    region_only = (s.level[sighting] == 2) | _flag(
        _profile_array(profiles, "place_region")[source] / 2, rng, n
    )
    place = np.where(region_only, s.region_name[sighting], s.place_name[sighting])
    place = _blank(place, region_only & (rng.random(n) < 0.5))
    admin = places.admin
    return pd.DataFrame(
        {
            "source": np.array([pr.name for pr in profiles], dtype=object)[source],
            "full_name": names,
            "sex": _record_sexes(p.female[person], source, profiles, rng),
            "age": _record_ages(p.age[person], source, profiles, rng),
            "event_date": _event_dates(s, sighting, p, person, profiles, rng),
            "admin1_pcode": admin.region_pcode[s.region[sighting]],
            "admin2_pcode": _blank(
                admin.cercle_pcode[inc.cercle[s.incident[sighting]]], region_only
            ),
            "place_name": place,
            "true_person_id": person.astype(np.int64) + 1,
            "true_incident_id": s.incident[sighting].astype(np.int64) + 1,
        }
    )


# ---------------------------------------------------------------------------------------------
# Assembly.


def _with_copies(
    frame: pd.DataFrame, source: str, share: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The same row entered twice in one list (an offline form submitted again)."""
    rows = np.flatnonzero((frame["source"] == source).to_numpy() & (rng.random(len(frame)) < share))
    return pd.concat([frame, frame.iloc[rows]], ignore_index=True)


def _numbered(
    frame: pd.DataFrame,
    profiles: tuple[SourceProfile, ...],
    columns: list[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Rows list by list, shuffled within a list, numbered 1..n: ids tell nothing of the truth."""
    order = {p.name: i for i, p in enumerate(profiles)}
    rank = np.lexsort((rng.random(len(frame)), frame["source"].map(order).to_numpy()))
    frame = frame.iloc[rank].reset_index(drop=True)
    frame.insert(0, "record_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame[columns]


def _incident_frame(inc: _Incidents, places: _Places) -> pd.DataFrame:
    admin = places.admin
    table = _actor_table()
    return pd.DataFrame(
        {
            "true_incident_id": np.arange(1, len(inc.day) + 1, dtype=np.int64),
            "date": inc.day.astype("datetime64[D]").astype("datetime64[ns]"),
            "admin1_pcode": admin.region_pcode[admin.cercle_region[inc.cercle]],
            "admin2_pcode": admin.cercle_pcode[inc.cercle],
            "place_name": places.name_texts[places.name_offsets[inc.village]],
            "latitude": places.village_point[inc.village, 0],
            "longitude": places.village_point[inc.village, 1],
            "interaction_context": np.array(list(_CONTEXTS), dtype=object)[inc.context],
            "actors": [list(table.sets[a]) for a in inc.actors],
            "victims": inc.victims,
            "killed": inc.killed,
        }
    )


def _person_frame(p: _Persons, rng: np.random.Generator) -> pd.DataFrame:
    n = len(p.incident)
    names = _compose_names(p, np.arange(n), _canonical_style(n), rng)
    return pd.DataFrame(
        {
            "true_person_id": np.arange(1, n + 1, dtype=np.int64),
            "true_incident_id": p.incident.astype(np.int64) + 1,
            "full_name": names,
            "sex": np.where(p.female, "f", "m").astype(object),
            "age": p.age,
            "community": np.array(COMMUNITIES, dtype=object)[p.community],
        }
    )


def _report_columns() -> list[str]:
    return [*INCIDENT_REPORT_COLUMNS, "true_incident_id"]


def _victim_columns() -> list[str]:
    return [*VICTIM_RECORD_COLUMNS, "true_person_id", "true_incident_id"]


def _profiles(sources: int) -> tuple[SourceProfile, ...]:
    if not 2 <= sources <= len(PROFILES):
        raise ValueError(f"sources must be between 2 and {len(PROFILES)}, not {sources}")
    return PROFILES[:sources]


def _generate(n_incidents: int, seed: int, sources: int, with_reports: bool) -> SyntheticTruth:
    if n_incidents < 1:
        raise ValueError(f"n_incidents must be at least 1, not {n_incidents}")
    profiles = _profiles(sources)
    _check_taxonomy()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    places = _places(int(np.clip(n_incidents, 1_500, 60_000)), streams[0])
    inc = _incidents(n_incidents, places, streams[1])
    persons = _persons(inc, places, streams[2])
    sight = _sightings(inc, places, profiles, streams[3])
    duplicated = {p.name: p.duplicates for p in profiles if p.duplicates > 0}
    victims = _victims(sight, inc, persons, places, profiles, streams[4])
    reports = _reports(sight, inc, places, profiles, streams[5]) if with_reports else None
    for name, share in duplicated.items():
        victims = _with_copies(victims, name, share / 2, streams[6])
        if reports is not None:
            reports = _with_copies(reports, name, share, streams[6])
    return SyntheticTruth(
        reports=_numbered(reports, profiles, _report_columns(), streams[6])
        if reports is not None
        else pd.DataFrame(columns=_report_columns()),
        victims=_numbered(victims, profiles, _victim_columns(), streams[6]),
        incidents=_incident_frame(inc, places),
        persons=_person_frame(persons, streams[6]),
        sources_with_duplicates=frozenset(duplicated),
    )


def generate_linkage_truth(n_incidents: int, *, seed: int = 0, sources: int = 4) -> SyntheticTruth:
    """Reports and victim records of `n_incidents` made-up incidents seen by `sources` lists
    (2-6: UN list, NGO list, press, interviews, local authority, hospital), with their truth.

    Deterministic for a seed. About 4 victims per incident and 6-7 victim records per
    incident with 4 sources. Dates are datetime64[ns] (NaT when missing); counts and ages are
    nullable Int64; `actors` is a list of taxonomy keys or None.
    """
    return _generate(n_incidents, seed, sources, with_reports=True)


RECORDS_PER_INCIDENT = 5.7  # victim records per incident with 4 sources, measured


SHARD_RECORDS = 10_000  # records of one Mali-sized register over 2018-2024


def victims_for_size(n_records: int, seed: int = 0, shard: int = SHARD_RECORDS) -> pd.DataFrame:
    """A victims frame (with truth columns) of at most `n_records` rows and close to it, made
    of whole incidents: for benchmarks at 10k, 100k, 1M records.

    Past `shard` records the register is made of several Mali-sized registers side by side
    (P-codes prefixed "S1-", "S2-"…), so that records per cercle and day stay what one country
    produces: ten times the records in the same cercles and years would be a denser register
    — a harder problem — not a bigger one."""
    parts = []
    offset = incident_offset = person_offset = 0
    for index in range(max(1, -(-n_records // shard))):
        size = min(shard, n_records - index * shard)
        part = _victims_of_one_register(size, seed + index)
        if index:
            for column in ("admin1_pcode", "admin2_pcode"):
                part[column] = (f"S{index}-" + part[column].astype("object")).where(
                    part[column].notna(), None
                )
        part["record_id"] += offset
        part["true_incident_id"] += incident_offset
        part["true_person_id"] += person_offset
        offset = int(part["record_id"].max())
        incident_offset = int(part["true_incident_id"].max()) + 1
        person_offset = int(part["true_person_id"].max()) + 1
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _victims_of_one_register(n_records: int, seed: int) -> pd.DataFrame:
    n_incidents = int(n_records / RECORDS_PER_INCIDENT * 1.1) + 20
    while True:
        victims = _generate(n_incidents, seed, 4, with_reports=False).victims
        if len(victims) >= n_records:
            break
        n_incidents = int(n_incidents * 1.3)
    per_incident = victims["true_incident_id"].value_counts().sort_index().cumsum()
    kept = per_incident.index[per_incident.to_numpy() <= n_records]
    return victims[victims["true_incident_id"].isin(kept)].reset_index(drop=True)
