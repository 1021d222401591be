"""The file-system guarantees the store is built on: advisory locks and atomic, durable JSON writes.

:mod:`roi.store` keeps its contract (one writer at a time, readers never see a version vanish,
a crash leaves the previous manifest) with these few operating-system primitives: ``flock``
advisory locks, which the OS releases when their holder dies however it dies (none on Windows:
:data:`LOCKS` is False there and writers are not serialised), and a JSON file replaced by a
rename after an fsync of the file and of its folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

try:  # advisory locks, released by the OS when their holder dies
    import fcntl
except ImportError:  # pragma: no cover - Windows: no fcntl; writers are not serialised there
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCKS", "try_lock", "wait_for_shared_lock", "unlock", "pid_alive", "fsync_dir", "write_json_atomic"]

LOCKS = fcntl is not None  # False: no advisory locks on this system


def try_lock(fd: int, *, shared: bool = False) -> bool:
    """Take an advisory lock on an open file without blocking; False if another process holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def wait_for_shared_lock(fd: int) -> None:
    """Take a shared advisory lock on an open file, waiting while a process holds it exclusively."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_SH)


def unlock(fd: int) -> None:
    """Release the advisory lock held on an open file."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (True when it exists but is another user's).

    >>> pid_alive(os.getpid())
    True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename inside it) to disk; nothing where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(path: Path, payload: Any) -> None:
    """Replace ``path`` with ``payload`` as JSON: a temporary file, fsynced, renamed over it.

    A crash leaves either the old file or the new one, never a part of one.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> write_json_atomic(p, {"a": 1}); write_json_atomic(p, {"a": 2}); json.loads(p.read_text())
    {'a': 2}
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2, ensure_ascii=False, default=str)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
