"""Personal API tokens: made and revoked on the account page, kept only as a hash, and the only way in."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from clusterfund.accounts.models import ApiToken
from clusterfund.accounts.selectors import active_api_token_for
from clusterfund.accounts.services import (
    ApiTokenError,
    create_api_token,
    note_api_token_used,
    revoke_api_token,
)
from clusterfund.audit.models import AuditEvent

K_SENCO, K_BIRKBY = "senco.stthomas@kirklees.example", "senco.birkbyjunior@kirklees.example"
API = "/api/v1/pupils"


@pytest.fixture
def senco(user_by_email):
    return user_by_email(K_SENCO)


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- services -------------------------------------------------------------------------------------


def test_a_new_token_is_kept_only_as_a_hash_and_audited_without_its_secret(senco):
    token, secret = create_api_token(user=senco, name="  MIS   export ", acting_user=senco)
    assert secret.startswith("cf_") and len(secret) >= 40
    token.refresh_from_db()
    assert token.name == "MIS export" and token.prefix == secret[:8]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(secret in value for value in stored)
    event = AuditEvent.objects.get(action="api_token.created", object_id=str(token.pk))
    assert event.council.slug == "kirklees" and event.actor == senco
    assert event.after == {"person": K_SENCO, "name": "MIS export", "prefix": secret[:8]}
    recorded = f"{event.before} {event.after} {event.object_repr}"
    assert secret not in recorded and token.token_hash not in recorded


def test_two_tokens_never_share_a_secret(senco):
    first = create_api_token(user=senco, name="Same name", acting_user=senco)[1]
    second = create_api_token(user=senco, name="Same name", acting_user=senco)[1]
    assert first != second and active_api_token_for(first) != active_api_token_for(second)


@pytest.mark.parametrize("name, message", [("   ", "Enter a name"), ("x" * 101, "100 characters or fewer")])
def test_a_token_needs_a_name_of_at_most_100_characters(senco, name, message):
    tokens, events = ApiToken.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ApiTokenError, match=message) as error:
        create_api_token(user=senco, name=name, acting_user=senco)
    assert error.value.field == "name"
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == (tokens, events)


def test_a_revoked_token_stops_working_and_cannot_be_revoked_twice(senco):
    token, secret = create_api_token(user=senco, name="Old", acting_user=senco)
    assert active_api_token_for(secret) == token
    revoke_api_token(token=token, acting_user=senco)
    token.refresh_from_db()
    assert token.revoked_at is not None and active_api_token_for(secret) is None
    event = AuditEvent.objects.get(action="api_token.revoked", object_id=str(token.pk))
    assert secret not in str(event.after) and event.after["prefix"] == secret[:8]
    with pytest.raises(ApiTokenError, match="already been revoked"):
        revoke_api_token(token=token, acting_user=senco)
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_last_used_is_written_at_most_once_a_minute(senco, django_assert_num_queries):
    token, _ = create_api_token(user=senco, name="Busy", acting_user=senco)
    now = timezone.now()
    note_api_token_used(token=token, now=now)
    token.refresh_from_db()
    assert token.last_used_at == now
    with django_assert_num_queries(0):
        note_api_token_used(token=token, now=now + datetime.timedelta(seconds=59))
    note_api_token_used(token=token, now=now + datetime.timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == now + datetime.timedelta(seconds=61)


# --- the API lets in a working token and nothing else ---------------------------------------------


def test_a_working_token_is_let_in_and_its_use_noted(senco):
    token, secret = create_api_token(user=senco, name="MIS", acting_user=senco)
    response = Client().get(API, **bearer(secret))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer nonsense",
        "Bearer cf_" + "x" * 43,
        "Bearer cf_" + "x" * 5000,
        "Token cf_abc",
        "Basic c2VuY286cGFzc3dvcmQ=",
        "Bearer \x00\x01",
    ],
)
def test_anything_but_a_working_token_is_401_json(db, header):
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = Client().get(API, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]


def test_a_revoked_token_is_401(senco):
    token, secret = create_api_token(user=senco, name="Gone", acting_user=senco)
    revoke_api_token(token=token, acting_user=senco)
    assert Client().get(API, **bearer(secret)).status_code == 401


def test_a_switched_off_account_s_token_is_401(senco):
    _, secret = create_api_token(user=senco, name="Leaver", acting_user=senco)
    senco.is_active = False
    senco.save()
    assert Client().get(API, **bearer(secret)).status_code == 401


def test_a_signed_in_browser_session_is_not_accepted(signed_in_client):
    client = signed_in_client(K_SENCO)
    assert client.get("/account").status_code == 200
    assert client.get(API).status_code == 401


def test_the_token_not_the_session_decides_who_is_asking(signed_in_client, user_by_email):
    birkby = user_by_email(K_BIRKBY)
    _, secret = create_api_token(user=birkby, name="Birkby", acting_user=birkby)
    client = signed_in_client(K_SENCO)
    references = {pupil["reference"] for pupil in client.get(API, **bearer(secret)).json()["items"]}
    assert references and all(reference.startswith("BJ-") for reference in references)


# --- the account page ------------------------------------------------------------------------------


def test_the_account_page_lists_only_the_person_s_own_tokens(signed_in_client, senco, user_by_email):
    create_api_token(user=senco, name="Nightly export", acting_user=senco)
    revoked, _ = create_api_token(user=senco, name="Old laptop", acting_user=senco)
    revoke_api_token(token=revoked, acting_user=senco)
    birkby = user_by_email(K_BIRKBY)
    create_api_token(user=birkby, name="Birkby's own", acting_user=birkby)
    body = signed_in_client(K_SENCO).get("/account").content.decode()
    assert "Nightly export" in body and "Old laptop" in body and "Revoked" in body
    assert "Birkby&#39;s own" not in body and "Birkby's own" not in body
    assert body.count("Revoke<span") == 1  # only the active token can be revoked


def test_creating_a_token_shows_its_secret_once(signed_in_client, senco):
    client = signed_in_client(K_SENCO)
    response = client.post("/account/api-tokens/new", {"name": "Nightly export"})
    assert response.status_code == 200
    body = response.content.decode()
    token = ApiToken.objects.get(user=senco, name="Nightly export")
    secret = next(
        word for word in body.replace('"', " ").split() if word.startswith("cf_") and len(word) > 40
    )
    assert hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
    assert "will not be shown again" in body
    assert secret not in str(dict(client.session))
    assert secret not in client.get("/account").content.decode()
    assert client.get(API, **bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    "name, message",
    [("", "Enter a name for the token"), ("x" * 101, "The name must be 100 characters or fewer")],
)
def test_a_bad_name_is_shown_in_the_error_summary_and_nothing_is_made(signed_in_client, name, message):
    count = ApiToken.objects.count()
    body = signed_in_client(K_SENCO).post("/account/api-tokens/new", {"name": name}).content.decode()
    assert "There is a problem" in body and message in body and "<title>Error: " in body
    assert ApiToken.objects.count() == count


def test_a_token_is_revoked_after_confirming(signed_in_client, senco):
    token, secret = create_api_token(user=senco, name="Nightly export", acting_user=senco)
    client = signed_in_client(K_SENCO)
    url = f"/account/api-tokens/{token.pk}/revoke"
    page = client.get(url).content.decode()
    assert "stop working at once" in page and "Revoke token" in page
    response = client.post(url, follow=True)
    assert "API token ‘Nightly export’ revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(API, **bearer(secret)).status_code == 401
    assert client.get(url).status_code == 404


def test_another_person_s_token_cannot_be_revoked(signed_in_client, senco):
    token, secret = create_api_token(user=senco, name="Mine", acting_user=senco)
    client = signed_in_client(K_BIRKBY)
    url = f"/account/api-tokens/{token.pk}/revoke"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and active_api_token_for(secret) == token
