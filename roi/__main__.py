"""``python -m roi``: the ``roi`` command line."""

import sys

from roi.cli.main import main

sys.exit(main())
