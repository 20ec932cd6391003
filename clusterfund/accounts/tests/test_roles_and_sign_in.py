"""Roles and their scopes, and signing in and out through the real pages."""

import re

import pytest

from clusterfund.accounts.models import RoleAssignment, User
from clusterfund.accounts.permissions import ANONYMOUS, forget_scope, has_role, scope_of
from clusterfund.accounts.roles import Role
from clusterfund.accounts.services import RoleError, create_person, grant_role
from clusterfund.audit.models import AuditEvent
from clusterfund.demo.loader import DEMO_PASSWORD
from clusterfund.organisations.models import Cluster, Council, School

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CHAIR, K_SENCO = "head.ashbrow@kirklees.example", "senco.stthomas@kirklees.example"
S_CLUSTER_ADMIN = "central.admin@stoke.example"
ASHBROW, ETRUSCAN = 107628, 146464


def council(slug):
    return Council.objects.get(slug=slug)


def cluster(slug):
    return Cluster.objects.get(slug=slug)


def school(urn):
    return School.objects.get(urn=urn)


@pytest.fixture
def admin(user_by_email):
    return user_by_email(K_ADMIN)


@pytest.fixture
def newcomer(admin):
    return create_person(
        email="New.Person@Kirklees.example",
        full_name="Nia Person",
        password=None,
        acting_user=admin,
        council=council("kirklees"),
    )


def counts():
    return (RoleAssignment.objects.count(), AuditEvent.objects.count())


# --- create_person --------------------------------------------------------------------------------


def test_a_new_person_has_a_lower_case_email_and_no_usable_password(newcomer, admin):
    assert newcomer.email == "new.person@kirklees.example"
    assert not newcomer.has_usable_password()
    event = AuditEvent.objects.get(action="person.created", object_id=str(newcomer.pk))
    assert event.after == {"email": "new.person@kirklees.example", "full_name": "Nia Person"}
    assert (event.actor, event.council) == (admin, council("kirklees"))
    assert (scope_of(newcomer).roles, scope_of(newcomer).councils) == (frozenset(), frozenset())


# --- grant_role -----------------------------------------------------------------------------------


def test_granting_a_role_records_it_once(newcomer, admin):
    before = counts()

    first = grant_role(
        user=newcomer,
        role=Role.CHAIR,
        council=council("kirklees"),
        cluster=cluster("cluster-14"),
        acting_user=admin,
    )
    again = grant_role(
        user=newcomer,
        role="chair",
        council=council("kirklees"),
        cluster=cluster("cluster-14"),
        acting_user=admin,
    )

    assert again.pk == first.pk
    assert counts() == (before[0] + 1, before[1] + 1)
    assert (first.role, first.council, first.cluster, first.school) == (
        "chair",
        council("kirklees"),
        cluster("cluster-14"),
        None,
    )
    assert str(first) == "Chair – Cluster 14"
    event = AuditEvent.objects.get(action="role.granted", object_id=str(first.pk))
    assert event.after == {"person": "new.person@kirklees.example", "role": "chair", "scope": "Cluster 14"}
    assert (event.actor, event.council) == (admin, council("kirklees"))


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        (Role.COUNCIL_ADMIN, {"cluster": "cluster-14"}, "works across the whole council."),
        (Role.COUNCIL_ADMIN, {"school": ASHBROW}, "works across the whole council."),
        (Role.AUDITOR, {"cluster": "cluster-14"}, "works across the whole council."),
        (Role.CLUSTER_ADMIN, {}, "A Cluster admin role needs a cluster."),
        (Role.CHAIR, {"school": ASHBROW}, "A Chair role needs a cluster."),
        (Role.CHAIR, {"cluster": "cluster-14", "school": ASHBROW}, "A Chair role needs a cluster."),
        (Role.TEAM_AROUND_THE_CLUSTER, {}, "A Team Around the Cluster role needs a cluster."),
        (Role.SCHOOL_STAFF, {}, "A SENCO or head role needs a school."),
        (Role.SCHOOL_STAFF, {"cluster": "cluster-14"}, "A SENCO or head role needs a school."),
        (
            Role.SCHOOL_STAFF,
            {"cluster": "cluster-14", "school": ASHBROW},
            "A SENCO or head role needs a school.",
        ),
        (Role.CHAIR, {"cluster": "central-cluster"}, "Central cluster is not in Kirklees Council."),
        (Role.CLUSTER_ADMIN, {"cluster": "city-pool"}, "City pool is not in Kirklees Council."),
        (Role.SCHOOL_STAFF, {"school": ETRUSCAN}, "Etruscan Primary School is not in Kirklees Council."),
    ],
)
def test_a_role_that_does_not_fit_its_scope_is_refused(newcomer, admin, role, scope, message):
    before = counts()
    with pytest.raises(RoleError) as refused:
        grant_role(
            user=newcomer,
            role=role,
            council=council("kirklees"),
            cluster=cluster(scope["cluster"]) if "cluster" in scope else None,
            school=school(scope["school"]) if "school" in scope else None,
            acting_user=admin,
        )
    assert str(refused.value).endswith(message)
    assert counts() == before
    assert scope_of(newcomer).roles == frozenset()


