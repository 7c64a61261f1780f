"""Settings for the test suite: a private, throw-away data folder (keys included) per run.

Set before civharm.settings reads the environment, so tests never touch ./civharm-data.
"""

import os
import tempfile

os.environ.setdefault("CIVHARM_DATA", tempfile.mkdtemp(prefix="civharm-test-"))

from civharm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed: tests only

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not shared-cache memory: WAL, locking and busy timeouts behave as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
