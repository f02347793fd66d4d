"""``python -m cleantext`` runs the command line."""

import sys

from cleantext.cli import main

sys.exit(main())
