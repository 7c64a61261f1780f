"""Data of the generator: name spellings, cercles and communities, contexts, actors and
source profiles.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    precision_missing: float = 0.3  # does not say how precise its place is
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
                  date_missing=0.03, date_shift=0.1, coords_cercle=0.2, place_variant=0.15,
                  precision_missing=0.1),
    SourceProfile("ngo_list", 0.55, (1.0, 0.7, 0.5), 0.85, surname_first=0.3, drop_accents=0.6,
                  variant=0.15, typo=0.06, sex_missing=0.08, age_missing=0.2, date_shift=0.2,
                  old_codes=0.3, week=0.05, month=0.1, coords_missing=0.2, coords_cercle=0.05,
                  actor_missing=0.2, actor_vague=0.2, killed_noisy=0.5, duplicates=0.01),
    SourceProfile("press", 0.22, (1.0, 0.8, 1.0), 0.6, size_bias=0.3, surname_first=0.1,
                  upper_surname=0.3, variant=0.2, drop_middle=0.5, sex_missing=0.35,
                  age_missing=0.55, age_heaped=0.4, date_missing=0.15, date_shift=0.35,
                  late_bias=True, place_cercle=0.3, place_region=0.1, place_variant=0.45,
                  old_codes=0.2, week=0.1, coords_missing=0.6, coords_cercle=0.3, actor_vague=0.5,
                  killed_missing=0.15, killed_noisy=0.7, context_unknown=0.2,
                  precision_missing=0.7),
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
                  coords_missing=0.9, actor_missing=0.6, precision_missing=0.6),
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
