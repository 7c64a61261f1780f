"""The JSON API over the register (django-ninja): same capabilities as the pages, by token.

Never returns a person's name, contact or community, nor a report's original payload.
The schema is at /api/openapi.json; there is no docs page (it would load a large bundle).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import SessionAuth

from civharm.api import queries
from civharm.api.auth import BearerToken, require_capability
from civharm.api.schemas import (
    ErrorOut,
    IncidentOut,
    IncidentPageOut,
    PersonOut,
    RegionAggregatesOut,
    ReportOut,
    TaxonomiesOut,
    TokenIn,
    TokenOut,
    ValidationErrorOut,
)
from civharm.api.tokens import TwoFactorNeededForToken, issue_token
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import Incident

MAX_ID = 2**63 - 1  # the database's largest key; anything above is a 422, not a crash
MAX_OFFSET = 10**9
KEY_PATTERN = r"^[a-z0-9_]{1,64}$"  # taxonomy keys
PCODE_PATTERN = r"^[A-Za-z0-9]{1,16}$"

api = NinjaAPI(
    title="civharm API",
    version="1",
    description=(
        "Read access to the civilian-harm register with the same permissions as the pages. "
        "Send `Authorization: Bearer <token>`. A token acts as its user, with that user's "
        "role. Tokens come from `civharm apitoken create USER [--expires-days N]` (run by the "
        "administrator on the server) or from `POST /api/tokens` in a logged-in browser "
        "session; for roles that need a second factor, that session must have given it. "
        "Only a SHA-256 hash of each token is kept; `civharm apitoken revoke PREFIX` ends one. "
        "People appear by pseudonym only; counts of 1 to 4 in aggregates are suppressed."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # the interactive page would need a CDN or a 1.5 MB bundle: use the schema
    auth=BearerToken(),
)

ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}
ERRORS_WITH_404: dict[int, type[Schema]] = {**ERRORS, 404: ErrorOut}


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = _("A valid API token is needed: Authorization: Bearer <token>.")
    return api.create_response(request, {"detail": detail}, status=401)


class IncidentQuery(Schema):
    date_from: date | None = None
    date_to: date | None = None
    admin1_pcode: str | None = Field(None, pattern=PCODE_PATTERN)
    admin2_pcode: str | None = Field(None, pattern=PCODE_PATTERN)
    actor: str | None = Field(None, pattern=KEY_PATTERN)
    harm_type: str | None = Field(None, pattern=KEY_PATTERN)
    context: str | None = Field(None, pattern=KEY_PATTERN)
    grade: str | None = Field(None, pattern=KEY_PATTERN)
    review_status: str | None = Field(None, pattern=KEY_PATTERN)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def as_filter(self) -> queries.IncidentFilter:
        return queries.IncidentFilter(**self.dict(exclude={"limit", "offset"}))


class RegionQuery(Schema):
    date_from: date | None = None
    date_to: date | None = None


def _incident_or_404(incident_id: int) -> Incident:
    incident = Incident.objects.filter(pk=incident_id).defer("description").first()
    if incident is None:
        raise HttpError(404, _("No incident has this id."))
    return incident


@api.get("/incidents", response={200: IncidentPageOut, **ERRORS}, tags=["incidents"])
def list_incidents(request: HttpRequest, params: Query[IncidentQuery]) -> dict[str, object]:
    """Incidents, newest first, filtered; `limit`/`offset` page through them."""
    require_capability(request, "view_incidents")
    incidents = queries.filtered_incidents(params.as_filter())
    page = queries.with_related(incidents)[params.offset : params.offset + params.limit]
    return {
        "count": incidents.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": [queries.incident_out(incident) for incident in page],
    }


@api.get(
    "/incidents/{incident_id}", response={200: IncidentOut, **ERRORS_WITH_404}, tags=["incidents"]
)
def get_incident(
    request: HttpRequest, incident_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    require_capability(request, "view_incidents")
    incident = queries.with_related(Incident.objects.filter(pk=incident_id)).first()
    if incident is None:
        raise HttpError(404, _("No incident has this id."))
    return queries.incident_out(incident)


@api.get(
    "/incidents/{incident_id}/reports",
    response={200: list[ReportOut], **ERRORS_WITH_404},
    tags=["incidents"],
)
def incident_reports(
    request: HttpRequest, incident_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, object]]:
    """Each source's account: provenance and reliability, never the original record."""
    require_capability(request, "view_incidents")
    return queries.reports_of(_incident_or_404(incident_id))


