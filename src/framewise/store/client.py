"""Compatibility re-export: the client now lives in :mod:`framewise.store_api.client`.

Kept so that ``from framewise.store.client import ...`` keeps working; new code imports the
contract from :mod:`framewise.store_api`, which never loads the server (nor SQLAlchemy).
"""

from framewise.store_api.client import (
    RetryHook,
    RetryPolicy,
    StoreAmbiguousError,
    StoreClient,
    StoreRequestError,
    StoreUnavailableError,
)

__all__ = [
    "RetryHook",
    "RetryPolicy",
    "StoreAmbiguousError",
    "StoreClient",
    "StoreRequestError",
    "StoreUnavailableError",
]
