"""The instance folder's private files: written owner-only (0600) from the first byte."""

import os
import secrets
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`, atomically, through a file created with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def instance_secret(path: Path) -> str:
    """The session-signing key, made once per installation and kept out of git."""
    if not path.is_file():
        write_private(path, secrets.token_hex(32))
    return path.read_text().strip()
