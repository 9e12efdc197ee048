"""Admin login: one account created from the command line, its password hashed (werkzeug).

A session is revocable on the server: the account file holds a session version, the cookie
holds the version it was issued under, and logging out or changing the password bumps it,
which ends every session issued before, copied cookies included.
"""

import functools
import json
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import with_appcontext
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import limiter
from .instance import write_private

bp = Blueprint("auth", __name__, url_prefix="/admin")
MIN_PASSWORD_LENGTH = 10


def admin_file() -> Path:
    return Path(current_app.config["ADMIN_FILE"])


def read_admin(path: Path) -> dict | None:
    """The stored account (name, password hash, session version), or None if there is none."""
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    record.setdefault("session_version", 0)
    return record


def save_admin(path: Path, username: str, password: str) -> None:
    """Store the admin's name and a salted scrypt hash of the password; never the password.

    Replacing the account bumps the session version, so sessions of the old one end.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    previous = read_admin(path)
    record = {
        "username": username,
        "password_hash": generate_password_hash(password),
        "session_version": (previous["session_version"] + 1) if previous else 1,
    }
    write_private(path, json.dumps(record))


def end_all_sessions(path: Path) -> None:
    """Invalidate every admin session issued so far."""
    record = read_admin(path)
    if record is not None:
        record["session_version"] += 1
        write_private(path, json.dumps(record))


def check_login(username: str, password: str) -> dict | None:
    """The account when it exists and both name and password match, else None."""
    record = read_admin(admin_file())
    if record is None:
        return None
    valid = check_password_hash(record["password_hash"], password)  # always hash: no timing hint
    return record if valid and username == record["username"] else None


def logged_in() -> bool:
    """Whether the session was issued to the current account under its current version."""
    if "admin" not in session:
        return False
    record = read_admin(admin_file())
    return (
        record is not None
        and session.get("admin") == record["username"]
        and session.get("version") == record["session_version"]
    )


def login_required(view):
    """Send anyone not logged in to the login page (401 for non-HTML clients)."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if not logged_in():
            session.clear()
            if request.accept_mimetypes.best == "application/json":
                return {"error": "login required"}, 401
            return redirect(url_for("auth.login", next=request.path))
        return view(**kwargs)

    return wrapped


def safe_next(target: str) -> str | None:
    """`target` if it is a path on this site, else None: never an open redirect.

    Refuses what browsers would read as another host: a scheme or host (`https://x`,
    `//x`, `javascript:`), backslashes (`/\\x`), and control characters, which browsers
    strip (`/<tab>/x` becomes `//x`).
    """
    if not target or any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if request.method == "POST":
        record = check_login(request.form.get("username", ""), request.form.get("password", ""))
        if record is not None:
            session.clear()
            session["admin"] = record["username"]
            session["version"] = record["session_version"]
            return redirect(safe_next(request.args.get("next", "")) or url_for("admin.dashboard"))
        flash("Wrong name or password.")
        return render_template("login.html"), 401
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    if logged_in():
        end_all_sessions(admin_file())
    session.clear()
    return redirect(url_for("predict.index"))


@click.command("create-admin")
@click.argument("username")
@with_appcontext
@click.password_option(help="the admin's password (asked for when not given)")
def create_admin_command(username: str, password: str) -> None:
    """Create (or replace) the admin account; this ends every admin session."""
    try:
        save_admin(admin_file(), username, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"admin {username!r} saved to {admin_file()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin_command)

    @app.context_processor
    def admin_flag() -> dict:
        if "is_admin" not in g:
            g.is_admin = logged_in()
        return {"is_admin": g.is_admin}
