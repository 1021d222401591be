"""Build the one C extension; everything else about the package is in pyproject.toml.

``roi.io._linescan`` is the X v2 reader's native line scanner (CPython API only, no library). It is
optional: where it cannot be compiled, roi installs without it and parses with pyarrow instead.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("roi.io._linescan", ["roi/io/_linescan.c"], extra_compile_args=["-O3"],
                             optional=True)])
