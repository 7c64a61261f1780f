"""Token life: issued by the command, used, expired, revoked; stored only as a hash; audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from civharm.accounts.models import AuditEntry, User
from civharm.api.models import ApiToken
from civharm.api.tokens import TwoFactorNeededForToken, issue_token
from tests.conftest import run_cli
from tests.web.conftest import logged_in

pytestmark = pytest.mark.django_db


def _create(username: str, *args: str) -> str:
    out = StringIO()
    call_command("apitoken", "create", username, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _get(secret: str | None, path: str = "/api/incidents") -> int:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
    return Client().get(path, **headers).status_code


def test_command_issues_a_token_that_acts_as_its_user() -> None:
    User.objects.create_user("awa", role="analyst")
    secret = _create("awa")
    assert _get(secret) == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_only_the_hash_of_the_secret_is_stored_and_audited() -> None:
    User.objects.create_user("awa", role="trainer")
    secret = _create("awa", "--expires-days", "30")
    token = ApiToken.objects.get()
    assert token.token_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    entry = AuditEntry.objects.get(object_type="ApiToken", action="create")
    assert entry.object_id == str(token.pk) and secret not in str(entry.details)


def test_revoked_token_is_refused_and_the_revocation_audited() -> None:
    User.objects.create_user("awa", role="analyst")
    secret = _create("awa")
    prefix = ApiToken.objects.get().prefix
    call_command("apitoken", "revoke", prefix, "--reason", "laptop lost", stdout=StringIO())
    assert _get(secret) == 401
    assert AuditEntry.objects.filter(object_type="ApiToken", action="revoke").count() == 1
    with pytest.raises(CommandError):
        call_command("apitoken", "revoke", prefix, stdout=StringIO())


def test_expired_token_is_refused() -> None:
    User.objects.create_user("awa", role="analyst")
    secret = _create("awa", "--expires-days", "1")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get(secret) == 401


def test_token_of_a_deactivated_user_is_refused() -> None:
    user = User.objects.create_user("awa", role="analyst")
    secret = _create("awa")
    user.is_active = False
    user.save()
    assert _get(secret) == 401


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer civ_not-a-real-token", "Basic YTpi", "Token x"]
)
def test_missing_or_unknown_token_is_a_json_401(authorization: str | None) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().get("/api/taxonomies", **headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_session_login_is_not_enough_for_the_api() -> None:
    client = Client()
    client.force_login(User.objects.create_user("awa", role="advocacy_officer"))
    assert client.get("/api/taxonomies").status_code == 401


def test_two_factor_role_token_needs_a_verified_session_or_an_administrator() -> None:
    analyst = User.objects.create_user("awa", role="analyst")
    with pytest.raises(TwoFactorNeededForToken):
        issue_token(analyst, issued_by="awa")
    assert issue_token(analyst, issued_by="awa", second_factor_verified=True).secret
    assert issue_token(analyst, issued_by="cli:root", by_administrator=True).secret
    officer = User.objects.create_user("ali", role="advocacy_officer")  # no second factor
    assert issue_token(officer, issued_by="ali").secret


def test_unknown_user_or_bad_expiry_is_a_command_error() -> None:
    with pytest.raises(CommandError):
        _create("nobody")
    User.objects.create_user("awa", role="analyst")
    with pytest.raises(CommandError):
        _create("awa", "--expires-days", "0")


def test_list_shows_prefix_and_state_never_the_secret() -> None:
    User.objects.create_user("awa", role="analyst")
    secret = _create("awa")
    out = StringIO()
    with translation.override("en"):
        call_command("apitoken", "list", "awa", stdout=out)
    assert ApiToken.objects.get().prefix in out.getvalue()
    assert secret not in out.getvalue() and "active" in out.getvalue()


@pytest.mark.not_the_database
def test_civharm_apitoken_create_prints_the_token_once(cli_env: dict[str, str]) -> None:
    cli_env["CIVHARM_PASSWORD"] = "correct horse battery staple 42"
    run_cli(cli_env, "createuser", "awa", "--role", "analyst")
    result = run_cli(cli_env, "apitoken", "create", "awa", "--expires-days", "90")
    secret = result.stdout.strip()
    assert secret.startswith("civ_") and len(secret) > 40
    assert "shown once" in result.stderr
    listing = run_cli(cli_env, "apitoken", "list").stdout
    assert secret[:12] in listing and secret not in listing


def test_user_creates_own_token_from_a_verified_session() -> None:
    client = logged_in(User.objects.create_user("analyst-user", role="analyst"))
    response = client.post(
        "/api/tokens", {"label": "laptop", "expires_days": 30}, content_type="application/json"
    )
    assert response.status_code == 201
    secret = response.json()["token"]
    assert _get(secret) == 200
    token = ApiToken.objects.get()
    assert token.created_by == "analyst-user" and token.expires_at is not None
    assert AuditEntry.objects.filter(object_type="ApiToken", actor="analyst-user").exists()


def test_two_factor_role_without_a_verified_session_gets_no_token() -> None:
    client = Client()
    client.force_login(User.objects.create_user("awa", role="analyst"))  # no second factor
    response = client.post("/api/tokens", {}, content_type="application/json")
    assert response.status_code in {302, 403}  # the two-factor middleware redirects first
    assert not ApiToken.objects.exists()


def test_a_token_cannot_create_tokens() -> None:
    User.objects.create_user("awa", role="trainer")
    secret = _create("awa")
    response = Client().post(
        "/api/tokens", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1
