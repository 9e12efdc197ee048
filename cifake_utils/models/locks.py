"""Job locks that no two processes hold at once and that a dead holder never keeps: an
advisory `flock` on `<folder>/<key>.lock`, which the kernel releases when its process ends.
The file names the holder's pid, for people and for `make train-status`."""

import fcntl
import os
from pathlib import Path

_HELD: dict[Path, int] = {}  # lock path -> open descriptor holding the flock, this process


def take_lock(folder: Path, key: str) -> bool:
    """Take the lock of `key` for this process; False when another holder has it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.lock"
    if path in _HELD:
        return False
    while True:
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        # Locked, but the file may have been released and removed meanwhile: lock the file
        # that is at the path now.
        try:
            same = os.fstat(descriptor).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(descriptor)
    os.ftruncate(descriptor, 0)
    os.write(descriptor, str(os.getpid()).encode())
    _HELD[path] = descriptor
    return True


def lock_owner(path: Path) -> int | None:
    """The pid named by a held lock (0 if it names none), None when no one holds it."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        text = path.read_text().strip()
        return int(text) if text.isdigit() else 0
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    finally:
        os.close(descriptor)


def release_lock(folder: Path, key: str) -> None:
    """Release and remove a lock this process holds (nothing when it holds none)."""
    path = folder / f"{key}.lock"
    descriptor = _HELD.pop(path, None)
    if descriptor is None:
        return
    path.unlink(missing_ok=True)
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    os.close(descriptor)
