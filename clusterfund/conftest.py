"""Shared fixtures. The demo data is built once per test session; every page fetched is checked."""

import pytest
from django.conf import settings
from django.test import Client

from clusterfund.core.tests.browser import browser, page  # noqa: F401  (shared by every journey)
from clusterfund.core.tests.html_checks import check_page


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load both demo schemes once into the test database; each test runs in a rolled-back transaction."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from clusterfund.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class CheckedClient(Client):
    """A test client that checks every HTML page it receives."""

    def request(self, **request):
        response = super().request(**request)
        content_type = response.get("Content-Type", "")
        if getattr(response, "streaming", False) or not content_type.startswith("text/html"):
            return response
        if response.status_code not in {301, 302, 303, 307, 308} and response.content:
            check_page(response.content.decode(), response.get("Content-Security-Policy", ""))
        return response


@pytest.fixture
def client():
    return CheckedClient()


@pytest.fixture
def user_by_email(db):
    from clusterfund.accounts.models import User

    def find(email: str):
        return User.objects.get(email=email)

    return find


@pytest.fixture
def signed_in_client(client, user_by_email):
    def sign_in(email: str) -> CheckedClient:
        client.force_login(user_by_email(email))
        return client

    return sign_in


@pytest.fixture
def api_client(user_by_email):
    """A test client for the JSON API that sends a new personal API token of that person's every time."""
    from clusterfund.accounts.services import create_api_token

    def make(email: str) -> Client:
        user = user_by_email(email)
        _, secret = create_api_token(user=user, name="Tests", acting_user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make
