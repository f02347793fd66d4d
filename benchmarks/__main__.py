"""``python -m benchmarks`` runs the benchmark command line."""

import sys

from benchmarks.cli import main

sys.exit(main())
