"""Admin login, logout and the account: sessions that end, redirects that stay on the site."""

import json
import stat
from pathlib import Path

import pytest

from cifake_utils.web import create_app
from cifake_utils.web.auth import safe_next, save_admin

from .conftest import ADMIN_PASSWORD, csrf_token, login


@pytest.mark.parametrize("path", ["/admin/", "/admin/model", "/admin/evaluate"])
def test_admin_routes_need_a_login(client, path):
    method = client.get if path == "/admin/" else client.post
    response = method(path, data={"csrf_token": csrf_token(client)} if path != "/admin/" else None)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/admin/login" in response.headers["Location"]
    api = client.get("/admin/", headers={"Accept": "application/json"})
    assert api.status_code == 401


def test_login_logout_and_cookie_flags(client):
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Serving model" in client.get("/admin/").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_and_attempts_are_rate_limited(client):
    assert login(client, "wrong password").status_code == 401
    statuses = [login(client, "wrong password").status_code for _ in range(6)]
    assert statuses[-1] == 429
    assert login(client).status_code == 429  # even the right password waits


def test_open_redirect_after_login_is_refused(client):
    response = client.post(
        "/admin/login?next=//evil.example/",
        data={
            "csrf_token": csrf_token(client, "/admin/login"),
            "username": "boss",
            "password": ADMIN_PASSWORD,
        },
    )
    assert response.headers["Location"].endswith("/admin/")


def test_create_admin_command_stores_only_a_hash(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "alice"], input="s3cret-passphrase\n" * 2)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "instance" / "admin.json").read_text())
    assert record["username"] == "alice"
    assert "s3cret" not in json.dumps(record) and record["password_hash"].startswith("scrypt:")
    short = runner.invoke(args=["create-admin", "bob"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/%09/evil.example/",  # a tab, which browsers strip: //evil.example/
        "/%0a/evil.example/",
        "/\\evil.example/",  # a backslash, which browsers read as a slash
        "\\/evil.example/",
        "/%5Cevil.example/",
        "%2F%2Fevil.example%2F",
        "https://evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "///evil.example/",
    ],
)
def test_known_open_redirect_bypasses_are_refused(client, target):
    response = login(client, next_page=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_a_path_on_this_site_is_followed_after_login(client):
    assert login(client, next_page="/admin/?tab=models").headers["Location"] == "/admin/?tab=models"
    assert safe_next("/admin/") == "/admin/" and safe_next("") is None


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client):
    login(client)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert thief.get("/admin/").status_code == 302  # back to the login page


def test_a_new_password_ends_existing_sessions(app, client):
    login(client)
    assert client.get("/admin/").status_code == 200
    save_admin(Path(app.config["ADMIN_FILE"]), "boss", "another long passphrase")
    assert client.get("/admin/").status_code == 302


def test_admin_file_and_secret_key_are_private_from_the_start(app):
    instance = Path(app.instance_path)
    create_app(
        {"TESTING": True, "MODELS_DIR": app.config["MODELS_DIR"]}, instance_path=instance
    )  # makes the secret key
    for name in ("admin.json", "secret_key"):
        assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600, name
