"""Storage: the only package that talks to SQLCipher."""

from cpassess.storage.database import Database, Row, check_file, damaged_part, read_stored_json
from cpassess.storage.faults import DamagedDatabase, DiskFull, StorageError, is_disk_full
from cpassess.storage.lockfile import AlreadyOpen

__all__ = ["AlreadyOpen", "DamagedDatabase", "Database", "DiskFull", "Row", "StorageError", "check_file",
           "damaged_part", "is_disk_full", "read_stored_json"]
