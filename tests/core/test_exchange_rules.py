"""The exchange rules in-process (DESIGN §10): two laptops' databases, the packages between them, and what an
import refuses. Every refusal must leave the receiving database and its key file exactly as they were.

The two-laptop story is played once per module (a practitioner joins from her own laptop, submits, the team lead
returns it, she revises and resubmits, the team lead approves) with a copy of both databases kept at each stage;
each test starts from copies of the stage it needs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cpassess.authority import cert_to_pem, create_authority, issue_certificate, sign
from cpassess.casework import Casework
from cpassess.casework.packages import export_package, import_package
from cpassess.demo import sample_answers
from cpassess.exchange import (
    PackageRefused,
    approve_join,
    build_roster,
    complete_join,
    import_roster,
    request_to_join,
)
from cpassess.exchange.envelope import MAGIC, open_envelope, read_header, seal
from cpassess.forms import default_catalog
from cpassess.keyslots import KdfParams
from cpassess.paths import slot_file_for
from cpassess.session import Session
from cpassess.workflow import NotAllowed, Status
from tests.helpers import disk_state, leaks

KDF = KdfParams(time_cost=1, memory_kib=65536, parallelism=1)
TEAM = "North East Children and Families"
FORM = "neglect-assessment"
PASSWORDS = {"lead": "lead's long password 1", "lead2": "second lead password 3", "lead3": "third lead password 4",
             "sam": "practitioner password 2", "kim": "another practitioner 5"}
NAME_CANARY = "QuokkaCanaryV5R8"
ANSWER_CANARY = "HeronCanaryJ4T6"
UNICODE_CANARY = "ĶanārijsΔžŋ"  # beyond ASCII: its UTF-8 and UTF-16 forms differ from any single-byte one
CANARIES = (NAME_CANARY, ANSWER_CANARY, UNICODE_CANARY)
CHILD = {"given_names": f"Eilidh {NAME_CANARY}", "family_name": "MacLeod", "known_as": UNICODE_CANARY,
         "date_of_birth": "2019-04-19", "sex": "female", "chi": "1904190286"}
RETURN_COMMENT = "Please say who was at the home visit."


def answers(seed: int) -> dict[str, Any]:
    """Complete answers for the neglect assessment, with a canary in a narrative the practitioner typed."""
    values = sample_answers(default_catalog().get(FORM), random.Random(seed), "Siobhán", dt.date.today())
    values["physical_care_daily_life"] = f"{ANSWER_CANARY} said the fridge was empty. {UNICODE_CANARY} (v{seed})"
    return values


# --- the two laptops ----------------------------------------------------------------------------------------


@dataclass
class Laptops:
    """Copies of the team lead's laptop (lead, lead2) and the practitioner's (sam) at one stage of the story."""

    lead_db: Path
    sam_db: Path
    assessment_id: str
    files: dict[str, bytes]

    def session(self, username: str) -> Session:
        return Session.unlock(self.sam_db if username == "sam" else self.lead_db, username, PASSWORDS[username])

    def db_of(self, username: str) -> Path:
        return self.sam_db if username == "sam" else self.lead_db

    def refused(self, username: str, data: bytes) -> str:
        """Import `data` as `username`: it must be refused, with nothing on that laptop changed; returns why."""
        return self.all_refused(username, [data])[0]

    def all_refused(self, username: str, packages: list[bytes]) -> list[str]:
        """`refused` for several packages, tried in one session."""
        db = self.db_of(username)
        before = disk_state(db)
        reasons = []
        with self.session(username) as session:
            for data in packages:
                with pytest.raises(PackageRefused) as refusal:
                    import_package(session, data)
                reasons.append(str(refusal.value))
        assert disk_state(db) == before, "a refused package changed the database or its key file"
        assert all(reason and "\n" not in reason for reason in reasons)
        return reasons

    def imported(self, username: str, data: bytes) -> str:
        with self.session(username) as session:
            return import_package(session, data).status

    def exported(self, username: str, recipient: str, assessment_id: str | None = None) -> bytes:
        with self.session(username) as session:
            return export_package(session, assessment_id or self.assessment_id, recipient)

    def status(self, username: str, assessment_id: str | None = None) -> tuple[Status, str | None, dict[str, Any]]:
        with self.session(username) as session:
            assessment = session.assessments.get(assessment_id or self.assessment_id)
            return assessment.status, assessment.content_sha256, assessment.answers


@dataclass
class Story:
    folder: Path
    assessment_id: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    stages: list[str] = field(default_factory=list)

    def keep(self, stage: str, lead_db: Path, sam_db: Path) -> None:
        for db, laptop in ((lead_db, "lead"), (sam_db, "sam")):
            target = self.folder / stage / laptop
            target.mkdir(parents=True)
            for path in (db, slot_file_for(db)):
                shutil.copy2(path, target / path.name)
        self.stages.append(stage)

    def at(self, stage: str, folder: Path) -> Laptops:
        """Fresh copies of both laptops as they were at `stage`."""
        assert stage in self.stages
        for laptop in ("lead", "sam"):
            shutil.copytree(self.folder / stage / laptop, folder / laptop)
        return Laptops(folder / "lead" / "lead.db", folder / "sam" / "sam.db", self.assessment_id, self.files)


def play_the_story(folder: Path) -> Story:
    story = Story(folder / "stages")
    lead_db, sam_db = folder / "live" / "lead" / "lead.db", folder / "live" / "sam" / "sam.db"
    files = story.files
    files["join request"] = request_to_join(sam_db, "sam", "Sam Wróblewski", PASSWORDS["sam"], KDF)
    session, _ = Session.initialise(lead_db, "lead", "Morag Lindsay", PASSWORDS["lead"], team_name=TEAM, kdf=KDF)
    with session as lead:
        lead.add_user("lead2", "Siobhán Ní Bhriain", ["team_lead"], PASSWORDS["lead2"], kdf=KDF)
        files["join response"] = approve_join(lead, files["join request"], ["practitioner"])
    complete_join(sam_db, "sam", PASSWORDS["sam"], files["join response"], KDF)

    def sam() -> Session:
        return Session.unlock(sam_db, "sam", PASSWORDS["sam"])

    def lead() -> Session:
        return Session.unlock(lead_db, "lead", PASSWORDS["lead"])

    with sam() as session:
        child = session.children.add(CHILD)
        assessment_id = story.assessment_id = Casework.of(session).new(child.id, FORM, answers=answers(3)).id
        Casework.of(session).submit(assessment_id)
        files["submission 1"] = export_package(session, assessment_id, "lead")
    story.keep("v1 sent", lead_db, sam_db)
    with lead() as session:
        import_package(session, files["submission 1"])
    story.keep("v1 held", lead_db, sam_db)
    with lead() as session:
        Casework.of(session).return_for_changes(assessment_id, RETURN_COMMENT, field_id="nutrition_feeding")
        files["return"] = export_package(session, assessment_id, "sam")
    with sam() as session:
        import_package(session, files["return"])
        Casework.of(session).save_draft(assessment_id, answers(4))
    story.keep("revising", lead_db, sam_db)
    with sam() as session:
        Casework.of(session).submit(assessment_id)
        files["submission 2"] = export_package(session, assessment_id, "lead")
    story.keep("v2 sent", lead_db, sam_db)
    with lead() as session:
        import_package(session, files["submission 2"])
    story.keep("v2 held", lead_db, sam_db)
    with lead() as session:
        Casework.of(session).approve(assessment_id, PASSWORDS["lead"])
        files["approval"] = export_package(session, assessment_id, "sam")
    with sam() as session:
        import_package(session, files["approval"])
    with lead() as session:
        files["roster"] = build_roster(session)
    story.keep("approved", lead_db, sam_db)
    return story


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("exchange-rules-home")))
        patch.setenv("CPASSESS_KDF_SECONDS", "0.01")
        return play_the_story(tmp_path_factory.mktemp("exchange-rules"))


@pytest.fixture
def at(story: Story, tmp_path: Path) -> Callable[[str], Laptops]:
    """`at(stage)`: this test's own copies of both laptops at that stage of the story (new copies each call)."""
    copies = iter(range(1000))
    return lambda stage: story.at(stage, tmp_path / f"laptops-{next(copies)}")


