"""The ``roi`` command line.

Each subcommand lives in its own module in this package and exposes two names:

``register(subparsers)``
    adds its parser (``subparsers.add_parser(NAME, help=..., description=...)``) and sets
    ``func=run`` on it with ``parser.set_defaults(func=run)``;
``run(args) -> int``
    does the work and returns the exit code. It raises :class:`roi.errors.RoiError` for bad
    input; :func:`roi.cli.main.main` turns that into a one-line message and exit code 2.

Modules are discovered, so adding a subcommand is adding a file. Names starting with ``_`` and
``main`` are not subcommands.
"""
