"""Name lists (data) for generated demo people: common Malian given and family names.

Combinations are drawn at random, so every person is generated; never add a real person's
full name here. Every string must be encodable in cp1252 (the NGO list is written in it).
"""

from __future__ import annotations


def _names(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# Naming traditions. Each has male and female given names and family names.
# Tamasheq and Arab family "names" are patronymic particles + a father's name.
GIVEN_MALE: dict[str, tuple[str, ...]] = {
    "bambara": _names(
        "Mamadou Moussa Seydou Adama Bakary Drissa Lassana Siaka Modibo Tiémoko "
        "Souleymane Abdoulaye Sékou Yacouba Kalifa Daouda Issa Salif Oumar Ibrahim "
        "Ousmane Boubacar Bréhima"
    ),
    "fulfulde": _names(
        "Amadou Hamadoun Boubacar Oumar Hama Allaye Hamidou Aliou Ousmane Mamadou "
        "Abdoulaye Moussa Bocary Sambourou Ibrahim Souleymane Yéro Hassane Bouba Mody "
        "Issa Seydou"
    ),
    "songhay": _names(
        "Mahamane Alassane Hassane Boureima Moussa Issa Abdoulaye Ousmane Idrissa Hamidou "
        "Mamadou Ibrahim Oumar Sidi Almahadi Amadou Youssouf Abdramane Moctar"
    ),
    "dogon": _names(
        "Amadou Ousmane Seydou Hamadoun Daouda Moussa Yacouba Boureima Antandou Mamadou "
        "Allaye Issiaka Adama Oumar Gabriel Boubacar Ibrahim"
    ),
    "tamasheq": _names(
        "Mohamed Ahmed Alhousseyni Attaher Intallah Acherif Almoustapha Assaleh Bilal "
        "Hamma Moussa Ibrahim Alhassane Ousmane"
    ),
    "arab": _names("Mohamed Ahmed Sidi Ali Abdallah Mahmoud Cheikh Baba"),
}

GIVEN_FEMALE: dict[str, tuple[str, ...]] = {
    "bambara": _names(
        "Fatoumata Aminata Mariam Awa Kadiatou Oumou Hawa Assitan Djénéba Salimata Rokia "
        "Fanta Bintou Korotoumou Sitan Nana"
    ),
    "fulfulde": _names(
        "Fatoumata Aïssata Kadidia Hawa Mariam Oumou Ramata Coumba Djénéba Aminata "
        "Safiatou Hadizatou Adiaratou Maïmouna"
    ),
    "songhay": _names(
        "Fatoumata Aïssata Mariam Haoua Zeinabou Aminata Hadijatou Maïmouna Safiatou Kadidia Aïcha"
    ),
    "dogon": _names("Yapérou Fatoumata Mariam Aïssata Kadidia Yakoromo Aminata Hawa Oumou Ya"),
    "tamasheq": _names("Fadimata Mina Lalla Tina Zeinabou Takiyat Aïcha Fatma"),
    "arab": _names("Fatma Mariem Zeinabou Aïcha Khadijetou Lalla"),
}

FAMILY: dict[str, tuple[str, ...]] = {
    "bambara": _names(
        "Traoré Coulibaly Diarra Keïta Koné Konaté Diakité Sanogo Dembélé Doumbia Sissoko "
        "Camara Kanté Samaké Bagayoko Fofana Sangaré Touré Mariko Dao"
    ),
    "fulfulde": _names(
        "Diallo Barry Sidibé Sow Bah Cissé Tall Dicko Boly Dia Sangaré Tamboura Diakité Bary Cissé"
    ),
    "songhay": _names("Maïga Touré Cissé Haïdara Yattara Abdoulaye Traoré Dicko Alassane Hamadou"),
    "dogon": _names(
        "Guindo Dolo Togo Kassogué Ongoïba Tembely Saye Karambé Poudiougo Djimdé Tapily "
        "Sagara Yalcouyé"
    ),
    "tamasheq": _names(
        "Mohamed Alhassane Intallah Attaher Acherif Assalat Alher Ibrahim Elmehdi Bilal"
    ),
    "arab": _names("Sidi Mohamed Cheikh Ahmed Baba Hamma"),
}

# Particle prefixed to the father's name: "Ag" (son of) / "Walet" (daughter of) in
# Tamasheq, "Ould" / "Mint" in Hassaniya Arabic.
PATRONYMIC_PARTICLE: dict[str, tuple[str, str]] = {
    "tamasheq": ("Ag", "Walet"),
    "arab": ("Ould", "Mint"),
}

# How names are written differently by different lists (French, English, local usage).
GIVEN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Mamadou": ("Mahamadou", "Mohamed", "Mamadu"),
    "Mahamane": ("Mahamadou", "Mohamed"),
    "Ousmane": ("Usman", "Ousman", "Housmane"),
    "Amadou": ("Ahmadou", "Hamadou", "Amadu"),
    "Boubacar": ("Aboubacar", "Boubakar", "Abubakar"),
    "Ibrahim": ("Ibrahima", "Brahima", "Ibrahime"),
    "Souleymane": ("Soulemane", "Sulayman", "Souleyman"),
    "Abdoulaye": ("Abdallah", "Abdoulahi"),
    "Oumar": ("Umar", "Omar"),
    "Moussa": ("Musa", "Mousa"),
    "Seydou": ("Seidou", "Sidou"),
    "Youssouf": ("Yusuf", "Youssef"),
    "Hamadoun": ("Hamadou", "Amadoun"),
    "Alhousseyni": ("Alhousseini", "Al Housseyni"),
    "Intallah": ("Intalla",),
    "Mohamed": ("Mohammed", "Mahamed", "Mouhamed"),
    "Ahmed": ("Ahmad", "Hamed"),
    "Fatoumata": ("Fatimata", "Fatouma", "Fatimatou"),
    "Aminata": ("Aminatou", "Amina"),
    "Mariam": ("Mariama", "Maryam", "Mariame"),
    "Kadiatou": ("Kadidiatou", "Khadija"),
    "Kadidia": ("Kadidiatou", "Khadija"),
    "Aïssata": ("Aissata", "Aïchata", "Aisha"),
    "Oumou": ("Oumo", "Umu"),
    "Djénéba": ("Djeneba", "Jeneba"),
    "Haoua": ("Hawa", "Awa"),
    "Zeinabou": ("Zeynabou", "Zainab"),
}