def test_an_unknown_role_is_refused(newcomer, admin):
    before = counts()
    with pytest.raises(ValueError):
        grant_role(user=newcomer, role="governor", council=council("kirklees"), acting_user=admin)
    assert counts() == before


def test_the_auditor_refusal_is_good_english(newcomer, admin):
    with pytest.raises(RoleError) as refused:
        grant_role(
            user=newcomer,
            role=Role.AUDITOR,
            council=council("kirklees"),
            school=school(ASHBROW),
            acting_user=admin,
        )
    assert str(refused.value) == "An auditor works across the whole council."


# --- scope_of -------------------------------------------------------------------------------------


def test_scope_of_the_demo_people(user_by_email):
    kirklees, stoke = council("kirklees").pk, council("stoke-on-trent").pk

    chair = scope_of(user_by_email(K_CHAIR))
    assert chair.roles == {"chair", "school_staff"}
    assert (chair.chair_of, chair.staff_of, chair.councils) == (
        {cluster("cluster-14").pk},
        {school(ASHBROW).pk},
        {kirklees},
    )
    assert chair.cluster_roles_in == {cluster("cluster-14").pk}
    assert chair.overseen_councils == frozenset()

    auditor = scope_of(user_by_email(K_AUDITOR))
    assert (auditor.roles, auditor.auditor_of, auditor.overseen_councils) == (
        {"auditor"},
        {kirklees},
        {kirklees},
    )
    assert auditor.council_admin_of == frozenset() and auditor.staff_of == frozenset()

    stoke_admin = scope_of(user_by_email(S_CLUSTER_ADMIN))
    assert stoke_admin.cluster_admin_of == {cluster("central-cluster").pk, cluster("city-pool").pk}
    assert (stoke_admin.councils, stoke_admin.overseen_councils) == ({stoke}, frozenset())

    admin = scope_of(user_by_email(K_ADMIN))
    assert (admin.council_admin_of, admin.overseen_councils) == ({kirklees}, {kirklees})
    assert has_role(user_by_email(K_ADMIN), Role.COUNCIL_ADMIN)
    assert not has_role(user_by_email(K_ADMIN), Role.AUDITOR)


def test_signed_out_people_have_no_scope():
    from django.contrib.auth.models import AnonymousUser

    assert scope_of(None) is ANONYMOUS
    assert scope_of(AnonymousUser()) is ANONYMOUS
    assert ANONYMOUS.overseen_councils == frozenset() and ANONYMOUS.roles == frozenset()


