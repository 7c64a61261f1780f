"""Build the two field XLSForms (interview, incident report) from the country pack.

Choices come from the pack's taxonomies, gazetteer and codebook, so the forms and the import
agree on every key. Labels are French (the team's working language) with a Bambara column
filled only where we are sure of the words; never invent a translation here.
Question names are those civharm.ingest.kobo reads; change both together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from civharm import __version__
from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import DEFAULT_PACK, load_taxonomy
from civharm.ingest.kobo import INCIDENT_HARM_FIELDS

FR = "label::Français (fr)"
BM = "label::Bambara (bm)"
HINT_FR = "hint::Français (fr)"
INTERVIEW_FILE = "entretien.xlsx"
INCIDENT_FILE = "rapport_incident.xlsx"
CONSENTED = "${consent_research} = 'yes'"
REPORTER_AGREED = "${reporter_consent} = 'yes'"
AUDIO_AGREED = "${consent_audio} = 'yes'"
NEW_INTERVIEWEE = "${interviewee_pseudonym} = ''"
PSEUDONYM_HINT = (
    "Seulement pour un nouvel entretien avec une personne déjà interrogée : son pseudonyme "
    "(T-XXXXX-XXXXX), tel que civharm l'affiche. Ne redemandez alors ni son nom ni son contact."
)
PROTECTED_HINT = (
    "Donnée protégée : chiffrée à l'import dans civharm, jamais affichée en clair. "
    "Ne l'écrivez nulle part ailleurs."
)
# Bambara labels we are sure of; every other Bambara cell stays blank for a speaker to fill.
BAMBARA = {"yes": "Ɔwɔ", "no": "Ayi", "female": "Muso", "male": "Cɛ", "bm": "Bamanankan"}

Row = dict[str, str]


@dataclass
class XlsForm:
    """The three sheets of an XLSForm as rows of column -> cell text."""

    title: str
    form_id: str
    survey: list[Row] = field(default_factory=list)
    choices: list[Row] = field(default_factory=list)

    def question(self, kind: str, name: str, label: str, **columns: str) -> None:
        self.survey.append({"type": kind, "name": name, FR: label, **columns})

    def choice_list(self, list_name: str, items: list[tuple[str, str]], **extra: str) -> None:
        for name, label in items:
            row = {"list_name": list_name, "name": name, FR: label, BM: BAMBARA.get(name, "")}
            self.choices.append(row | extra)

    def settings(self) -> Row:
        return {
            "form_title": self.title,
            "form_id": self.form_id,
            "version": __version__,
            "default_language": "Français (fr)",
        }


SURVEY_COLUMNS = (
    "type",
    "name",
    FR,
    BM,
    HINT_FR,
    "required",
    "relevant",
    "constraint",
    "constraint_message::Français (fr)",
    "choice_filter",
    "appearance",
    "default",
    "parameters",
)
CHOICE_COLUMNS = ("list_name", "name", FR, BM, "admin1")


def write_xlsform(form: XlsForm, path: Path) -> Path:
    """Write `form` as an .xlsx with survey, choices and settings sheets."""
    workbook = Workbook()
    _sheet(workbook.active, "survey", SURVEY_COLUMNS, form.survey)
    _sheet(workbook.create_sheet(), "choices", CHOICE_COLUMNS, form.choices)
    settings = form.settings()
    _sheet(workbook.create_sheet(), "settings", tuple(settings), [settings])
    workbook.save(path)
    return path


def _sheet(sheet, title: str, columns: tuple[str, ...], rows: list[Row]) -> None:
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])


def build_forms(folder: Path, pack: str = DEFAULT_PACK) -> list[Path]:
    """Write entretien.xlsx and rapport_incident.xlsx into `folder` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_xlsform(interview_form(pack), folder / INTERVIEW_FILE),
        write_xlsform(incident_form(pack), folder / INCIDENT_FILE),
    ]


# -- shared choice lists ------------------------------------------------------------------


def _add_places(form: XlsForm, pack: str) -> None:
    gazetteer = Gazetteer.load(pack)
    form.choice_list("admin1", gazetteer.admin1_units())
    for pcode, name, region in gazetteer.admin2_units():
        form.choice_list("admin2", [(pcode, name)], admin1=region)


def _place_questions(form: XlsForm) -> None:
    form.question("select_one admin1", "admin1", "Région", required="yes")
    form.question(
        "select_one admin2", "admin2", "Cercle", required="yes", choice_filter="admin1=${admin1}"
    )
    form.question("text", "place_name", "Localité (village, quartier)")


