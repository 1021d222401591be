"""Every public plot function follows one contract: ``plot_x(table, *, ax=None, ...) -> Axes``.

Checked by signature; each plot module's own tests draw with it (Agg backend).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import roi

PLOT_MODULES = sorted(m.name for m in pkgutil.walk_packages(roi.__path__, "roi.")
                      if m.name.rsplit(".", 1)[-1] in {"plots", "maps"})
PLOT_FUNCTIONS = [(module, name) for module in PLOT_MODULES
                  for name, fn in inspect.getmembers(importlib.import_module(module), inspect.isfunction)
                  if name.startswith("plot_") and fn.__module__ == module]


def test_there_are_plot_functions_to_check():
    assert len(PLOT_FUNCTIONS) >= 15, PLOT_FUNCTIONS


@pytest.mark.parametrize("module, name", PLOT_FUNCTIONS)
def test_plot_functions_take_an_optional_axes_and_return_one(module, name):
    sig = inspect.signature(getattr(importlib.import_module(module), name))
    ax = sig.parameters.get("ax")
    assert ax is not None and ax.kind is inspect.Parameter.KEYWORD_ONLY and ax.default is None, \
        f"{module}.{name}: expected a keyword-only ax=None"
    assert sig.return_annotation == "Axes", f"{module}.{name}: expected -> Axes"
    first = next(iter(sig.parameters.values()))
    assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and first.name != "ax", \
        f"{module}.{name}: the data comes first"