# --- the round trip -----------------------------------------------------------------------------------------


def test_the_approved_record_on_both_laptops_is_the_same_signed_pdf(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    with laptops.session("lead") as lead, laptops.session("sam") as sam:
        theirs, mine = lead.assessments.get(laptops.assessment_id), sam.assessments.get(laptops.assessment_id)
        assert theirs.status == mine.status == Status.APPROVED
        assert theirs.content_sha256 == mine.content_sha256
        assert theirs.reviewer == mine.reviewer == "lead"
        for copy in ("full", "family"):
            approved = lead.assessments.document(laptops.assessment_id, copy, "approved")
            assert approved is not None and approved.startswith(b"%PDF")
            assert sam.assessments.document(laptops.assessment_id, copy, "approved") == approved
        assert [c.text for c in sam.assessments.comments(laptops.assessment_id)] == [RETURN_COMMENT]
        assert lead.check() == [] and sam.check() == []


# --- only the recipient can open a package ------------------------------------------------------------------


def test_a_package_opens_only_with_the_recipients_key_not_even_the_senders(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    package = laptops.files["submission 1"]
    with laptops.session("lead") as lead:
        lead_key, lead_certificates = lead.signing_key, lead.certificates_of("lead")
        assert open_envelope(package, "lead", lead_key, lead_certificates).payload["recipient"] == "lead"
    assert "addressed to someone else" in laptops.refused("sam", package)
    assert "addressed to someone else" in laptops.refused("lead2", package)
    # Even pretending to be the recipient (claiming lead's certificates) gets nowhere without lead's private key.
    for username in ("sam", "lead2"):
        with laptops.session(username) as session, pytest.raises(PackageRefused, match="cannot be opened"):
            open_envelope(package, "lead", session.signing_key, lead_certificates)


def test_a_package_addressed_to_another_team_lead_is_refused_but_theirs_to_open(
        at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    for_lead2 = laptops.exported("sam", "lead2")
    assert read_header(for_lead2)[0]["recipient"] == "lead2"
    assert "addressed to someone else" in laptops.refused("lead", for_lead2)
    assert laptops.imported("lead2", for_lead2) == "submitted"


def test_the_clear_header_names_only_the_recipient_and_no_one_else(story: Story) -> None:
    for name in ("submission 1", "return", "submission 2", "approval"):
        header, _, _ = read_header(story.files[name])
        assert set(header) == {"format", "version", "kind", "recipient", "recipient_certificate", "ephemeral_key"}


# --- no personal data in any file that travels ---------------------------------------------------------------


def test_no_exchange_file_holds_the_childs_name_or_the_practitioners_words(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    assert set(laptops.files) >= {"join request", "join response", "submission 1", "return", "submission 2",
                                  "approval", "roster"}
    for name, data in laptops.files.items():
        assert leaks(data, CANARIES) == [], f"{name} holds {leaks(data, CANARIES)} in plain text"
    # ...yet they are in there, for the recipient alone: the scan is looking at the right files.
    with laptops.session("lead") as lead:
        payload = open_envelope(laptops.files["submission 2"], "lead", lead.signing_key,
                                lead.certificates_of("lead")).payload
    assert leaks(json.dumps(payload, ensure_ascii=False).encode("utf-8"), CANARIES) == list(CANARIES)
    assert leaks(NAME_CANARY.upper().encode("utf-16-le"), CANARIES) == [NAME_CANARY]


# --- damaged, truncated and foreign files -------------------------------------------------------------------


def test_every_damaged_byte_is_refused_and_nothing_is_written(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    package = laptops.files["submission 1"]
    header_end = len(MAGIC) + 4 + int.from_bytes(package[len(MAGIC):len(MAGIC) + 4], "big")
    positions = sorted({*range(len(MAGIC) + 4),  # the magic line and the header length
                        *range(len(MAGIC) + 4, header_end, 7),  # the clear header
                        *range(header_end, header_end + 12),  # the nonce
                        *range(header_end + 12, len(package), max(1, len(package) // 40)),  # the ciphertext
                        *range(len(package) - 16, len(package))})  # the authentication tag, to the last byte
    before = disk_state(laptops.lead_db)
    reasons = set()
    with laptops.session("lead") as lead:
        for position in positions:
            damaged = bytearray(package)
            damaged[position] ^= 0x01
            with pytest.raises(PackageRefused) as refusal:
                import_package(lead, bytes(damaged))
            reasons.add(str(refusal.value))
        assert lead.assessments.find() == []
    assert disk_state(laptops.lead_db) == before
    assert any("altered or damaged" in reason for reason in reasons)
    assert "This is not a cpassess exchange package." in reasons


def test_a_truncated_package_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    package = laptops.files["submission 1"]
    header_end = len(MAGIC) + 4 + int.from_bytes(package[len(MAGIC):len(MAGIC) + 4], "big")
    before = disk_state(laptops.lead_db)
    with laptops.session("lead") as lead:
        for length in (0, 1, len(MAGIC) - 1, len(MAGIC), len(MAGIC) + 3, len(MAGIC) + 4, header_end - 1, header_end,
                       header_end + 11, header_end + 27, len(package) // 2, len(package) - 16, len(package) - 1):
            with pytest.raises(PackageRefused, match=r"not a cpassess|truncated|damaged"):
                import_package(lead, package[:length])
    assert disk_state(laptops.lead_db) == before


def test_files_that_are_not_packages_are_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    reasons = laptops.all_refused("lead", [laptops.files["roster"], laptops.files["join response"],
                                           b"PK\x03\x04" + bytes(100), b"%PDF-1.7\n",
                                           MAGIC + b"\x00\x00\x00\x02{}" + bytes(40)])
    assert reasons == ["This is not a cpassess exchange package."] * 4 + [
        "This package was made by a different version of cpassess."]


def test_a_package_signed_outside_the_team_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    with laptops.session("lead") as lead:
        payload = open_envelope(laptops.files["submission 1"], "lead", lead.signing_key,
                                lead.certificates_of("lead")).payload
        lead_certificate = lead.user.certificate
    # Another authority with the same team name issues its own "sam": the same names, not the same keys.
    impostor = create_authority(TEAM)
    key, certificate = issue_certificate(impostor, "sam", "Sam Wróblewski", ["practitioner"])
    forged = seal("submission", payload | {"sequence": 50}, key, certificate, lead_certificate, "lead")
    assert "outside this team" in laptops.refused("lead", forged)


def test_a_team_members_package_waits_for_the_roster_that_lists_them(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 held")
    with laptops.session("lead") as lead:
        lead.add_user("lead3", "Zoë Ó Súilleabháin", ["team_lead"], PASSWORDS["lead3"], kdf=KDF)
    with laptops.session("lead3") as lead3:
        Casework.of(lead3).return_for_changes(laptops.assessment_id, RETURN_COMMENT)
        decision = export_package(lead3, laptops.assessment_id, "sam")
    assert "'lead3' is not on this laptop's team roster" in laptops.refused("sam", decision)
    with laptops.session("lead") as lead:
        roster = build_roster(lead)
    with laptops.session("sam") as sam:
        import_roster(sam, roster)
    assert laptops.imported("sam", decision) == "returned"


def test_a_package_from_another_teams_laptop_is_refused(at: Callable[[str], Laptops], tmp_path: Path) -> None:
    laptops = at("v1 sent")
    other, _ = Session.initialise(tmp_path / "other" / "other.db", "lead", "Morag Lindsay", PASSWORDS["lead"],
                                  team_name=TEAM, kdf=KDF)
    with other:
        other.add_user("sam", "Sam Wróblewski", ["practitioner"], PASSWORDS["sam"], kdf=KDF)
    with Session.unlock(tmp_path / "other" / "other.db", "sam", PASSWORDS["sam"]) as sam:
        child = sam.children.add(CHILD)
        assessment = Casework.of(sam).new(child.id, FORM, answers=answers(5))
        Casework.of(sam).submit(assessment.id)
        package = export_package(sam, assessment.id, "lead")
    assert "addressed to someone else" in laptops.refused("lead", package)


# --- replays and sequence numbers ---------------------------------------------------------------------------


def test_a_package_is_imported_once_and_an_older_one_never_after_a_newer(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    for username, names in (("lead", ["submission 1", "submission 2"]), ("sam", ["return", "approval"])):
        reasons = laptops.all_refused(username, [laptops.files[name] for name in names])
        assert all("a replay is refused" in reason for reason in reasons), reasons


def test_packages_to_two_team_leads_sharing_a_laptop_are_both_imported(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 held")  # lead has imported sam's package number 1 for lead
    with laptops.session("sam") as sam:
        child = sam.children.add(CHILD | {"given_names": "Ruairidh", "sex": "male", "chi": None})
        second = Casework.of(sam).new(child.id, FORM, answers=answers(6)).id
        Casework.of(sam).submit(second)
        for_lead2 = export_package(sam, second, "lead2")  # sam's package number 1 for lead2
    assert laptops.imported("lead2", for_lead2) == "submitted"
    assert "a replay is refused" in laptops.refused("lead2", for_lead2)


# --- never overwrite newer local work -----------------------------------------------------------------------


def stale_approval(laptops: Laptops) -> bytes:
    """The team lead approves the first submission on an old copy of their laptop (a restored backup), and sends
    it twice so its sequence number is ahead of anything the practitioner has had."""
    with laptops.session("lead") as lead:
        Casework.of(lead).approve(laptops.assessment_id, PASSWORDS["lead"])
        export_package(lead, laptops.assessment_id, "sam")
        return export_package(lead, laptops.assessment_id, "sam")


def test_a_decision_on_content_the_practitioner_has_since_changed_is_a_conflict(
        at: Callable[[str], Laptops]) -> None:
    approval = stale_approval(at("v1 held"))
    laptops = at("v2 held")  # sam has revised and resubmitted since
    status, digest, _ = laptops.status("sam")
    assert "a conflict, not merged" in laptops.refused("sam", approval)
    assert laptops.status("sam")[:2] == (status, digest) and status == Status.SUBMITTED


def test_a_decision_arriving_while_the_practitioner_is_revising_is_refused(at: Callable[[str], Laptops]) -> None:
    approval = stale_approval(at("v1 held"))
    laptops = at("revising")
    before = laptops.status("sam")
    assert "returned here, not waiting for a decision" in laptops.refused("sam", approval)
    assert laptops.status("sam") == before
    assert before[0] == Status.RETURNED and before[2]["physical_care_daily_life"].endswith("(v4)")


def test_a_submission_for_an_assessment_already_approved_is_refused(at: Callable[[str], Laptops]) -> None:
    resent = at("v2 held").exported("sam", "lead")  # sam sends it again, not knowing it was approved
    laptops = at("approved")
    assert "already been approved here" in laptops.refused("lead", resent)
    assert laptops.status("lead")[0] == Status.APPROVED


def test_an_older_submission_never_replaces_a_newer_one(at: Callable[[str], Laptops]) -> None:
    # sam restores a backup made when the first version was submitted and sends it again (twice, so its
    # sequence number is new): the team lead already holds the revised submission.
    old = at("v1 sent")
    old.exported("sam", "lead")
    resent = old.exported("sam", "lead")
    laptops = at("v2 held")
    held = laptops.status("lead")
    assert "newer" in laptops.refused("lead", resent)
    assert laptops.status("lead") == held


def test_a_submission_whose_answers_differ_from_what_the_author_signed_is_refused(
        at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    with laptops.session("lead") as lead:
        payload = open_envelope(laptops.files["submission 1"], "lead", lead.signing_key,
                                lead.certificates_of("lead")).payload
        lead_certificate = lead.user.certificate
    shown = json.loads(payload["assessment"]["answers"])
    shown["physical_care_daily_life"] = "Nothing of concern."
    payload["assessment"]["answers"] = json.dumps(shown, ensure_ascii=False)
    with laptops.session("sam") as sam:  # sealed and signed by the genuine author
        tampered = seal("submission", payload, sam.signing_key, sam.user.certificate, lead_certificate, "lead")
    assert "signed" in laptops.refused("lead", tampered)


def test_a_submission_claiming_another_author_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")
    with laptops.session("lead") as lead:
        payload = open_envelope(laptops.files["submission 1"], "lead", lead.signing_key,
                                lead.certificates_of("lead")).payload
        lead_certificate = lead.user.certificate
    payload["assessment"]["author"] = "lead2"
    with laptops.session("sam") as sam:
        tampered = seal("submission", payload, sam.signing_key, sam.user.certificate, lead_certificate, "lead")
    assert "not sent by its author" in laptops.refused("lead", tampered)


# --- the PDFs in a package are the record it carries (DESIGN §9.7) ------------------------------------------


def resealed(laptops: Laptops, package: str, change: Callable[[dict[str, Any], Session], None]) -> bytes:
    """`package` opened (as the team lead could), changed by `change(payload, sam's session)`, and sealed and
    signed again by sam: what a practitioner holding their own key could send."""
    with laptops.session("lead") as lead:
        payload = open_envelope(laptops.files[package], "lead", lead.signing_key, lead.certificates_of("lead")).payload
        lead_certificate = lead.user.certificate
    with laptops.session("sam") as sam:
        change(payload, sam)
        return seal("submission", payload, sam.signing_key, sam.user.certificate, lead_certificate, "lead")


def b64(data: bytes | None) -> str:
    assert data is not None
    return base64.b64encode(data).decode("ascii")


def test_a_submission_carrying_another_assessments_certified_pdf_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")

    def other_pdfs(payload: dict[str, Any], sam: Session) -> None:
        other = Casework.of(sam).new(sam.children.add(CHILD).id, FORM, answers=answers(7))
        Casework.of(sam).submit(other.id)
        payload["documents"] = {copy: b64(pdf) for copy, pdf in sam.assessments.documents(other.id,
                                                                                           "submitted").items()}

    reason = laptops.refused("lead", resealed(laptops, "submission 1", other_pdfs))
    assert "does not belong to it" in reason and "assessment_id" in reason


def test_a_submission_carrying_an_older_versions_certified_pdf_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("v2 sent")
    with laptops.session("lead") as lead:
        older = open_envelope(laptops.files["submission 1"], "lead", lead.signing_key,
                              lead.certificates_of("lead")).payload["documents"]

    def older_pdfs(payload: dict[str, Any], sam: Session) -> None:
        payload["documents"] = older

    reason = laptops.refused("lead", resealed(laptops, "submission 2", older_pdfs))
    assert "does not belong to it" in reason and "answers" in reason


def test_a_submission_carrying_the_full_copy_as_its_family_copy_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("v1 sent")

    def full_as_family(payload: dict[str, Any], sam: Session) -> None:
        payload["documents"]["family"] = payload["documents"]["full"]

    reason = laptops.refused("lead", resealed(laptops, "submission 1", full_as_family))
    assert "the family copy shows other content" in reason


def test_a_submission_whose_pdf_record_was_edited_and_certified_again_is_refused(
        at: Callable[[str], Laptops]) -> None:
    from cpassess.casework.documents import signer_for
    from cpassess.export.document import render
    from cpassess.export.record import Presentation, print_record
    from cpassess.export.signing import certify
    from cpassess.forms import canonical_json

    laptops = at("v1 sent")

    def edited_record(payload: dict[str, Any], sam: Session) -> None:
        content = json.loads(payload["assessment"]["submitted_content"])
        content["answers"]["physical_care_daily_life"] = "Nothing of concern was seen."  # what the pages say
        form = default_catalog().get(FORM)
        record = print_record(form, content, Presentation(status="Submitted for approval", draft=False))
        payload["documents"]["full"] = b64(certify(render(record).data, signer_for(sam), canonical_json(content)))

    reason = laptops.refused("lead", resealed(laptops, "submission 1", edited_record))
    assert "the full copy shows other content than this assessment's (differs in answers)" in reason


def test_a_resealed_but_unchanged_submission_is_imported(at: Callable[[str], Laptops]) -> None:
    """The re-sealing above is sound: with nothing changed, the package goes through."""
    laptops = at("v1 sent")
    assert laptops.imported("lead", resealed(laptops, "submission 1", lambda payload, sam: None)) == "submitted"


# --- the child's details travel with a revision -------------------------------------------------------------


def test_an_older_copy_of_the_childs_details_never_overwrites_newer_ones_and_is_kept(
        at: Callable[[str], Laptops]) -> None:
    laptops = at("revising")
    with laptops.session("lead") as lead:
        child = lead.children.get(lead.assessments.get(laptops.assessment_id).child_id)
        newer = lead.children.update(child.id, {**child.record.model_dump(mode="json"), "school": "Castlehill Nursery"})
    assert newer.revision == child.revision + 1
    with laptops.session("sam") as sam:  # meanwhile sam changes the address on their copy, and resubmits
        mine = sam.children.get(child.id)
        sam.children.update(child.id, {**mine.record.model_dump(mode="json"), "address": "4 Harbour Row, Leith"})
        Casework.of(sam).submit(laptops.assessment_id)
        package = export_package(sam, laptops.assessment_id, "lead")
    assert laptops.imported("lead", package) == "submitted"
    with laptops.session("lead") as lead:
        kept = lead.children.get(child.id)
        [conflict] = lead.children.conflicts(child.id)
    assert kept.record.school == "Castlehill Nursery" and kept.record.address != "4 Harbour Row, Leith"
    assert conflict.sender == "sam" and conflict.theirs.address == "4 Harbour Row, Leith"
    assert ("address", kept.record.address, "4 Harbour Row, Leith") in conflict.differences(kept.record)


def test_a_newer_copy_of_the_childs_details_is_taken(at: Callable[[str], Laptops]) -> None:
    laptops = at("revising")
    with laptops.session("sam") as sam:
        child = sam.children.get(sam.assessments.get(laptops.assessment_id).child_id)
        sam.children.update(child.id, {**child.record.model_dump(mode="json"), "address": "4 Harbour Row, Leith"})
        Casework.of(sam).submit(laptops.assessment_id)
        package = export_package(sam, laptops.assessment_id, "lead")
    laptops.imported("lead", package)
    with laptops.session("lead") as lead:
        assert lead.children.get(child.id).record.address == "4 Harbour Row, Leith"
        assert lead.children.conflicts(child.id) == []


# --- the roster -----------------------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def resigned(roster: dict[str, Any], key: Any) -> bytes:
    return json.dumps({"roster": roster, "signature": base64.b64encode(sign(key, canonical(roster))).decode()},
                      ensure_ascii=False).encode("utf-8")


def roster_refused(laptops: Laptops, username: str, data: bytes) -> str:
    db = laptops.db_of(username)
    before = disk_state(db)
    with laptops.session(username) as session, pytest.raises(PackageRefused) as refusal:
        import_roster(session, data)
    assert disk_state(db) == before
    return str(refusal.value)


def test_a_roster_from_another_team_is_refused(at: Callable[[str], Laptops], tmp_path: Path) -> None:
    laptops = at("approved")
    other, _ = Session.initialise(tmp_path / "other.db", "lead", "Morag Lindsay", PASSWORDS["lead"],
                                  team_name=TEAM, kdf=KDF)
    with other:
        foreign = build_roster(other)
    for username in ("sam", "lead"):
        assert "belongs to a different team" in roster_refused(laptops, username, foreign)


def test_a_roster_not_signed_by_the_team_authority_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    genuine = json.loads(laptops.files["roster"])
    roster = genuine["roster"] | {"serial": genuine["roster"]["serial"] + 1}
    impostor = create_authority(TEAM)
    altered = json.loads(json.dumps(genuine))
    altered["roster"]["members"][0]["display_name"] = "Someone Else"
    for data in (resigned(roster, impostor.key), json.dumps(altered).encode("utf-8"),
                 json.dumps(genuine | {"signature": "not base64!"}).encode("utf-8")):
        reason = roster_refused(laptops, "sam", data)
        assert "signature does not verify" in reason or "damaged" in reason


def test_a_roster_listing_a_certificate_from_elsewhere_is_refused(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    roster = json.loads(laptops.files["roster"])["roster"]
    roster["serial"] += 1
    _, foreign = issue_certificate(create_authority(TEAM), "sam", "Sam Wróblewski", ["practitioner"])
    for member in roster["members"]:
        if member["username"] == "sam":
            member["certificate"] = cert_to_pem(foreign).decode("ascii")
    with laptops.session("lead") as lead:
        forged = resigned(roster, lead.authority().key)  # even the team authority's signature does not vouch
    assert "for sam is not genuine" in roster_refused(laptops, "sam", forged)


def test_only_a_newer_roster_is_imported(at: Callable[[str], Laptops]) -> None:
    laptops = at("approved")
    joined_with = json.dumps(json.loads(laptops.files["join response"])["roster"]).encode("utf-8")
    assert "not newer" in roster_refused(laptops, "sam", joined_with)
    with laptops.session("sam") as sam:
        assert import_roster(sam, laptops.files["roster"]) == 3
    assert "not newer" in roster_refused(laptops, "sam", laptops.files["roster"])


# --- joining from another laptop ----------------------------------------------------------------------------


def test_a_join_response_for_a_different_key_or_user_is_refused(story: Story, tmp_path: Path) -> None:
    response = story.files["join response"]
    for username, reason in (("sam", "not for the key made on this laptop"),
                             ("kim", "not the join response for this user")):
        db = tmp_path / username / "joining.db"
        request_to_join(db, username, "Kim Lee", PASSWORDS[username], KDF)
        keys = slot_file_for(db).read_bytes()
        with pytest.raises(PackageRefused, match=reason):
            complete_join(db, username, PASSWORDS[username], response, KDF)
        assert slot_file_for(db).read_bytes() == keys and not db.exists()


def broken(response: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> bytes:
    copy = json.loads(json.dumps(response))
    change(copy)
    return json.dumps(copy).encode("utf-8")


def test_a_damaged_join_response_is_refused_in_one_clear_line(story: Story, tmp_path: Path) -> None:
    db = tmp_path / "joining.db"
    request = json.loads(request_to_join(db, "sam", "Sam Wróblewski", PASSWORDS["sam"], KDF))
    assert request["username"] == "sam"
    keys = slot_file_for(db).read_bytes()
    response = json.loads(story.files["join response"])
    # a roster that verifies (against its own authority, as nothing is known yet) but lists a member badly
    impostor = create_authority(TEAM)
    roster = response["roster"]["roster"] | {
        "authority_certificate": cert_to_pem(impostor.certificate).decode("ascii"),
        "members": [{"username": "sam", "display_name": "Sam Wróblewski", "roles": ["practitioner"]}]}
    forged = json.dumps(response | {"roster": json.loads(resigned(roster, impostor.key))}).encode("utf-8")
    for damaged in (forged, broken(response, lambda r: r.pop("roster")),
                    broken(response, lambda r: r.pop("certificate")),
                    broken(response, lambda r: r.update(certificate="-----BEGIN CERTIFICATE-----\nxx")),
                    broken(response, lambda r: r["roster"]["roster"]["members"][0].pop("certificate")),
                    broken(response, lambda r: r.update(roster="a roster")), b"\xff\xfe", b"[]"):
        with pytest.raises(PackageRefused):
            complete_join(db, "sam", PASSWORDS["sam"], damaged, KDF)
    assert slot_file_for(db).read_bytes() == keys and not db.exists()


def test_a_damaged_or_inconsistent_join_request_is_refused(at: Callable[[str], Laptops], tmp_path: Path) -> None:
    laptops = at("v1 sent")
    request = json.loads(request_to_join(tmp_path / "kim.db", "kim", "Kim Lee", PASSWORDS["kim"], KDF))
    before = disk_state(laptops.lead_db)
    with laptops.session("lead") as lead:
        for damaged in (request | {"username": "kimberley"}, request | {"display_name": "Someone Else"},
                        request | {"display_name": "K" * 100}, request | {"display_name": "Kim\nLee"},
                        {key: value for key, value in request.items() if key != "display_name"},
                        request | {"request": request["request"].replace("M", "N", 3)}, request | {"request": 5}):
            with pytest.raises((PackageRefused, NotAllowed)):
                approve_join(lead, json.dumps(damaged).encode("utf-8"), ["practitioner"])
    assert disk_state(laptops.lead_db) == before
    with laptops.session("lead") as lead:
        assert json.loads(approve_join(lead, json.dumps(request).encode("utf-8"), ["practitioner"]))["username"] \
            == "kim"


# --- hostile shapes inside a correctly signed package (issue 12) ----------------------------------------------

HOSTILE_PACKAGE_VALUES: list[Any] = [
    None, True, "yes", 0, -1, 10**30, 1.5, "", "x" * 100_000, "\u202e", "a\nb", [], {}, [None], {"a": None},
    "2019-04-19", "1800-01-01", '{"a": 1, "a": 2}', '{"answers": NaN}', "1" * 5000, "\ud800".encode("utf-8", "ignore"),
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            if key != "documents":  # the PDFs are checked by signature: their shapes are covered elsewhere
                found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:2]):
            found += _paths(child, (*prefix, index))
    return found


def _with(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = json.loads(json.dumps(document))
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return copied


def test_a_signed_package_with_a_hostile_value_anywhere_is_imported_or_refused_cleanly(
        at: Callable[[str], Laptops]) -> None:
    """A team member's own signature on a package of any shape: the import either works or is refused as one line
    (PackageRefused), and a refusal writes nothing. Fields inside JSON text (the answers) are tried too."""
    laptops = at("v1 sent")
    with laptops.session("lead") as lead:
        payload = open_envelope(laptops.files["submission 1"], "lead", lead.signing_key,
                                lead.certificates_of("lead")).payload
        lead_certificate = lead.user.certificate
    with laptops.session("sam") as sam:
        key, certificate = sam.signing_key, sam.user.certificate
    rng = random.Random(12)
    paths = _paths(payload)
    packages = []
    for number in range(60):
        path = rng.choice(paths)
        value = rng.choice(HOSTILE_PACKAGE_VALUES)
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        damaged = _with(payload, path, value) if path != ("sequence",) else payload
        if path[:2] == ("assessment", "answers"):
            damaged = _with(payload, path, value if isinstance(value, str) else json.dumps(value))
        damaged["sequence"] = 100 + number
        packages.append(seal("submission", damaged, key, certificate, lead_certificate, "lead"))
    answers_text = payload["assessment"]["answers"]
    for number, extra in enumerate(['"assessment_date": "2024-01-01"', '"x": NaN', '"x": ' + "7" * 5000]):
        text = answers_text[:-1] + f", {extra}}}"  # a duplicate key, a bare NaN, a 5,000-digit number
        damaged = _with(payload, ("assessment", "answers"), text)
        damaged["sequence"] = 200 + number
        with pytest.raises(PackageRefused, match="incomplete"), laptops.session("lead") as lead:
            import_package(lead, seal("submission", damaged, key, certificate, lead_certificate, "lead"))
    db = laptops.db_of("lead")
    with laptops.session("lead") as lead:
        for data in packages:
            head = lead.audit_head()
            try:
                import_package(lead, data)
            except PackageRefused as refusal:
                assert str(refusal) and "\n" not in str(refusal)
                assert lead.audit_head() == head, "a refused package wrote something"
    with laptops.session("lead") as lead:
        assert lead.check() == []
    assert db.exists()
