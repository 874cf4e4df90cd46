"""Storage: the only package that talks to SQLCipher."""

from cpassess.storage.database import DamagedDatabase, Database, Row, StorageError, check_file
from cpassess.storage.lockfile import AlreadyOpen

__all__ = ["AlreadyOpen", "DamagedDatabase", "Database", "Row", "StorageError", "check_file"]
