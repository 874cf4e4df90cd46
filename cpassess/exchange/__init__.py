"""Offline exchange between laptops (DESIGN §10): sealed packages, the team roster, joining a team."""

from cpassess.exchange.envelope import PackageRefused
from cpassess.exchange.packages import ImportResult, export_package, import_package
from cpassess.exchange.roster import approve_join, build_roster, complete_join, import_roster, request_to_join

__all__ = ["ImportResult", "PackageRefused", "approve_join", "build_roster", "complete_join", "export_package",
           "import_package", "import_roster", "request_to_join"]