def _media_questions(form: XlsForm) -> None:
    form.question(
        "image",
        "photo",
        "Photo (facultatif ; jamais de visage sans accord)",
        parameters="max-pixels=1600",
    )
    form.question(  # asked before any recording: a voice identifies a person
        "select_one yes_no",
        "consent_audio",
        "La personne accepte-t-elle que sa voix soit enregistrée ?",
        required="yes",
    )
    form.question(
        "audio", "audio", "Enregistrement audio (facultatif ; avec accord)", relevant=AUDIO_AGREED
    )


def _yes_no(form: XlsForm) -> None:
    form.choice_list("yes_no", [("yes", "Oui"), ("no", "Non")])


# -- the interview form -------------------------------------------------------------------


def interview_form(pack: str = DEFAULT_PACK) -> XlsForm:
    """The interview form: consent first; nothing else is asked without it."""
    form = XlsForm("civharm — Entretien", "civharm_entretien")
    _consent_questions(form)
    form.question("begin_group", "interview", "Entretien", relevant=CONSENTED)
    form.question("text", "interviewer", "Enquêteur ou enquêtrice (identifiant)", required="yes")
    form.question("date", "interview_date", "Date de l'entretien", required="yes")
    form.question("select_one languages", "language", "Langue de l'entretien", required="yes")
    _place_questions(form)
    form.question("end_group", "interview", "")
    _interviewee_questions(form)
    _account_questions(form, pack)
    _interview_choices(form, pack)
    return form


def _consent_questions(form: XlsForm) -> None:
    form.question("begin_group", "consent", "Consentement")
    form.question(
        "note",
        "consent_intro",
        "Présentez-vous, expliquez le but de l'entretien, que la personne peut refuser "
        "ou s'arrêter à tout moment, et comment ses données seront protégées.",
    )
    form.question(
        "select_one yes_no",
        "consent_research",
        "La personne accepte-t-elle l'entretien, à des fins de recherche ?",
        required="yes",
    )
    form.question(
        "select_one legal_basis",
        "legal_basis",
        "Base légale",
        required="yes",
        relevant=CONSENTED,
        default="consent",
    )
    form.question(
        "select_one consent_method",
        "consent_method",
        "Comment le consentement a-t-il été donné ?",
        required="yes",
        relevant=CONSENTED,
    )
    form.question(
        "select_one yes_no",
        "consent_publication",
        "Accepte-t-elle la publication de citations anonymisées ?",
        required="yes",
        relevant=CONSENTED,
    )
    form.question(
        "select_one yes_no",
        "consent_sharing",
        "Accepte-t-elle le partage avec des partenaires ?",
        required="yes",
        relevant=CONSENTED,
    )
    form.question("end_group", "consent", "")
    form.question(
        "note",
        "no_consent",
        "Sans consentement, l'entretien s'arrête ici : n'enregistrez rien d'autre. "
        "Remerciez la personne.",
        relevant="${consent_research} = 'no'",
    )


def _interviewee_questions(form: XlsForm) -> None:
    form.question("begin_group", "person", "Personne interrogée", relevant=CONSENTED)
    form.question(
        "text",
        "interviewee_pseudonym",
        "Pseudonyme, si la personne a déjà été interrogée (facultatif)",
        constraint="regex(., '^[Tt]-[0-9A-Za-z]{5}-[0-9A-Za-z]{5}$')",
        **{
            HINT_FR: PSEUDONYM_HINT,
            "constraint_message::Français (fr)": "Un pseudonyme de la forme T-XXXXX-XXXXX.",
        },
    )
    # A follow-up does not ask the identity again: it is already stored, encrypted.
    for name, label in (
        ("interviewee_name", "Nom de la personne"),
        ("interviewee_contact", "Contact (téléphone)"),
        ("community", "Communauté (facultatif, sensible)"),
    ):
        form.question("text", name, label, relevant=NEW_INTERVIEWEE, **{HINT_FR: PROTECTED_HINT})
    for kind, name, label in (
        ("select_one sex", "sex", "Sexe"),
        ("select_one age_band", "age_band", "Tranche d'âge"),
        ("select_one displacement", "displacement_status", "Situation de déplacement"),
    ):
        form.question(kind, name, label, required="yes", relevant=NEW_INTERVIEWEE)
    form.question("end_group", "person", "")


