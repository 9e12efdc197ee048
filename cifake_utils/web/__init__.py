"""The Flask web app: upload an image, see its verdict and heatmap; admin pages behind a login."""

import io
from pathlib import Path

from flask import Flask, Request, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..paths import project_root
from ..project.profiles import get_profile
from . import admin, auth, predict, serving
from .extensions import csrf, limiter
from .instance import instance_secret

# The page's own script and stylesheet only; images are data: URIs; no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class InMemoryRequest(Request):
    """Uploads stay in memory, never in temporary files: Werkzeug spools file parts over
    500 KB to disk by default. The request size limits bound what memory they take."""

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):  # fmt: skip
        return io.BytesIO()


def create_app(test_config: dict | None = None, instance_path: Path | None = None) -> Flask:
    """Build the app: defaults, then the instance's `config.py` or `test_config`.

    The instance folder (default `instance/`, ignored by git) holds the secret key, the admin
    account, the choice of served model and an optional `config.py` (for example
    `SESSION_COOKIE_SECURE = True` when the app is served over HTTPS).
    """
    instance = instance_path or project_root() / "instance"
    app = Flask(__name__, instance_path=str(instance))
    app.request_class = InMemoryRequest
    outputs = get_profile("full")
    app.config.from_mapping(
        MODELS_DIR=str(outputs.models_dir),
        METRICS_DIR=str(outputs.metrics_dir),
        MAX_CONTENT_LENGTH=64 * 2**20,  # whole request, the admin's zip included
        MAX_IMAGE_BYTES=10 * 2**20,  # one uploaded image
        MAX_ZIP_IMAGES=25_000,  # images in the admin's labelled zip
        MAX_ZIP_UNCOMPRESSED_BYTES=256 * 2**20,  # what the zip may unpack to
        MAX_ZIP_PIXELS=64_000_000,  # declared pixels of all its images together
        DECODE_SLOTS=2,  # uploads decoded and classified at once (one per core here)
        DECODE_WAIT_SECONDS=30,  # then 503
        PREDICT_RATE_LIMIT="60 per minute",  # per client address, page and API
        LOGIN_RATE_LIMIT="5 per minute",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=False,  # set True in instance/config.py behind HTTPS
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("ADMIN_FILE", str(Path(app.instance_path) / "admin.json"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")

    csrf.init_app(app)
    limiter.init_app(app)
    serving.init_app(app)
    predict.init_app(app)
    auth.init_app(app)
    app.register_blueprint(predict.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    csrf.exempt(predict.api_predict)  # a script's POST carries no session cookie to forge
    register_error_pages(app)
    app.after_request(add_security_headers)
    return app


def add_security_headers(response: Response) -> Response:
    """No MIME sniffing, no framing, only this site's scripts."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register_error_pages(app: Flask) -> None:
    """Every error is a short page (or JSON for the API) and never a stack trace."""

    def render(code: int, message: str):
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), code
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render(400, "The form expired or was not sent from this site; reload and retry.")

    @app.errorhandler(HTTPException)
    def http_error(error):
        messages = {
            413: "That upload is too large.",
            429: "Too many requests; wait a minute and try again.",
        }
        return render(error.code or 500, messages.get(error.code, error.description))

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("unhandled error")
        return render(500, "Something went wrong on our side. The error was logged.")
