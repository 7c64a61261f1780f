"""Writes the ingest test fixtures: fictional events at real Mali places, generated people.

Run `python tests/ingest/build_fixtures.py` to rebuild tests/ingest/fixtures/ and bad/.
The committed files are what the tests read; this script documents how they were made.
"""

from __future__ import annotations

import csv
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

from civharm.demo.acled import ACLED_COLUMNS
from civharm.demo.ucdp import UCDP_COLUMNS

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
BAD = HERE / "bad"

# (locality, commune, cercle, region, latitude, longitude): real places, approximate points.
PLACES = [
    ("Bankass", "Bankass", "Bankass", "Mopti", 14.0775, -3.5159),
    ("Mopti", "Mopti", "Mopti", "Mopti", 14.4843, -4.1827),
    ("Djenné", "Djenné", "Djenné", "Mopti", 13.9061, -4.5533),
    ("Bandiagara", "Bandiagara", "Bandiagara", "Mopti", 14.3500, -3.6104),
    ("Douentza", "Douentza", "Douentza", "Mopti", 15.0019, -2.9497),
    ("Ténenkou", "Ténenkou", "Ténenkou", "Mopti", 14.4572, -4.9169),
    ("Niono", "Niono", "Niono", "Ségou", 14.2526, -5.9931),
    ("Macina", "Macina", "Macina", "Ségou", 13.9623, -5.3579),
    ("Ségou", "Ségou", "Ségou", "Ségou", 13.4317, -6.2157),
    ("Tombouctou", "Tombouctou", "Tombouctou", "Tombouctou", 16.7735, -3.0074),
    ("Gao", "Gao", "Gao", "Gao", 16.2717, -0.0447),
    ("Ansongo", "Ansongo", "Ansongo", "Gao", 15.6597, 0.5022),
    ("Ménaka", "Ménaka", "Ménaka", "Ménaka", 15.9182, 2.4022),
    ("Kidal", "Kidal", "Kidal", "Kidal", 18.4411, 1.4078),
]
GIVEN = ["Amadou", "Fatoumata", "Moussa", "Aminata", "Boubacar", "Mariam", "Seydou", "Kadiatou"]
FAMILY = ["Diallo", "Traoré", "Coulibaly", "Keïta", "Sangaré", "Maïga", "Touré", "Cissé"]

ACLED_HEADER = ACLED_COLUMNS  # the export's columns, as the demo writes them
ACLED_EVENTS = [  # event_type, sub_event_type, actor1, inter1, actor2, inter2, targeting, notes
    ("Violence against civilians", "Attack", "Dan Na Ambassagou", "Identity militia",
     "Civilians (Mali)", "Civilians", "Civilian targeting",
     "Militiamen attacked the village and killed {n} civilians."),
    ("Explosions/Remote violence", "Air/drone strike", "Military Forces of Mali (2021-)",
     "State forces", "JNIM: Group for Support of Islam and Muslims", "Rebel group", "",
     "A drone strike hit a gathering; {n} people reported killed."),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED",
     "JNIM: Group for Support of Islam and Muslims", "Rebel group",
     "Civilians (Mali)", "Civilians", "Civilian targeting",
     "A bus hit an IED; {n} passengers killed."),
    ("Battles", "Armed clash", "Military Forces of Mali (2021-)", "State forces",
     "Islamic State Sahel", "Rebel group", "",
     "Clashes between FAMa and IS Sahel; {n} fatalities."),
    ("Violence against civilians", "Abduction/forced disappearance",
     "Unidentified Armed Group (Mali)", "Political militia", "Civilians (Mali)", "Civilians",
     "Civilian targeting", "Gunmen abducted traders; {n} killed."),
]  # fmt: skip


