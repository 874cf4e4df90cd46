"""Two laptops of one team for the team server's tests: the practitioner's and the team lead's."""

from __future__ import annotations

from pathlib import Path

from cpassess.casework import Casework
from cpassess.casework.packages import export_package
from cpassess.server.admin import init_server
from cpassess.server.connection import member_url
from cpassess.server.sync import SyncReport, sync
from tests.helpers import Team


class Laptops:
    """The practitioner's laptop and the team lead's: two copies of one team database, each its own file."""

    def __init__(self, team: Team, folder: Path, server_url: str) -> None:
        self.prac, self.lead = team.copy_to(folder / "prac-laptop"), team.copy_to(folder / "lead-laptop")
        self.server_url = server_url
        with self.lead.session("lead") as session:
            self.urls = {login.username: member_url(server_url, login.role, login.password)
                         for login in init_server(session, server_url)}

    def sync(self, who: str) -> SyncReport:
        laptop = self.prac if who == "prac" else self.lead
        with laptop.session(who) as session:
            return sync(session, self.urls[who])

    def submit(self) -> str:
        _, assessment_id = self.prac.submitted()
        with self.prac.session("prac") as session:
            export_package(session, assessment_id, "lead")
        return assessment_id

    def approve(self, assessment_id: str) -> None:
        with self.lead.session("lead") as session:
            Casework.of(session).approve(assessment_id, self.lead.passwords["lead"])
            export_package(session, assessment_id, "prac")
