"""``python -m soundlint``."""

import sys

from soundlint.cli import main

sys.exit(main())
