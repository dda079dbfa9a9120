"""Developer helper: autogenerate a migration from the models.

    python -m storage.revision "add column x"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.migrate import alembic_config, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'rev.db'}"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