@api.get(
    "/incidents/{incident_id}/persons",
    response={200: list[PersonOut], **ERRORS_WITH_404},
    tags=["incidents"],
)
def incident_persons(
    request: HttpRequest, incident_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, object]]:
    """The people harmed, by pseudonym: never a name, contact or community."""
    require_capability(request, "view_persons")
    return queries.persons_of(_incident_or_404(incident_id))


@api.get(
    "/aggregates/by-region",
    response={200: RegionAggregatesOut, 400: ErrorOut, **ERRORS},
    tags=["aggregates"],
)
def aggregates_by_region(request: HttpRequest, params: Query[RegionQuery]) -> dict[str, object]:
    """Incidents and people killed (best estimate) per region; live incidents, discounted
    ones not counted. With `view_uncontrolled_aggregates`: exact, and the dates filter them.
    Otherwise: the published tables of the whole register (null, `suppressed: true`, where
    withheld), and any filter is refused with a 400 — filtered figures could be subtracted
    from one another to reveal withheld ones."""
    user = require_capability(request, "view_aggregates")
    if user.can("view_uncontrolled_aggregates"):
        wanted = queries.IncidentFilter(date_from=params.date_from, date_to=params.date_to)
        return queries.exact_aggregates_by_region(wanted)
    if request.GET:  # any parameter at all, known or not: the published tables are fixed
        raise HttpError(400, _refused_filters())
    return queries.published_aggregates_by_region()


def _refused_filters() -> str:
    return _(
        "Filters are not available for published figures: filtered tables could be "
        "subtracted from one another to reveal withheld figures."
    )


@api.get("/taxonomies", response={200: TaxonomiesOut, 401: ErrorOut}, tags=["taxonomies"])
def taxonomies(request: HttpRequest) -> dict[str, object]:
    """The country pack's keys and labels (harm types, contexts, actors, grades…)."""
    taxonomy = load_taxonomy(settings.CIVHARM["COUNTRY_PACK"])
    names = [
        "harm_types",
        "interaction_contexts",
        "actor_categories",
        "actors",
        "attribution_statuses",
        "source_types",
        "assessment_grades",
        "review_statuses",
    ]
    return {
        "pack": taxonomy.pack,
        **{
            name: [
                {"key": t.key, "fr": t.fr, "en": t.en, "category": t.category}
                for t in getattr(taxonomy, name)
            ]
            for name in names
        },
    }


@api.post(
    "/tokens",
    auth=SessionAuth(),
    response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    tags=["tokens"],
)
def create_own_token(request: HttpRequest, wanted: TokenIn) -> Status[dict[str, object]]:
    """A token for yourself, from a logged-in browser session (not from a token). Roles that
    need a second factor must have given it in this session. The secret is shown once."""
    user = request.auth
    verified = bool(getattr(user, "is_verified", lambda: False)())
    try:
        issued = issue_token(
            user,
            issued_by=user.username,
            expires_days=wanted.expires_days,
            label=wanted.label,
            second_factor_verified=verified,
        )
    except TwoFactorNeededForToken:
        raise HttpError(403, _("Give your second factor before creating a token.")) from None
    token = issued.token
    return Status(
        201, {"token": issued.secret, "prefix": token.prefix, "expires_at": token.expires_at}
    )