def write_acled() -> None:
    rng = random.Random(1)
    with (FIXTURES / "acled_current.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_HEADER)
        for index in range(20):
            place = PLACES[index % len(PLACES)]
            event = ACLED_EVENTS[index % len(ACLED_EVENTS)]
            deaths = rng.randint(0, 12)
            writer.writerow(_acled_row(index, place, event, deaths))


def _acled_row(index: int, place: tuple, event: tuple, deaths: int) -> list[str]:
    event_type, sub_type, actor1, inter1, actor2, inter2, targeting, notes = event
    locality, commune, cercle, region, lat, lon = place
    return [
        f"MLI{30000 + index}", f"2023-0{1 + index % 9}-{10 + index % 18:02d}", "2023",
        str(1 + index % 3), "Political violence", event_type, sub_type, actor1, "", inter1,
        actor2, "", inter2, "", targeting, "466", "Western Africa", "Mali", region, cercle,
        commune, locality, f"{lat}", f"{lon}", str(1 + index % 2), "Fictional Source",
        "National", notes.format(n=deaths), str(deaths), "", "1700000000",
    ]  # fmt: skip


UCDP_HEADER = UCDP_COLUMNS  # the export's columns, as the demo writes them
UCDP_SIDES = [
    ("1", "Government of Mali", "JNIM"),
    ("3", "JNIM", "Civilians"),
    ("3", "IS Sahel", "Civilians"),
    ("2", "Dan Na Ambassagou", "JNIM"),
    ("3", "Government of Mali", "Civilians"),
]


def ucdp_row(index: int, rng: random.Random) -> list[str]:
    """One fictional GED row (also used by the benchmark generator)."""
    locality, _commune, cercle, region, lat, lon = PLACES[index % len(PLACES)]
    violence, side_a, side_b = UCDP_SIDES[index % len(UCDP_SIDES)]
    civilians, unknown, deaths_a = rng.randint(0, 15), rng.randint(0, 4), rng.randint(0, 5)
    best = civilians + unknown + deaths_a
    day = f"20{18 + index % 6}-{1 + index % 12:02d}-{1 + index % 28:02d}"
    return [
        str(400000 + index), f"MLI-{index}", day[:4], "TRUE", "Clear", violence, "11347", "11347",
        "Mali: Government", "13000", "13000", f"{side_a} - {side_b}", "1", "1", side_a, "2", "2",
        side_b, "2", "Fictional Wire 2023", "Fictional Wire", f"{day}", "Attack near town", "",
        str(1 + index % 5), f"{locality} town", f"{locality}, {cercle}", f"{region} region",
        f"{cercle} cercle", f"{lat}", f"{lon}", f"POINT ({lon} {lat})", "152162", "Mali", "432",
        "Africa", "1", str(1 + index % 5), f"{day} 00:00:00.000", f"{day} 00:00:00.000",
        str(deaths_a), "0", str(civilians), str(unknown), str(best), str(best + 2), str(best),
        "432", "",
    ]  # fmt: skip


def write_ucdp_rows(path: Path, rows: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(UCDP_HEADER)
        for index in range(rows):
            writer.writerow(ucdp_row(index, rng))


def write_hxl() -> None:
    rows = [
        ["Date", "Region", "Cercle", "Localité", "Lat", "Lon", "Tués", "Blessés", "Auteur", "Type"],
        ["#date +occurred", "#adm1 +name", "#ADM2+Name", "#loc +name", "#geo +lat", "#geo+lon",
         "#affected +killed", "#affected+injured", "#group +perpetrator", "#event +type"],
        ["2023-02-14", "Mopti", "Bankass", "Bankass", "14.0775", "-3.5159", "7", "3", "JNIM",
         "IED or landmine"],
        ["15/03/2023", "Ségou", "Niono", "Niono", "", "", "environ 12", "", "FAMa",
         "Frappe aérienne ou de drone"],
        ["mars 2023", "Gao", "Ansongo", "Ansongo", "15.6597", "0.5022", "20-30", "?", "EIGS",
         "attack_on_village"],
    ]  # fmt: skip
    _write_csv(FIXTURES / "hxl_incidents.csv", rows, "utf-8", ",")


REPORT_HEADER_FR = [
    "Référence", "Date de l'incident", "Précision de la date", "Localité", "Commune", "Cercle",
    "Région", "Latitude", "Longitude", "Auteurs présumés", "Type d'interaction", "Tués",
    "Blessés", "Enlevés", "Ménages déplacés", "Résumé", "Source", "Langue", "Type de source",
]  # fmt: skip


def write_reports_fr() -> None:
    rows = [
        REPORT_HEADER_FR,
        ["R-001", "14/03/2022", "jour", "Bankass", "Bankass", "Bankass", "Mopti", "14,0775",
         "-3,5159", "Dan Na Ambassagou", "Attaque contre un village", "environ 12", "3", "", "",
         "Attaque d'un hameau à l'aube.", "Entretien", "français", "Entretien"],
        ["R-002", "03/04/2022", "", "Niono", "", "Niono", "Ségou", "", "", "FAMa; Wagner",
         "Opération terrestre", "20-30", "", "4", "15", "Opération dans le village.", "ONG",
         "fr", "ONG"],
        ["R-003", "mars 2022", "mois", "", "", "Douentza", "Mopti", "", "", "",
         "Enlèvement", "0", "", "au moins 5", "", "Enlèvement sur la route.", "Radio",
         "bambara", "Médias"],
        ["R-004", "2022-05-02", "", "Gao", "Gao", "Gao", "Gao", "16.2717", "-0.0447",
         "hommes armés non identifiés", "IED", "inconnu", "", "", "", "Explosion.", "Média",
         "fr", "Médias"],
    ]  # fmt: skip
    _write_csv(FIXTURES / "reports_fr.csv", rows, "utf-8-sig", ";")


REPORT_HEADER_EN = [
    "ID", "Start date", "End date", "Date precision", "Place", "Cercle", "Region",
    "Alleged perpetrator", "Interaction context", "Killed", "Injured", "Narrative", "Source",
]  # fmt: skip


def write_reports_en_xlsx() -> None:
    import datetime as dt

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Incident reports, fictional"])  # a title row above the header
    sheet.append(REPORT_HEADER_EN)
    sheet.append(["E-1", dt.datetime(2023, 6, 1), dt.datetime(2023, 6, 3), "day", "Djenné",
                  "Djenné", "Mopti", "Malian Armed Forces", "Checkpoint", 4, 2,
                  "Shots at a checkpoint.", "NGO"])  # fmt: skip
    sheet.append(["E-2", 45110, None, "", "Tombouctou", "Tombouctou", "Tombouctou",
                  "Islamic State Sahel", "ambush", "about 9", "", "Ambush on the road.",
                  "Media"])  # fmt: skip
    sheet.append(["E-3", "July 2023", None, "month", "Kidal", "Kidal", "Kidal", "unknown",
                  "Shelling or artillery", "at least 3", None, "Shells fell on the town.",
                  "UN"])  # fmt: skip
    workbook.save(FIXTURES / "reports_en.xlsx")


VICTIM_HEADER_FR = ["N°", "Nom", "Prénom", "Sexe", "Âge", "Date du décès", "Village", "Cercle",
                    "Région", "Statut", "Ethnie", "Téléphone"]  # fmt: skip


def victim_people(count: int, seed: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    return [
        (rng.choice(FAMILY), rng.choice(GIVEN), rng.choice("MF"), str(rng.randint(1, 80)))
        for _ in range(count)
    ]


def write_victims_fr() -> None:
    rows = [VICTIM_HEADER_FR]
    for number, (family, given, sex, age) in enumerate(victim_people(8, 3), start=1):
        place = PLACES[number % 4]
        sex_fr = "H" if sex == "M" else "F"
        phone = "76 00 00 00"  # a placeholder, not a real number
        rows.append([str(number), family, given, sex_fr, f"{age} ans", "23/03/2019", place[0],
                     place[2], place[3], "civil", "", phone])  # fmt: skip
    rows.append(["", "Sangaré", "Seydou", "H", "env. 40", "23/03/2019", "Bankass", "Bankass",
                 "Mopti", "civil", "", ""])  # fmt: skip
    rows.append(
        [
            "",
            "Sangaré",
            "Seydou",
            "H",
            "env. 40",
            "23/03/2019",
            "Bankass",
            "Bankass",
            "Mopti",
            "civil",
            "",
            "",
        ]
    )  # fmt: skip  (two people, same name and age)
    rows.append(["", "Cissé", "Aminata", "femme", "enfant", "31/02/2019", "Bankass", "Bankass",
                 "Mopti", "", "", ""])  # fmt: skip
    _write_csv(FIXTURES / "victims_fr_cp1252.csv", rows, "cp1252", ";")


def write_victims_en_xlsx() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Full name", "Gender", "Age", "Date of death", "Place", "Region",
                  "Type of harm", "Civilian status"])  # fmt: skip
    people = victim_people(5, 4)
    harms = ["killed", "injured", "abducted", "détenu", "killed"]
    for (family, given, sex, age), harm in zip(people, harms, strict=True):
        sheet.append([f"{given} {family}", "male" if sex == "M" else "female", int(age),
                      "2024-01-15", "Mopti", "Mopti", harm, "civilian"])  # fmt: skip
    sheet.append(["Ousmane Touré", "M", "18-59", "bad date", "Mopti", "Mopti", "killed", ""])
    workbook.save(FIXTURES / "victims_en.xlsx")


def _write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


# -- the bad-input corpus ------------------------------------------------------------------

GOOD_REPORT = "R-1;14/03/2022;Bankass;Bankass;Mopti;3\r\n"
REPORT_HEAD = "Référence;Date;Localité;Cercle;Région;Tués\r\n"


def write_bad_corpus() -> None:
    files: dict[str, bytes] = {
        "empty.csv": b"",
        "only_bom.csv": b"\xef\xbb\xbf",
        "header_only.csv": REPORT_HEAD.encode(),
        "image.png": _png_bytes(),
        "not_xlsx.xlsx": _zip_bytes(),
        "nul_bytes.csv": (REPORT_HEAD + "R-1;14/03/2022;Ban\x00kass;Bankass;Mopti;3\r\n").encode(),
        "no_header.csv": b"foo,bar,baz\n1,2,3\n4,5,6\n",
        "ragged_rows.csv": (REPORT_HEAD + GOOD_REPORT + "R-2;15/03/2022;Mopti;Mopti\r\n"
                            + "R-3;16/03/2022;Djenné;Djenné;Mopti;1;extra;cells\r\n"
                            + "R-4;17/03/2022;Gao;Gao;Gao;2\r\n").encode(),
        "unclosed_quote.csv": (REPORT_HEAD + GOOD_REPORT
                               + 'R-2;15/03/2022;"Mopti;Mopti;Mopti;1\r\nR-3;16/03/2022;'
                               + "Gao;Gao;Gao;2\r\n").encode(),
        "impossible_dates.csv": (REPORT_HEAD + GOOD_REPORT
                                 + "R-2;31/02/2022;Mopti;Mopti;Mopti;1\r\n"
                                 + "R-3;14/13/2022;Gao;Gao;Gao;1\r\n"
                                 + "R-4;hier;Gao;Gao;Gao;1\r\n").encode(),
        "negative_counts.csv": (REPORT_HEAD + GOOD_REPORT
                                + "R-2;15/03/2022;Mopti;Mopti;Mopti;-4\r\n"
                                + "R-3;16/03/2022;Gao;Gao;Gao;beaucoup\r\n").encode(),
        "reversed_range.csv": (REPORT_HEAD + GOOD_REPORT
                               + "R-2;15/03/2022;Mopti;Mopti;Mopti;30-20\r\n").encode(),
        "lat_200.csv": ("Référence;Date;Localité;Latitude;Longitude;Tués\r\n"
                        "R-1;14/03/2022;Bankass;200;-3.5;3\r\n"
                        "R-2;15/03/2022;Mopti;14.48;-4.18;1\r\n").encode(),
        "huge_cell.csv": (REPORT_HEAD + GOOD_REPORT
                          + f"R-2;15/03/2022;{'x' * 1_000_000};Mopti;Mopti;1\r\n"
                          + "R-3;16/03/2022;Gao;Gao;Gao;2\r\n").encode(),
        "mixed_separators.csv": ("Référence;Date;Localité;Cercle;Région;Tués\r\n"
                                 + GOOD_REPORT + "R-2,15/03/2022,Mopti,Mopti,Mopti,1\r\n"
                                 + "R-3;16/03/2022;Gao;Gao;Gao;2\r\n").encode(),
        "windows_line_endings.csv": (REPORT_HEAD + GOOD_REPORT
                                     + "R-2;15/03/2022;Mopti;Mopti;Mopti;1\r\n").encode("cp1252"),
        "no_date_no_place.csv": (REPORT_HEAD + GOOD_REPORT + "R-2;;;;;4\r\n").encode(),
    }  # fmt: skip
    for name, content in files.items():
        (BAD / name).write_bytes(content)


def _png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    image = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", image) + chunk(b"IEND", b"")
    )


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    write_acled()
    write_ucdp_rows(FIXTURES / "ucdp_ged.csv", 20)
    write_hxl()
    write_reports_fr()
    write_reports_en_xlsx()
    write_victims_fr()
    write_victims_en_xlsx()
    write_bad_corpus()


if __name__ == "__main__":
    main()
