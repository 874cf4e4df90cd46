"""Leavers (DESIGN §8.7): nothing signed by a revoked certificate after its revocation is accepted.

Revocations come from `Session.remove_user` on the administrator's laptop and reach the others in the next
signed roster. PDF signatures are checked against them in `cpassess.export.verification`; exchange packages
here, by the time the sender's laptop put in the package (there is no time-stamping server offline: a leaver
who kept their key and set their clock back is not caught by this, see docs/admin.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from cryptography import x509

if TYPE_CHECKING:
    from cpassess.session import Session


def package_revocation_problem(session: Session, certificate: x509.Certificate, created: object) -> str | None:
    """Why a package is refused if `certificate` was revoked at or before its `created` time (or it has none)."""
    revoked_at = session.revocations().get(certificate.serial_number)
    if revoked_at is None:
        return None
    try:
        made: dt.datetime | None = dt.datetime.fromisoformat(str(created))
    except ValueError:
        made = None
    if made is None or made.tzinfo is None or made >= revoked_at:
        return (f"This package was signed after its sender left the team (their certificate was revoked on "
                f"{revoked_at:%d/%m/%Y %H:%M %Z}); it was not imported.")
    return None
