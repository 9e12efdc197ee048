import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from cifake_utils.web import create_app
from cifake_utils.web.auth import save_admin

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tiny_model_path, tmp_path):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "04_test_metrics_per_run.csv").write_text(
        "architecture,seed,accuracy\nmodified_cnn2d,0,0.9123\n"
    )
    app = create_app(
        {
            "TESTING": True,
            "MODELS_DIR": str(tiny_model_path.parent),
            "METRICS_DIR": str(metrics),
            "SECRET_KEY": "test",
            "MAX_CONTENT_LENGTH": 200_000,
            "MAX_IMAGE_BYTES": 100_000,
        },
        instance_path=tmp_path / "instance",
    )
    save_admin(tmp_path / "instance" / "admin.json", "boss", PASSWORD)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def token(client, url: str = "/") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def upload(data: bytes, name: str = "image.jpg") -> dict:
    return {"image": (io.BytesIO(data), name)}


def login(client, password: str = PASSWORD):
    return client.post(
        "/admin/login",
        data={
            "csrf_token": token(client, "/admin/login"),
            "username": "boss",
            "password": password,
        },
    )


@pytest.fixture
def jpeg(real_jpegs) -> bytes:
    return real_jpegs["test/FAKE"][0][1]


def test_index_shows_the_upload_form_and_the_model(client):
    page = client.get("/").get_data(as_text=True)
    assert 'type="file" name="image"' in page and "drop-zone" in page
    assert "Modified CNN2D" in page and "91.23%" in page


def test_upload_shows_verdict_probability_image_and_heatmap(client, jpeg):
    response = client.post(
        "/predict",
        data={"csrf_token": token(client), **upload(jpeg)},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="verdict" class="verdict (real|fake)">(REAL|FAKE)<', page)
    assert "Probability that the image is FAKE" in page
    assert page.count('src="data:image/png;base64,') == 2


def test_upload_without_csrf_token_is_refused(client, jpeg):
    response = client.post("/predict", data=upload(jpeg), content_type="multipart/form-data")
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "empty file"),
        (b"GIF89a but not really", 400, "not an image"),
        (b"<html>not an image</html>", 400, "not an image"),
        (b"\xff" * 100_010, 413, "too large"),  # over the image limit
        (b"\xff" * 300_000, 413, "too large"),  # over the whole request's limit
    ],
)
def test_bad_uploads_are_explained_without_a_trace(client, data, status, message):
    page_response = client.post(
        "/predict",
        data={"csrf_token": token(client), **upload(data)},
        content_type="multipart/form-data",
    )
    api_response = client.post(
        "/api/predict", data=upload(data), content_type="multipart/form-data"
    )
    for response in (page_response, api_response):
        assert response.status_code == status
        assert message in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)
    assert message in api_response.get_json()["error"]


def test_file_extension_is_ignored_content_is_sniffed(client, jpeg):
    response = client.post(
        "/api/predict", data=upload(jpeg, "holiday.txt"), content_type="multipart/form-data"
    )
    assert response.status_code == 200
    response = client.post(
        "/api/predict", data=upload(b"plain text", "photo.jpg"), content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_missing_file_is_a_400(client):
    response = client.post("/api/predict", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose an image" in response.get_json()["error"]


def test_api_returns_json_with_label_probability_and_heatmap(client, jpeg):
    response = client.post("/api/predict", data=upload(jpeg), content_type="multipart/form-data")
    body = response.get_json()
    assert body["label"] in {"REAL", "FAKE"}
    assert 0 <= body["fake_probability"] <= 1
    assert body["model"] == "modified_cnn2d_seed0" and body["test_accuracy"] == 0.9123
    assert body["heatmap_png"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("path", ["/admin/", "/admin/model", "/admin/evaluate"])
def test_admin_routes_need_a_login(client, path):
    method = client.get if path == "/admin/" else client.post
    response = method(path, data={"csrf_token": token(client)} if path != "/admin/" else None)
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
    client.post("/admin/logout", data={"csrf_token": token(client, "/admin/")})
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
            "csrf_token": token(client, "/admin/login"),
            "username": "boss",
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"].endswith("/admin/")


def test_admin_chooses_the_served_model_by_name_only(client, app):
    login(client)
    bad = client.post(
        "/admin/model", data={"csrf_token": token(client, "/admin/"), "model": "../../etc/passwd"}
    )
    assert bad.status_code == 400
    good = client.post(
        "/admin/model",
        data={"csrf_token": token(client, "/admin/"), "model": "modified_cnn2d_seed0"},
    )
    assert good.status_code == 302
    assert (Path(app.instance_path) / "serving_model.txt").read_text() == "modified_cnn2d_seed0"


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def evaluate(client, data: bytes):
    return client.post(
        "/admin/evaluate",
        data={"csrf_token": token(client, "/admin/"), "testset": (io.BytesIO(data), "set.zip")},
        content_type="multipart/form-data",
    )


def test_admin_evaluates_a_labelled_zip(client, real_jpegs):
    login(client)
    members = {
        f"{group}/{name}": data
        for group in ("test/REAL", "test/FAKE")
        for name, data in real_jpegs[group]
    }
    members["test/FAKE/broken.jpg"] = b"not a jpeg"
    page = evaluate(client, make_zip(members)).get_data(as_text=True)
    assert "12 images evaluated, 1 could not be read" in page
    assert "accuracy" in page and "Confusion matrix" in page
    assert "Accuracy per CIFAR-10 class" in page and "broken.jpg" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK not really a zip", "not a zip file"),
        (make_zip({"photos/cat.jpg": b"x"}), "no member like test/REAL"),
    ],
)
def test_bad_zips_are_explained(client, data, message):
    login(client)
    response = evaluate(client, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_zip_bomb_limits(client, app, real_jpegs):
    login(client)
    app.config["MAX_ZIP_UNCOMPRESSED_BYTES"] = 1_000
    members = {f"test/REAL/{name}": data for name, data in real_jpegs["test/REAL"]}
    response = evaluate(client, make_zip(members))
    assert response.status_code == 400 and "unpacks to more than" in response.get_data(True)
    app.config.update(MAX_ZIP_UNCOMPRESSED_BYTES=10**9, MAX_ZIP_IMAGES=3)
    assert "at most 3" in evaluate(client, make_zip(members)).get_data(as_text=True)


def test_unknown_page_and_unexpected_error_show_no_trace(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    client = app.test_client()
    assert client.get("/nowhere").status_code == 404
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_create_admin_command_stores_only_a_hash(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "alice"], input="s3cret-passphrase\n" * 2)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "instance" / "admin.json").read_text())
    assert record["username"] == "alice"
    assert "s3cret" not in json.dumps(record) and record["password_hash"].startswith("scrypt:")
    short = runner.invoke(args=["create-admin", "bob"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
