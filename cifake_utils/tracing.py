"""Record which project files a notebook's kernel reads and writes (for the provenance record).

Installed by `cifake_utils/__init__.py` when `$CIFAKE_TRACE_FILE` is set (the study runner sets
it for each kernel it starts). It uses Python's audit hooks, so every `open` of a file, from
NumPy, pandas, Keras, Pillow or matplotlib alike, is seen without any of them knowing. Each
event is one appended line: `r<TAB>path`, `w<TAB>path` or `s<TAB>README section`. Standard
library only: the runner and `make check-outputs` import it without TensorFlow.
"""

import os
import sys

TRACE_VARIABLE = "CIFAKE_TRACE_FILE"
README_SECTION_EVENT = "cifake.readme_section"  # raised by study.readme.update_section
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC

_trace_fd: int | None = None
_hooked = False


def opened_for_writing(mode, flags) -> bool:
    """Whether an `open` audit event's mode (io.open) or flags (os.open) can write."""
    if isinstance(mode, str):
        return any(letter in mode for letter in "wax+")
    return bool(isinstance(flags, int) and flags & WRITE_FLAGS)


def _record(kind: str, path) -> None:
    if _trace_fd is None:
        return
    try:
        text = os.fsdecode(os.fspath(path))
    except TypeError:  # an already open file descriptor
        return
    if text.endswith((".py", ".pyc")):
        return  # imports are recorded as the code closure, not as data
    # One write of one short line: appends from the kernel and its workers do not interleave.
    os.write(_trace_fd, f"{kind}\t{os.path.abspath(text)}\n".encode())


def _hook(event: str, args: tuple) -> None:
    if event == "open":
        path, mode, flags = args
        _record("w" if opened_for_writing(mode, flags) else "r", path)
    elif event == "os.rename":  # os.rename and os.replace: the destination is written
        _record("w", args[1])
    elif event == README_SECTION_EVENT and _trace_fd is not None:
        os.write(_trace_fd, f"s\t{args[0]}\n".encode())


def install(trace_file: str) -> None:
    """Append this process's file events to `trace_file` from now on (once per process)."""
    global _trace_fd, _hooked
    if _trace_fd is not None:
        return
    _trace_fd = os.open(trace_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    if not _hooked:
        sys.addaudithook(_hook)
        _hooked = True


def stop() -> None:
    """Stop recording (an audit hook cannot be removed, so it is silenced)."""
    global _trace_fd
    if _trace_fd is not None:
        os.close(_trace_fd)
        _trace_fd = None
