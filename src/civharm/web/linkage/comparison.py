"""Two reports of a candidate pair, field by field, with the fields that differ marked.

Names appear only for roles that may see identities, and each name read is audited first;
everyone else gets "name hidden". Never shows a victim report's free text or payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from civharm.accounts import audit
from civharm.accounts.models import User
from civharm.core.protection import ProtectedFieldError
from civharm.incidents.models import LinkCandidate, Report, VictimRecord
from civharm.incidents.protection import field_cipher
from civharm.web.register.views import term_labels


@dataclass(frozen=True)
class Row:
    """One compared field: its label, each side's text, and whether the two disagree."""

    label: str
    left: str
    right: str
    compare: bool = True

    @property
    def differs(self) -> bool:
        return self.compare and self.left.strip().casefold() != self.right.strip().casefold()


def _row(label: str, left: str, right: str, *, compare: bool = True) -> Row:
    return Row(str(label), left or "–", right or "–", compare)


def _date(report: Report) -> str:
    if report.date_start is None:
        return _("(unknown)")
    text = date_format(report.date_start, "SHORT_DATE_FORMAT")
    if report.date_end and report.date_end != report.date_start:
        text += " – " + date_format(report.date_end, "SHORT_DATE_FORMAT")
    return f"{text} ({report.get_date_precision_display()})"


def _coordinates(report: Report) -> str:
    if report.latitude is None or report.longitude is None:
        return ""
    return f"{report.latitude:.4f}, {report.longitude:.4f} ({report.get_geo_precision_display()})"


def _actors(report: Report) -> str:
    names = sorted({str(actor.get("name", "")) for actor in report.actors or [] if actor})
    return ", ".join(name for name in names if name)


def _harm(report: Report, key: str) -> str:
    figures = (report.harm or {}).get(key)
    if not figures:
        return ""
    return "–".join("?" if figure is None else str(figure) for figure in figures)


def _source(report: Report) -> str:
    source = report.source
    kind = term_labels("source_types").get(source.source_type, source.source_type)
    return f"{source.name} · {kind} · {report.reliability}{report.credibility}"


def _place_rows(left: Report, right: Report) -> list[Row]:
    return [
        _row(_("locality"), left.place_name, right.place_name),
        _row(_("commune"), left.admin3_name, right.admin3_name),
        _row(_("cercle"), left.admin2_name, right.admin2_name),
        _row(_("region"), left.admin1_name, right.admin1_name),
    ]


def incident_rows(left: Report, right: Report) -> list[Row]:
    """What two event reports say, in the order a reviewer reads an incident."""
    contexts = term_labels("interaction_contexts")
    harm_labels = term_labels("harm_types")
    harm_keys = [*harm_labels, *sorted(set(left.harm or {}) | set(right.harm or {}))]
    rows = [
        _row(_("source"), _source(left), _source(right)),
        _row(_("source record id"), left.record_id, right.record_id, compare=False),
        _row(_("date"), _date(left), _date(right)),
        *_place_rows(left, right),
        _row(_("coordinates"), _coordinates(left), _coordinates(right)),
        _row(_("actors named"), _actors(left), _actors(right)),
    ]
    for key in dict.fromkeys(harm_keys):
        if (left.harm or {}).get(key) or (right.harm or {}).get(key):
            label = _("{harm} (low–best–high)").format(harm=harm_labels.get(key, key))
            rows.append(_row(label, _harm(left, key), _harm(right, key)))
    rows += [
        _row(
            _("interaction context"),
            contexts.get(left.interaction_context, left.interaction_context),
            contexts.get(right.interaction_context, right.interaction_context),
        ),
        _row(_("source reference"), left.source_reference, right.source_reference),
    ]
    return rows


def victim_record(report: Report) -> VictimRecord | None:
    try:
        return report.victim_record
    except VictimRecord.DoesNotExist:
        return None


def _age(record: VictimRecord | None) -> str:
    if record is None:
        return ""
    return str(record.age) if record.age is not None else record.age_band


def _listing_sources(record: VictimRecord | None) -> str:
    """Every source list that names the Person this record counts as."""
    if record is None:
        return ""
    names = VictimRecord.objects.filter(person_id=record.person_id).values_list(
        "report__source__name", flat=True
    )
    return ", ".join(sorted(set(names)))