FAMILY_VARIANTS: dict[str, tuple[str, ...]] = {
    "Traoré": ("Traore", "Trawore", "Traoure"),
    "Coulibaly": ("Koulibaly", "Kulibali", "Coulibali"),
    "Maïga": ("Maiga", "Maïgua"),
    "Diallo": ("Jallo", "Dialo"),
    "Keïta": ("Keita", "Kéita"),
    "Touré": ("Toure", "Ture"),
    "Cissé": ("Cisse", "Sisse"),
    "Dicko": ("Diko", "Dikko"),
    "Guindo": ("Guindou", "Gindo"),
    "Sidibé": ("Sidibe",),
    "Konaté": ("Konate",),
    "Dembélé": ("Dembele",),
    "Diarra": ("Jara", "Diara"),
    "Sangaré": ("Sangare",),
    "Ongoïba": ("Ongoiba",),
    "Haïdara": ("Haidara", "Haydara"),
    "Kassogué": ("Kassogue",),
    "Djimdé": ("Djimde",),
    "Intallah": ("Intalla",),
    "Tamboura": ("Tambura",),
}

# Which naming traditions live where (weights), by folded region name.
REGION_TRADITIONS: dict[str, dict[str, float]] = {
    "mopti": {"fulfulde": 0.45, "dogon": 0.35, "bambara": 0.1, "songhay": 0.1},
    "segou": {"bambara": 0.5, "fulfulde": 0.4, "dogon": 0.05, "songhay": 0.05},
    "tombouctou": {"songhay": 0.35, "tamasheq": 0.3, "arab": 0.15, "fulfulde": 0.2},
    "gao": {"songhay": 0.5, "tamasheq": 0.25, "fulfulde": 0.2, "arab": 0.05},
    "menaka": {"tamasheq": 0.55, "fulfulde": 0.25, "songhay": 0.2},
    "kidal": {"tamasheq": 0.85, "arab": 0.15},
}
DEFAULT_TRADITIONS: dict[str, float] = {"bambara": 0.7, "fulfulde": 0.25, "songhay": 0.05}
