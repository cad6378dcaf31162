"""Demo accounts: one per role, all with the same password, e-mail already verified."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from core.models import User

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, never in production


def demo_user(email: str, *, first_name: str, last_name: str, superuser: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def demo_person(email: str, *, first_name: str, last_name: str) -> User:
    """A person of the demo who never logs in (an entity's delegate): no password to hash, so
    that dozens of them cost nothing in `make run`."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def seed(ctx: dict) -> None:
    ctx["admin"] = demo_user(
        "admin@example.org", first_name="Amministratore", last_name="Portale", superuser=True
    )
