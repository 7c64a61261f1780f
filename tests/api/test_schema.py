"""Schemathesis against the API's own OpenAPI schema, in process, with an analyst's token.

Every generated request must get a documented status and an answer that fits the schema;
none may be a server error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civharm.wsgi import application
from tests.api.conftest import make_incident

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded through the app itself; the schema view reads no database. (The lazy
# `schemathesis.pytest.from_fixture` loader does not work with pytest 9 yet.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the connection after each request, which would end the test's
    transaction; the Django test client disconnects these handlers the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def register(db: None) -> None:
    make_incident()


@pytest.fixture
def analyst_header(token_for: Callable[[str], str]) -> dict[str, str]:
    # The in-process client does not decompress; the site's GZipMiddleware would otherwise
    # answer the "gzip" that Schemathesis asks for by default.
    return {"Authorization": f"Bearer {token_for('analyst')}", "Accept-Encoding": "identity"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, register: None, analyst_header: dict[str, str]
) -> None:
    with connection_kept_open():
        case.call_and_validate(headers=analyst_header, checks=CHECKS)


def test_schema_names_the_api_and_its_bearer_scheme(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    assert (document["info"]["title"], document["info"]["version"]) == ("civharm API", "1")
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerToken"].items()
    person = document["components"]["schemas"]["PersonOut"]["properties"]
    assert not {"name", "contact", "community"} & set(person)


def test_there_is_no_docs_page_that_would_load_a_cdn(client: Client) -> None:
    assert client.get("/api/docs").status_code == 404