def test_the_scope_is_read_once_and_forgotten_when_roles_change(newcomer, admin, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = scope_of(newcomer)
        assert scope_of(newcomer) is first
    assert first.roles == frozenset()

    grant_role(user=newcomer, role=Role.AUDITOR, council=council("stoke-on-trent"), acting_user=admin)

    # The same object sees its new role at once; a role granted elsewhere needs forget_scope.
    assert scope_of(newcomer).auditor_of == {council("stoke-on-trent").pk}
    RoleAssignment.objects.create(user=newcomer, role=Role.AUDITOR, council=council("kirklees"))
    assert scope_of(newcomer).auditor_of == {council("stoke-on-trent").pk}
    forget_scope(newcomer)
    assert scope_of(newcomer).auditor_of == {council("stoke-on-trent").pk, council("kirklees").pk}
    assert scope_of(newcomer).overseen_councils == {council("stoke-on-trent").pk, council("kirklees").pk}


# --- signing in -----------------------------------------------------------------------------------


@pytest.fixture
def browser_client(client):
    """The checked test client, refusing forms without their CSRF token as the live site does."""
    client.handler.enforce_csrf_checks = True
    return client


def page_text(response) -> str:
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def title(response) -> str:
    return re.search(r"<title[^>]*>([^<]*)</title>", response.content.decode()).group(1).strip()


def sign_in(client, username, password, url="/sign-in", **extra):
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(
        url, {"csrfmiddlewaretoken": token, "username": username, "password": password, **extra}
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_the_sign_in_page_has_the_email_and_password_fields(browser_client, db):
    response = browser_client.get("/sign-in")
    body = response.content.decode()
    assert response.status_code == 200
    assert title(response).startswith("Sign in")
    assert re.search(r'<input[^>]*name="username"[^>]*type="email"', body) or re.search(
        r'<input[^>]*type="email"[^>]*name="username"', body
    )
    assert 'name="password"' in body and 'autocomplete="current-password"' in body


def test_signing_in_with_the_right_password(browser_client, user_by_email):
    response = sign_in(browser_client, K_SENCO, DEMO_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(browser_client) == str(user_by_email(K_SENCO).pk)
    assert browser_client.get("/account").status_code == 200


def test_the_email_address_is_not_case_sensitive(browser_client, user_by_email):
    response = sign_in(browser_client, "  Senco.StThomas@Kirklees.EXAMPLE ", DEMO_PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(browser_client) == str(user_by_email(K_SENCO).pk)


def test_signing_in_goes_back_to_the_page_asked_for(browser_client, db):
    response = browser_client.get("/audit/")
    assert (response.status_code, response["Location"]) == (302, "/sign-in?next=/audit/")
    response = sign_in(browser_client, K_AUDITOR, DEMO_PASSWORD, url="/sign-in?next=/audit/")
    assert (response.status_code, response["Location"]) == (302, "/audit/")
    assert browser_client.get("/audit/").status_code == 200


def test_signing_in_never_goes_to_another_site(browser_client, db):
    response = sign_in(browser_client, K_AUDITOR, DEMO_PASSWORD, next="https://evil.example/steal")
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (K_SENCO, "wrong password"),
        (K_SENCO, DEMO_PASSWORD.upper()),
        ("nobody@kirklees.example", DEMO_PASSWORD),
    ],
)
def test_a_wrong_email_or_password_is_refused_with_the_govuk_message(browser_client, db, username, password):
    response = sign_in(browser_client, username, password)

    assert response.status_code == 200
    assert signed_in_as(browser_client) is None
    assert title(response).startswith("Error: Sign in")
    text = page_text(response)
    assert text.startswith("There is a problem Enter a correct email address and password")
    # The email is kept; the password is not sent back.
    body = response.content.decode()
    assert f'value="{username}"' in body
    assert password not in body


@pytest.mark.parametrize(
    ("username", "password", "errors"),
    [
        ("", "", [("Enter your email address", "#id_username"), ("Enter your password", "#id_password")]),
        (K_SENCO, "", [("Enter your password", "#id_password")]),
        (
            "senco at kirklees",
            DEMO_PASSWORD,
            [("Enter an email address in the correct format, like name@example.com", "#id_username")],
        ),
    ],
)
def test_missing_or_badly_formed_details_are_explained(browser_client, db, username, password, errors):
    response = sign_in(browser_client, username, password)
    assert response.status_code == 200
    assert signed_in_as(browser_client) is None
    assert title(response).startswith("Error: Sign in")
    body = response.content.decode()
    summary = body[body.index("govuk-error-summary") : body.index("<h1")]
    for message, href in errors:
        assert re.search(rf'<a href="{href}"[^>]*>\s*{re.escape(message)}\s*</a>', summary), message
        # The message is also shown by the field itself.
        assert body.count(message) == 2, message


def test_a_switched_off_account_is_told_so(browser_client, user_by_email):
    person = user_by_email(K_SENCO)
    person.is_active = False
    person.save()
    response = sign_in(browser_client, K_SENCO, DEMO_PASSWORD)
    assert signed_in_as(browser_client) is None
    assert "This account has been switched off" in page_text(response)


def test_a_switched_off_account_cannot_sign_in(browser_client, user_by_email):
    person = user_by_email(K_SENCO)
    person.is_active = False
    person.save()
    response = sign_in(browser_client, K_SENCO, DEMO_PASSWORD)
    assert response.status_code == 200
    assert signed_in_as(browser_client) is None


def test_a_sign_in_without_the_forms_csrf_token_is_refused(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in", {"username": K_SENCO, "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_is_sent_on_from_the_sign_in_page(browser_client, db):
    sign_in(browser_client, K_SENCO, DEMO_PASSWORD)
    response = browser_client.get("/sign-in")
    assert (response.status_code, response["Location"]) == (302, "/")


# --- signing out ----------------------------------------------------------------------------------


def test_signing_out_asks_first_and_happens_only_on_post(browser_client, db):
    sign_in(browser_client, K_SENCO, DEMO_PASSWORD)

    page = browser_client.get("/sign-out")
    assert page.status_code == 200
    assert title(page).startswith("Sign out")
    assert "You are signed in as senco.stthomas@kirklees.example." in page_text(page)
    assert signed_in_as(browser_client) is not None  # a GET does not sign out

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser_client.post("/sign-out", {"csrfmiddlewaretoken": token})

    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(browser_client) is None
    response = browser_client.get("/account")
    assert (response.status_code, response["Location"]) == (302, "/sign-in?next=/account")


def test_sign_out_when_signed_out_goes_home(client, db):
    response = client.get("/sign-out")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_sign_out_refuses_other_methods(client, user_by_email):
    client.force_login(user_by_email(K_SENCO))
    assert client.put("/sign-out").status_code == 405
    assert signed_in_as(client) is not None


def test_a_person_is_a_user_with_a_full_name(user_by_email):
    person = user_by_email(K_CHAIR)
    assert isinstance(person, User)
    assert str(person) == "Martin Beaumont"