def _account_questions(form: XlsForm, pack: str) -> None:
    form.question("begin_group", "account", "Récit", relevant=CONSENTED)
    form.question("select_multiple harm_types", "harms", "Préjudices subis")
    if _codebook_themes(pack):
        form.question("select_multiple themes", "themes", "Thèmes évoqués (premier repérage)")
    form.question(
        "text",
        "narrative",
        "Récit (avec les mots de la personne)",
        required="yes",
        appearance="multiline",
        **{HINT_FR: PROTECTED_HINT},
    )
    _media_questions(form)
    form.question("end_group", "account", "")


def _codebook_themes(pack: str) -> list[tuple[str, str]]:
    """The codebook's themes, or none when the pack has no codebook (the question is skipped)."""
    from civharm.research.codebook import load_codebook

    try:
        return [(theme.key, theme.label_fr) for theme in load_codebook(pack)]
    except FileNotFoundError:
        return []


def _interview_choices(form: XlsForm, pack: str) -> None:
    taxonomy = load_taxonomy(pack)
    _yes_no(form)
    form.choice_list(
        "legal_basis",
        [
            ("consent", "Consentement"),
            ("legitimate_interest", "Intérêt légitime"),
            ("vital_interest", "Intérêt vital"),
        ],
    )
    form.choice_list(
        "consent_method",
        [
            ("oral_recorded", "Oral, enregistré"),
            ("oral_witnessed", "Oral, devant témoin"),
            ("written", "Écrit"),
            ("digital", "Numérique"),
        ],
    )
    form.choice_list(
        "languages",
        [
            ("fr", "Français"),
            ("bm", "Bambara"),
            ("ff", "Fulfulde (peul)"),
            ("son", "Songhaï"),
            ("tmh", "Tamasheq"),
            ("dgo", "Dogon"),
            ("other", "Autre langue"),
        ],
    )
    _add_places(form, pack)
    form.choice_list("sex", [("female", "Femme"), ("male", "Homme"), ("unknown", "Non précisé")])
    form.choice_list(
        "age_band",
        [
            ("0-17", "0 à 17 ans"),
            ("18-59", "18 à 59 ans"),
            ("60+", "60 ans et plus"),
            ("unknown", "Non précisé"),
        ],
    )
    form.choice_list(
        "displacement",
        [
            ("resident", "Résident"),
            ("displaced", "Déplacé interne"),
            ("returnee", "Retourné"),
            ("refugee", "Réfugié"),
            ("host", "Communauté d'accueil"),
            ("unknown", "Non précisé"),
        ],
    )
    form.choice_list("harm_types", taxonomy.choices("harm_types"))
    themes = _codebook_themes(pack)
    if themes:
        form.choice_list("themes", themes)


# -- the incident-report form -------------------------------------------------------------


def incident_form(pack: str = DEFAULT_PACK) -> XlsForm:
    """The incident-report form; its answers become Reports of source type « kobo »."""
    taxonomy = load_taxonomy(pack)
    form = XlsForm("civharm — Rapport d'incident", "civharm_rapport_incident")
    form.question(
        "select_one yes_no",
        "reporter_consent",
        "La personne qui rapporte accepte-t-elle que ce rapport soit enregistré ?",
        required="yes",
    )
    form.question("begin_group", "incident", "Incident", relevant=REPORTER_AGREED)
    form.question("date", "incident_date", "Date de l'incident", required="yes")
    form.question(
        "select_one date_precision",
        "date_precision",
        "Précision de la date",
        required="yes",
        default="jour",
    )
    _place_questions(form)
    form.question("geopoint", "location", "Position (facultatif)")
    form.question("select_one contexts", "context", "Contexte de l'incident")
    form.question("select_multiple actors", "perpetrator", "Auteur(s) présumé(s)")
    for question, harm in INCIDENT_HARM_FIELDS.items():
        form.question(
            "integer",
            question,
            _harm_label(taxonomy, harm),
            constraint=". >= 0",
            **{"constraint_message::Français (fr)": "Un nombre positif ou zéro."},
        )
    form.question("text", "description", "Description", appearance="multiline")
    _media_questions(form)
    form.question("end_group", "incident", "")
    _yes_no(form)
    form.choice_list(
        "date_precision",
        [("jour", "Jour exact"), ("semaine", "Semaine"), ("mois", "Mois"), ("annee", "Année")],
    )
    _add_places(form, pack)
    form.choice_list("contexts", taxonomy.choices("interaction_contexts"))
    form.choice_list("actors", taxonomy.choices("actors"))
    return form


def _harm_label(taxonomy, harm: str) -> str:
    label = dict(taxonomy.choices("harm_types")).get(harm, harm)
    return f"Nombre : {label.lower()}"
