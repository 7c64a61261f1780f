"""One demo account per role, for `civharm demo` only (never in a real register).

Passwords are drawn anew at each demo run; roles that need a second factor get backup codes
so that the demo can be opened without an authenticator app.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from civharm.accounts import audit
from civharm.accounts.models import User
from civharm.accounts.roles import ROLES, requires_two_factor

BACKUP_CODES_SHOWN = 3


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    backup_codes: tuple[str, ...]


def create_demo_accounts() -> list[DemoAccount]:
    accounts = []
    with transaction.atomic():
        for role in ROLES:
            username = f"demo-{role.replace('_', '-')}"
            password = "-".join(secrets.token_hex(3) for _ in range(4))  # 24 hex digits
            user, _created = User.objects.get_or_create(username=username, defaults={"role": role})
            user.role = role
            user.set_password(password)
            user.save()
            codes = _backup_codes(user) if requires_two_factor(role) else ()
            accounts.append(DemoAccount(username, role, password, codes))
        audit.record("demo", "create", "User", "", details={"demo_accounts": len(accounts)})
    return accounts


def _backup_codes(user: User) -> tuple[str, ...]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="demo backup codes")
    device.token_set.all().delete()
    codes = tuple(f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES_SHOWN))
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes
