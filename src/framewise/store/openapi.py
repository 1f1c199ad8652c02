"""Write the event store's OpenAPI document (the committed copy lives in ``docs/openapi.json``).

Usage::

    python -m framewise.store.openapi docs/openapi.json

A test compares the committed file with what the app serves, so the file never goes stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_text
from framewise.store.api import create_app
from framewise.store.settings import StoreSettings


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of an app on a throw-away in-memory database."""
    return create_app(StoreSettings(database_url="sqlite://")).openapi()


def main(argv: list[str] | None = None) -> int:
    """Write the document to the path given (stdout when none)."""
    args = sys.argv[1:] if argv is None else argv
    text = json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
    if args:
        target = Path(args[0])
        write_text(target, text)
        target.chmod(0o644)  # a committed document, not a private temporary file
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
