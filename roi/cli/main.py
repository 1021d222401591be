"""Entry point of the ``roi`` command: builds the parser from the subcommand modules."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import roi
import roi.cli
from roi.errors import RoiError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 2 (argparse's own code)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def subcommand_modules() -> list[str]:
    """Names of the modules in roi.cli that define subcommands, sorted."""
    return sorted(
        m.name for m in pkgutil.iter_modules(roi.cli.__path__)
        if not m.name.startswith("_") and m.name != "main"
    )


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except RoiError as exc:
        print(f"roi {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("roi: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
