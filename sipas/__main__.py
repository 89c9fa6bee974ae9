"""``python -m sipas``: the same as the ``sipas`` command."""

from __future__ import annotations

import sys

from sipas.cli import main

sys.exit(main())
