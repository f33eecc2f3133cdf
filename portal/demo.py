"""Demo accounts for a fresh installation (a citizen and an administrator; the
apps add the officials of their demo agencies)."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from portal.models import User

DEMO_ACCOUNTS: list[dict] = [
    {
        "role": "citizen",
        "email": "congdan@example.vn",
        "password": "demo-congdan-2026",
        "full_name": "Nguyễn Văn An",
        "citizen_id": "001090012345",
        "phone": "+84912345678",
        "address": "12 Lê Lợi, phường Bến Thành, TP Hồ Chí Minh",
    },
    {
        "role": "administrator",
        "email": "quantri@example.vn",
        "password": "demo-quantri-2026",
        "full_name": "Quản trị hệ thống",
        "is_staff": True,
        "is_superuser": True,
    },
]


def ensure_user(account: dict) -> tuple[User, bool]:
    fields = {k: v for k, v in account.items() if k not in {"role", "email", "password", "agency"}}
    user, created = User.objects.get_or_create(email=account["email"], defaults=fields)
    if created:
        user.set_password(account["password"])
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user, created


def ensure_demo_accounts() -> int:
    from datetime import date

    created = 0
    for account in DEMO_ACCOUNTS:
        if account["role"] == "citizen":
            account = {**account, "date_of_birth": date(1990, 5, 17)}
        _user, was_created = ensure_user(account)
        created += was_created
    from applications.demo import ensure_demo_officials

    created += ensure_demo_officials(ensure_user)
    return created


def demo_logins() -> list[dict]:
    """Every demo login, for printing: the accounts above plus the apps' officials."""
    from applications.demo import DEMO_OFFICIAL

    return [*DEMO_ACCOUNTS, DEMO_OFFICIAL]
