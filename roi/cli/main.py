"""Entry point of the ``roi`` command: builds the parser from the subcommand modules."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
import warnings
from collections.abc import Sequence

import roi
import roi.cli
from roi.errors import RoiError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 2 (argparse's own code)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Give every (sub)command's arguments their own parser, so an error can name its flags."""
    parser.set_defaults(_parser=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _remember_parsers(child)


def in_flags(message: str, parser: argparse.ArgumentParser | None) -> str:
    """Library errors name parameters (``as_of='x'``); on the command line they are flags.

    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--as-of")
    >>> in_flags("as_of='someday': expected a date", p)
    "--as-of 'someday': expected a date"
    """
    for action in getattr(parser, "_actions", []):
        flag = next((o for o in action.option_strings if o.startswith("--")), None)
        if flag and action.dest:
            message = re.sub(rf"(?<![\w-]){re.escape(action.dest)}=", f"{flag} ", message)
    return message


def subcommand_modules() -> list[str]:
    """Names of the modules in roi.cli that define subcommands, sorted."""
    return sorted(
        m.name for m in pkgutil.iter_modules(roi.cli.__path__)
        if not m.name.startswith("_") and m.name != "main"
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the ``roi`` argument parser with every subcommand registered."""
    parser = _Parser(
        prog="roi",
        description="roi - return on influence: reach, influence and engagement analytics "
        "from the social-media exports you already have.",
    )
    parser.add_argument("--version", action="version", version=f"roi {roi.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in subcommand_modules():
        module = importlib.import_module(f"roi.cli.{name}")
        module.register(sub)
    _remember_parsers(parser)
    return parser


# Arguments that name a file or folder: an empty one would silently mean the current folder.
_PATH_ARGUMENTS = {"store": "--store", "out": "--out", "notebook": "--notebook", "trees": "--trees",
                   "paths": "PATH", "out_dir": "OUT_DIR"}


def _empty_path(args: argparse.Namespace) -> str | None:
    """Return the name of the first path argument given as an empty string, or None."""
    for dest, name in _PATH_ARGUMENTS.items():
        value = getattr(args, dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            return name
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``roi`` command line on ``argv`` and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``roi``; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The subcommand's code (0 on success); 2 when no subcommand is named or the input or a
        parameter is bad (the error is printed as one line, never a traceback); 130 when interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    # A warning (e.g. a handle two accounts claim) is one line for the user, not a line of roi's code.
    warnings.formatwarning = lambda message, category, *rest, **kw: f"roi {args.command}: warning: {message}\n"
    empty = _empty_path(args)
    if empty is not None:
        print(f"roi {args.command}: error: {empty} is an empty path; name a file or folder", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except RoiError as exc:
        print(f"roi {args.command}: error: {in_flags(str(exc), getattr(args, '_parser', None))}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path the user named: missing, a file for a folder, not writable, disk full
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"roi {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("roi: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
