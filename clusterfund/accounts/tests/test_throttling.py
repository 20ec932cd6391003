from clusterfund.demo.loader import DEMO_PASSWORD

EMAIL = "senco.stthomas@kirklees.example"


def test_five_wrong_passwords_lock_sign_in_even_for_the_right_one(client, db):
    for _ in range(5):
        response = client.post("/sign-in", {"username": EMAIL, "password": "wrong password"})
    assert response.status_code == 429
    assert "Sign in is locked for 15 minutes" in response.content.decode()
    response = client.post("/sign-in", {"username": EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lock_on_one_account_leaves_others_alone(client, db):
    for _ in range(5):
        client.post("/sign-in", {"username": EMAIL, "password": "wrong password"})
    response = client.post(
        "/sign-in", {"username": "senco.birkbyjunior@kirklees.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
