"""The app factory: error pages, security headers, settings and how uploads are held."""

import io

from flask import request
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder, encode_multipart

from cifake_utils.web import create_app


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


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/admin/login"), client.get("/nowhere")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_pages_use_no_inline_script_or_style_that_the_policy_would_block(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page and " on" + "click=" not in page
    assert '<script src="/static/upload.js">' in page


def test_secure_cookie_flag_is_a_setting(tiny_model_path, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "MODELS_DIR": str(tiny_model_path.parent),
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": True,
        },
        instance_path=tmp_path / "secure",
    )
    client = app.test_client()
    client.get("/admin/login")  # the CSRF token starts a session
    response = client.get("/admin/login")
    cookies = response.headers.getlist("Set-Cookie") or [""]
    assert client.get_cookie("session") is not None
    assert all("Secure" in cookie for cookie in cookies if cookie)


def test_uploads_stay_in_memory(app):
    large = b"\x00" * 2_000_000  # Werkzeug would spool anything over 500 KB to a temp file
    app.config["MAX_CONTENT_LENGTH"] = 4_000_000
    boundary, body = encode_multipart({"image": FileStorage(io.BytesIO(large), "image.jpg")})
    environ = EnvironBuilder(
        path="/api/predict",
        method="POST",
        input_stream=io.BytesIO(body),  # in memory, unlike the test client's own spooling
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(body),
    ).get_environ()
    with app.request_context(environ):
        stream = request.files["image"].stream
        assert isinstance(stream, io.BytesIO) and len(stream.getvalue()) == len(large)
