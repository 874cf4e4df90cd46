"""The team server (DESIGN §15): a PostgreSQL database used as a mailbox for sealed exchange packages.

The server holds packages already encrypted to their recipient, the signed roster and each member's published
audit head; never plaintext, never a key. Only this package imports psycopg (an import-linter contract), and
only its connection, schema, administration and sync modules load it, so exporting a package never does.
"""


class ServerError(Exception):
    """A team-server problem told in one plain line (never a password or anything personal)."""


class ServerUnreachable(ServerError):
    """The server could not be reached or refused the login; the outbox keeps everything for next time."""