@sensitive_variables("names", "sides")
def person_rows(left: Report, right: Report, names: Identities | None) -> list[Row]:
    """What two victim records say; `names` (see read_names) only for identity roles."""
    records = victim_record(left), victim_record(right)
    if names is None:
        hidden = _("name hidden")
        name_rows = [
            _row(_("name"), hidden, hidden, compare=False),
            _row(_("father's name"), hidden, hidden, compare=False),
        ]
    else:
        sides = names.get(left.pk, {}), names.get(right.pk, {})
        name_rows = [
            _row(label, *(side.get(field, "") for side in sides))
            for field, label in (("name", _("name")), ("father_name", _("father's name")))
        ]
    pseudonyms = [record.person.pseudonym if record else "" for record in records]
    return [
        _row(_("pseudonym"), *pseudonyms, compare=False),
        *name_rows,
        _row(
            _("sex"),
            *(record.get_sex_display() if record else "" for record in records),
        ),
        _row(_("age or age band"), _age(records[0]), _age(records[1])),
        _row(_("date"), _date(left), _date(right)),
        *_place_rows(left, right),
        _row(_("source list"), left.source.name, right.source.name),
        _row(
            _("lists naming this person"),
            _listing_sources(records[0]),
            _listing_sources(records[1]),
            compare=False,
        ),
    ]


GROUPED_SHOWN = 20  # records listed per side of a held-back pair; the page counts the rest


@dataclass(frozen=True)
class Grouped:
    """A record counted with one side of a held-back ("chained") pair, by its list and row:
    never a name."""

    side: int  # 0: with the first record, 1: with the second
    source: str
    shown_id: str
    date: str
    cercle: str
    sex: str
    age: str
    from_the_other_list: bool  # the other record's list: the two could never be one


def _group_of(candidate: LinkCandidate, report: Report) -> QuerySet[Report]:
    """The other reports of the incident (victim records of the person) `report` counts in,
    without their text: no description, payload or name is read."""
    pair = (candidate.left_id, candidate.right_id)
    if candidate.kind == "incident":
        if report.incident_id is None:
            return Report.objects.none()
        others = Report.objects.filter(incident_id=report.incident_id)
    else:
        record = victim_record(report)
        if record is None:
            return Report.objects.none()
        others = Report.objects.filter(victim_record__person_id=record.person_id)
    hidden = ["payload", "description"]
    if candidate.kind == "person":
        hidden += ["victim_record__name_encrypted", "victim_record__father_name_encrypted"]
    related = ["source", "victim_record"] if candidate.kind == "person" else ["source"]
    return others.exclude(pk__in=pair).select_related(*related).defer(*hidden)


def repeating_lists(candidate: LinkCandidate) -> set[str]:
    """The lists the pair's run held to repeat themselves (sources_with_duplicates): two of
    their records may be one, so sharing one of them is no conflict."""
    return set((candidate.run.settings or {}).get("sources_with_duplicates", []))


def grouped_with(candidate: LinkCandidate) -> tuple[list[Grouped], int]:
    """For a pair held back by the clustering rules: the records already counted with each
    side, those from the other side's list first (GROUPED_SHOWN per side at most), and how
    many more there are. A list known to repeat itself is not marked."""
    sides = (candidate.left, candidate.right)
    repeating = repeating_lists(candidate)
    shown: list[Grouped] = []
    more = 0
    for side, report in enumerate(sides):
        other = sides[1 - side].source
        conflicting = None if other.name in repeating else other.pk
        members = _group_of(candidate, report)
        more += max(members.count() - GROUPED_SHOWN, 0)
        other_list_first = Case(
            When(source_id=conflicting, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        for member in members.order_by(other_list_first, "date_start", "pk")[:GROUPED_SHOWN]:
            record = victim_record(member) if candidate.kind == "person" else None
            shown.append(
                Grouped(
                    side,
                    member.source.name,
                    member.shown_id,
                    _date(member),
                    member.admin2_name or "–",
                    record.get_sex_display() if record else "",
                    _age(record),
                    member.source_id == conflicting,
                )
            )
    return shown, more


# report id -> {"name": …, "father_name": …} as the record's list wrote them
Identities = dict[int, dict[str, str]]


@sensitive_variables("names")
def read_names(user: User, candidate: LinkCandidate) -> Identities | None:
    """Each record's name and father's name as its list wrote them, audited; None when the
    role may not see names."""
    if candidate.kind != "person" or not user.can("view_identities"):
        return None
    names: Identities = {}
    with transaction.atomic():
        for report in (candidate.left, candidate.right):
            record = victim_record(report)
            if record is None:
                continue
            audit.record(
                user.username,
                "read",
                "VictimRecord",
                record.pk,
                fields=["father_name", "name"],
                details={"link_candidate": candidate.pk, "report": report.pk},
            )
            names[report.pk] = {
                "name": _decrypted(record.name_encrypted),
                "father_name": _decrypted(record.father_name_encrypted),
            }
    return names


@sensitive_variables("token")
def _decrypted(token: str) -> str:
    try:
        return field_cipher().decrypt(token)
    except ProtectedFieldError:
        return _("(cannot be decrypted: check the field-encryption key)")
