"""Admin login: one account created from the command line, its password hashed (werkzeug)."""

import functools
import json
from pathlib import Path

import click
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import with_appcontext
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/admin")
MIN_PASSWORD_LENGTH = 10


def admin_file() -> Path:
    return Path(current_app.config["ADMIN_FILE"])


def save_admin(path: Path, username: str, password: str) -> None:
    """Store the admin's name and a salted scrypt hash of the password; never the password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    record = {"username": username, "password_hash": generate_password_hash(password)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))
    path.chmod(0o600)


def check_login(username: str, password: str) -> bool:
    """True when the account exists and both name and password match."""
    path = admin_file()
    if not path.is_file():
        return False
    record = json.loads(path.read_text())
    valid = check_password_hash(record["password_hash"], password)  # always hash: no timing hint
    return valid and username == record["username"]


def login_required(view):
    """Send anyone not logged in to the login page (401 for non-HTML clients)."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if not session.get("admin"):
            if request.accept_mimetypes.best == "application/json":
                return {"error": "login required"}, 401
            return redirect(url_for("auth.login", next=request.path))
        return view(**kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if request.method == "POST":
        if check_login(request.form.get("username", ""), request.form.get("password", "")):
            session.clear()
            session["admin"] = True
            target = request.args.get("next", "")
            # Only a path on this site: never an open redirect.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("admin.dashboard")
            return redirect(target)
        flash("Wrong name or password.")
        return render_template("login.html"), 401
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("predict.index"))


@click.command("create-admin")
@click.argument("username")
@with_appcontext
@click.password_option(help="the admin's password (asked for when not given)")
def create_admin_command(username: str, password: str) -> None:
    """Create (or replace) the admin account."""
    try:
        save_admin(admin_file(), username, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"admin {username!r} saved to {admin_file()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
