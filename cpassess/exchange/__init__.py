"""Offline exchange between laptops (DESIGN §10): sealed envelopes, the team roster, joining a team.

Submission and decision packages are transitions of the casework layer (`cpassess.casework.packages`).
"""

from cpassess.exchange.envelope import PackageRefused
from cpassess.exchange.roster import approve_join, build_roster, complete_join, import_roster, request_to_join

__all__ = ["PackageRefused", "approve_join", "build_roster", "complete_join", "import_roster", "request_to_join"]
