import sys

from roi.cli.main import main

sys.exit(main())
