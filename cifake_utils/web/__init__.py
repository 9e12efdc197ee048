"""The Flask web app: upload an image, see its verdict and heatmap; admin pages behind a login."""

import secrets
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..paths import project_root
from . import admin, auth, predict
from .extensions import limiter
from .serving import ModelRegistry

csrf = CSRFProtect()


def create_app(test_config: dict | None = None, instance_path: Path | None = None) -> Flask:
    """Build the app: defaults, then the instance's `config.py` or `test_config`.

    The instance folder (default `instance/`, ignored by git) holds the secret key, the admin
    account and the choice of served model.
    """
    instance = instance_path or project_root() / "instance"
    app = Flask(__name__, instance_path=str(instance))
    app.config.from_mapping(
        MODELS_DIR=str(project_root() / "outputs" / "models"),
        METRICS_DIR=str(project_root() / "outputs" / "metrics"),
        MAX_CONTENT_LENGTH=64 * 2**20,  # whole request, the admin's zip included
        MAX_IMAGE_BYTES=10 * 2**20,  # one uploaded image
        MAX_ZIP_IMAGES=25_000,  # images in the admin's labelled zip
        MAX_ZIP_UNCOMPRESSED_BYTES=256 * 2**20,  # what the zip may unpack to
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        LOGIN_RATE_LIMIT="5 per minute",
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
    app.extensions["cifake_models"] = ModelRegistry(
        Path(app.config["MODELS_DIR"]),
        Path(app.config["METRICS_DIR"]),
        Path(app.instance_path) / "serving_model.txt",
    )
    app.register_blueprint(predict.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    csrf.exempt(predict.api_predict)  # a script's POST carries no session cookie to forge
    auth.init_app(app)
    register_error_pages(app)
    app.teardown_request(close_uploads)
    return app


def close_uploads(error: BaseException | None) -> None:
    """Close spooled upload files now, even when the view stopped early (abort)."""
    parsed = request.__dict__.get("files")  # only if the body was parsed: never parse it here
    for upload in (parsed or {}).values():
        upload.close()


def instance_secret(path: Path) -> str:
    """The session-signing key, made once per installation and kept out of git."""
    if not path.is_file():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


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
            429: "Too many attempts; wait a minute and try again.",
        }
        return render(error.code or 500, messages.get(error.code, error.description))

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("unhandled error")
        return render(500, "Something went wrong on our side. The error was logged.")
