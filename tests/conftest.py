"""Suite-wide settings.

Property tests explore new random inputs on every local run (that is how they find bugs);
under CI they run derandomized, so a pull request's check is the same on every machine
and a red CI always means a reproducible failure. A failure found locally becomes an
``@example`` next to its test.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
