"""``python -m dicomforge``: the command line (see :mod:`dicomforge.cli`)."""

import sys

from dicomforge.cli import main

sys.exit(main())
