"""Step 1 of ingest: what is there to read, as which format, and what each source's content is.

:func:`discover` finds the sources under the paths given (files, folders walked in sorted order,
X archive folders and .zip files) and the files it skipped with their reasons; :func:`sha256_of`
identifies a source's content (so content already in the store is not read again) and
:func:`size_of` measures it (so the merge knows when to spill).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roi.errors import InputError
from roi.io.detect import FORMATS, detect, is_x_archive

__all__ = ["Source", "discover", "sha256_of", "size_of"]


@dataclass(frozen=True)


class Source:
    """A source found by :func:`discover`: what to read and as which format."""

    path: Path
    format: str
    reason: str = ""


def _hidden(p: Path) -> bool:
    return p.name.startswith(".")


def discover(paths: Sequence[str | Path], *, format: str = "auto") -> tuple[list[Source], list[dict[str, str]]]:
    """Find the sources under ``paths`` and the files skipped with their reasons.

    Raises
    ------
    InputError
        A path that does not exist, an explicit file no detector claims, or a folder with
        nothing readable (one line naming it and why).
    """
    sources: list[Source] = []
    skipped: list[dict[str, str]] = []
    for raw in paths:
        if not str(raw).strip():
            raise InputError("an empty path was given; name a file or folder")
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_dir():
            if is_x_archive(p):
                _check_forced(p, "x-archive", format)
                sources.append(Source(p, "x-archive", "X archive folder"))
                continue
            found_here, skipped_here = _walk(p, format, root=p.resolve())
            if not found_here:
                shown = "; ".join(f"{Path(s['path']).name}: {s['reason']}" for s in skipped_here[:5])
                raise InputError(f"{p}: nothing readable in this folder"
                                 + (f" (skipped {len(skipped_here)}: {shown})" if shown else " (it is empty)"))
            sources += found_here
            skipped += skipped_here
            continue
        if format != "auto":
            sources.append(Source(p, format, "--format"))
            continue
        found = detect(p)
        if not found:
            raise InputError(f"{p}: {found.reason}; not an export roi reads "
                             f"(formats: {', '.join(FORMATS)}; use --format to force one)")
        sources.append(Source(p, found.format, found.reason))
    return sources, skipped


def _check_forced(p: Path, detected: str, forced: str) -> None:
    if forced not in ("auto", detected):
        raise InputError(f"{p}: is {detected}, not --format {forced}")


def _walk(folder: Path, forced: str, *, root: Path) -> tuple[list[Source], list[dict[str, str]]]:
    """Find the sources and the skipped files under ``folder``, walked in sorted order.

    Symbolic links to folders are not followed (a loop would list a file forever, a link to /etc
    would read the system), nor links to files outside ``root``.
    """
    sources: list[Source] = []
    skipped: list[dict[str, str]] = []
    for p in sorted(folder.iterdir(), key=lambda q: q.name):
        if _hidden(p):
            skipped.append({"path": str(p), "reason": "hidden file or folder"})
        elif p.is_symlink() and p.is_dir():
            skipped.append({"path": str(p), "reason": "symbolic link to a folder (not followed; name the folder itself)"})
        elif p.is_symlink() and root not in p.resolve().parents:
            skipped.append({"path": str(p), "reason": "symbolic link to a file outside the folder (not followed)"})
        elif p.is_dir():
            if is_x_archive(p):
                sources.append(Source(p, "x-archive", "X archive folder"))
            else:
                found_below, skipped_below = _walk(p, forced, root=root)
                sources += found_below
                skipped += skipped_below
        else:
            found = detect(p)
            if not found:
                skipped.append({"path": str(p), "reason": found.reason})
            elif forced not in ("auto", found.format):
                skipped.append({"path": str(p), "reason": f"detected as {found.format}, not --format {forced}"})
            else:
                sources.append(Source(p, found.format, found.reason))
    return sources, skipped


def sha256_of(path: Path) -> str:
    """sha256 of a file, or of an archive (every member's name and bytes, in sorted order)."""
    h = hashlib.sha256()
    if path.is_dir():
        for member in sorted(q for q in path.rglob("*") if q.is_file() and not _hidden(q)):
            h.update(member.relative_to(path).as_posix().encode() + b"\0")
            _update_file(h, member)
        return h.hexdigest()
    _update_file(h, path)
    return h.hexdigest()


def _update_file(h: Any, path: Path) -> None:
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file under a folder (0 when it cannot be read)."""
    try:
        return sum(q.stat().st_size for q in path.rglob("*") if q.is_file()) if path.is_dir() else path.stat().st_size
    except OSError:
        return 0
