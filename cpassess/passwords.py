"""What makes an acceptable password, shared by the core's checks and the screens' feedback (no heavy imports)."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 10
STRONG_LENGTH = 16


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters; a short sentence is best."
    if password.strip() != password or not password.isprintable():
        return "A password cannot start or end with spaces or contain control characters."
    return None


def password_strength(password: str) -> str:
    """A sentence about a new password, for feedback as it is typed."""
    problem = password_problem(password)
    if problem:
        return problem
    kinds = sum(any(test(c) for c in password) for test in (str.islower, str.isupper, str.isdigit,
                                                             lambda c: not c.isalnum()))
    if len(password) >= STRONG_LENGTH or (len(password) >= 12 and kinds >= 3):
        return "Strong password."
    return "Acceptable; longer is stronger."
