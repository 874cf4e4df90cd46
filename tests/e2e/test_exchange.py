"""Two laptops, two people, two processes (DESIGN §10, §11): assessments travel between a practitioner's laptop
and the team lead's as exchange packages, from the command line alone, as users run it.

The two-laptop story runs once per module (join from the new laptop, submit, return, revise, resubmit, approve);
copies of both laptops are kept at each stage, and every destructive test works on fresh copies. A refusal must
exit 1 with one human line on stderr and no traceback, and leave the receiving database and its key file
byte-identical.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cpassess.authority import cert_from_pem, create_authority, issue_certificate, sign
from cpassess.demo import sample_answers
from cpassess.exchange import build_roster
from cpassess.exchange.envelope import MAGIC, seal
from cpassess.forms import default_catalog
from cpassess.paths import slot_file_for
from cpassess.session import Session
from tests.helpers import Cli, Laptop, laptop_clis, leaks, write_json

LEAD_PW = "lead's long password 1"
LEAD2_PW = "second lead password 3"
SAM_PW = "practitioner password 2"
FORM = "neglect-assessment"
TEAM = "North East Children and Families"
NAME_CANARY = "QuokkaCanaryV5R8"
ANSWER_CANARY = "HeronCanaryJ4T6"
UNICODE_CANARY = "ĶanārijsΔžŋ"  # beyond ASCII: its UTF-8 and UTF-16 forms differ from any single-byte one
CANARIES = (NAME_CANARY, ANSWER_CANARY, UNICODE_CANARY)
RETURN_COMMENT = "Please say who was at the home visit."


def in_parallel[Result](*calls: Callable[[], Result]) -> list[Result]:
    """Run independent commands (each on its own copy of a laptop) side by side; results in order."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def answers(seed: int) -> dict[str, Any]:
    values = sample_answers(default_catalog().get(FORM), random.Random(seed), "Siobhán", dt.date.today())
    values["physical_care_daily_life"] = f"{ANSWER_CANARY} said the fridge was empty. {UNICODE_CANARY} (v{seed})"
    return values


@dataclass
class Story:
    folder: Path
    lead: Laptop
    sam: Laptop
    assessment_id: str = ""
    files: dict[str, Path] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)  # what each import told the user
    stages: list[str] = field(default_factory=list)

    def keep(self, stage: str) -> None:
        for laptop in (self.lead, self.sam):
            target = self.folder / "stages" / stage / laptop.user
            target.mkdir(parents=True)
            for path in (laptop.db, slot_file_for(laptop.db)):
                shutil.copy2(path, target / path.name)
        self.stages.append(stage)

    def at(self, stage: str, folder: Path) -> tuple[Laptop, Laptop]:
        """Fresh copies of the team lead's and the practitioner's laptops as they were at `stage`."""
        assert stage in self.stages
        copies = []
        for laptop in (self.lead, self.sam):
            shutil.copytree(self.folder / "stages" / stage / laptop.user, folder / laptop.user)
            copies.append(Laptop(laptop.cli, folder / laptop.user / laptop.db.name, laptop.user, laptop.password))
        return copies[0], copies[1]


@pytest.fixture(scope="module")
def laptop_cli(module_cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Cli]:
    return laptop_clis(module_cli, lambda name: tmp_path_factory.mktemp(f"{name.replace(' ', '-')}-home"))


@pytest.fixture(scope="module")
def story(laptop_cli: Callable[[str], Cli], tmp_path_factory: pytest.TempPathFactory) -> Story:
    folder = tmp_path_factory.mktemp("exchange")
    lead = Laptop(laptop_cli("lead"), folder / "lead" / "lead.db", "lead", LEAD_PW)
    sam = Laptop(laptop_cli("sam"), folder / "sam" / "sam.db", "sam", SAM_PW)
    story = Story(folder, lead, sam)
    files, said = story.files, story.said
    inputs, out = folder / "typed", folder / "exchanged"
    out.mkdir()

    def set_up_the_lead() -> None:
        lead.cli.ok("init", "--db", lead.db, "--user", "lead", "--name", "Morag Lindsay", "--team", TEAM,
                    passwords=(LEAD_PW,))
        lead.ok("user", "add", "--user", "lead2", "--name", "Siobhán Ní Bhriain", "--role", "team_lead",
                passwords=(LEAD_PW, LEAD2_PW))

    def ask_to_join() -> None:
        files["join request"] = out / "join-request.json"
        sam.cli.ok("package", "join", "request", "--db", sam.db, "--user", "sam", "--name", "Sam Wróblewski",
                   "--out", files["join request"], passwords=(SAM_PW,))

    in_parallel(set_up_the_lead, ask_to_join)
    files["join response"] = out / "join-response.json"
    lead.ok("package", "join", "approve", "--request", files["join request"], "--role", "practitioner",
            "--out", files["join response"])
    sam.cli.ok("package", "join", "complete", "--db", sam.db, "--user", "sam", "--response", files["join response"],
               passwords=(SAM_PW,))

    child = write_json(inputs / "child.json", {
        "given_names": f"Eilidh {NAME_CANARY}", "family_name": "MacLeod", "known_as": UNICODE_CANARY,
        "date_of_birth": "2019-04-19", "sex": "female", "chi": "1904190286"})
    child_id = sam.ok("child", "add", "--json", child).stdout.strip()
    story.assessment_id = aid = sam.ok("assessment", "new", "--child", child_id, "--form", FORM, "--answers",
                                       write_json(inputs / "answers-1.json", answers(3))).stdout.strip()
    sam.ok("assessment", "submit", "--id", aid)
    files["submission 1"] = sam.exports(aid, "lead", out / "submission-1.cpackage")
    story.keep("v1 sent")
    said["submission 1"] = lead.imports(files["submission 1"])
    story.keep("v1 held")
    restored = ThreadPoolExecutor(max_workers=1)  # meanwhile, on another copy of the lead's laptop
    stale_approval = restored.submit(approve_on_a_restored_copy, story, out / "stale-approval.cpackage")
    lead.ok("assessment", "return", "--id", aid, "--comment", RETURN_COMMENT, "--field", "nutrition_feeding")
    files["return"] = lead.exports(aid, "sam", out / "return.cpackage")
    said["return"] = sam.imports(files["return"])
    sam.ok("assessment", "update", "--id", aid, "--answers", write_json(inputs / "answers-2.json", answers(4)))
    story.keep("revising")
    sam.ok("assessment", "submit", "--id", aid)
    files["submission 2"] = sam.exports(aid, "lead", out / "submission-2.cpackage")
    story.keep("v2 sent")
    said["submission 2"] = lead.imports(files["submission 2"])
    lead.ok("assessment", "approve", "--id", aid, passwords=(LEAD_PW, LEAD_PW))
    files["approval"] = lead.exports(aid, "sam", out / "approval.cpackage")
    files["roster"] = out / "roster.json"
    said["approval"], _ = in_parallel(lambda: sam.imports(files["approval"]),
                                      lambda: lead.ok("package", "roster", "export", "--out", files["roster"]))
    story.keep("approved")
    files["stale approval"] = stale_approval.result()
    restored.shutdown()
    return story


def approve_on_a_restored_copy(story: Story, out: Path) -> Path:
    """The team lead approves the first version on an old copy of their laptop (a restored backup), and sends it
    twice, so that its sequence number is ahead of anything the practitioner has had from them."""
    old_lead, _ = story.at("v1 held", story.folder / "restored")
    old_lead.ok("assessment", "approve", "--id", story.assessment_id, passwords=(LEAD_PW, LEAD_PW))
    old_lead.exports(story.assessment_id, "sam", out.with_name("first-" + out.name))
    return old_lead.exports(story.assessment_id, "sam", out)


@pytest.fixture
def at(story: Story, tmp_path: Path) -> Callable[[str], tuple[Laptop, Laptop]]:
    """`at(stage)`: this test's own copies of (team lead's laptop, practitioner's laptop); new copies each call."""
    copies = iter(range(1000))
    return lambda stage: story.at(stage, tmp_path / f"laptops-{next(copies)}")


# --- 1. the whole loop --------------------------------------------------------------------------------------


def test_submit_return_resubmit_approve_between_two_laptops_gives_the_same_signed_record(
        story: Story, tmp_path: Path) -> None:
    assert story.said == {
        "submission 1": "Imported an assessment submitted by sam; it is waiting in the review queue.",
        "return": "Imported lead's decision: the assessment is now returned.",
        "submission 2": "Imported an assessment submitted by sam; it is waiting in the review queue.",
        "approval": "Imported lead's decision: the assessment is now approved."}
    lead, sam, aid = story.lead, story.sam, story.assessment_id

    def the_record_on(laptop: Laptop) -> tuple[dict[str, Any], bytes, str]:
        shown = laptop.show(aid)
        pdf = tmp_path / f"{laptop.user}.pdf"
        laptop.ok("export-pdf", "--id", aid, "--out", pdf)
        audit = laptop.ok("audit", "verify").stdout
        verified = laptop.ok("verify-pdf", pdf).stdout  # against the authority of this laptop's database
        return shown, pdf.read_bytes(), audit + verified

    (theirs, lead_pdf, lead_checks), (mine, sam_pdf, sam_checks) = in_parallel(
        lambda: the_record_on(lead), lambda: the_record_on(sam))
    assert theirs["status"] == mine["status"] == "approved"
    assert theirs["content_sha256"] == mine["content_sha256"]
    assert theirs["answers"] == mine["answers"] == answers(4)
    assert [c["text"] for c in mine["comments"]] == [RETURN_COMMENT]  # the return's comment reached the author
    assert lead_pdf.startswith(b"%PDF") and lead_pdf == sam_pdf
    for checks in (lead_checks, sam_checks):
        assert "Audit log verified" in checks
        assert "all 2 signatures verify" in checks
        assert "Signature 1 (certification): Sam Wróblewski" in checks
        assert "Signature 2 (approval): Morag Lindsay" in checks


# --- 2. refusals --------------------------------------------------------------------------------------------


def header_end(package: bytes) -> int:
    return len(MAGIC) + 4 + int.from_bytes(package[len(MAGIC):len(MAGIC) + 4], "big")


def test_a_damaged_or_truncated_package_is_refused_and_changes_nothing(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]], tmp_path: Path) -> None:
    package = story.files["submission 1"].read_bytes()
    end = header_end(package)
    kind = package.index(b'"submission"', len(MAGIC)) + 3
    # (every byte of the magic line and header length, and many more positions, in tests/core)
    damaged = {f"flipped {where}": position for where, position in (
        ("header", kind), ("nonce", end + 5), ("ciphertext", (end + len(package)) // 2),
        ("last byte", len(package) - 1))}
    truncated = {f"cut {where}": length for where, length in (("in the header", end - 9),
                                                              ("by one byte", len(package) - 1))}
    files = {}
    for name, position in damaged.items():
        data = bytearray(package)
        data[position] ^= 0x01
        files[name] = tmp_path / f"{name}.cpackage"
        files[name].write_bytes(bytes(data))
    for name, length in truncated.items():
        files[name] = tmp_path / f"{name}.cpackage"
        files[name].write_bytes(package[:length])
    # each refusal on its own fresh copy of the team lead's laptop, which has never seen this package
    reasons = in_parallel(*(lambda path=path: at("v1 sent")[0].refuses(path) for path in files.values()))
    assert dict(zip(files, reasons, strict=True)) == {
        **{name: "The package has been altered or damaged (it fails its integrity check)." for name in damaged},
        "cut in the header": "The package is truncated or damaged.",
        "cut by one byte": "The package has been altered or damaged (it fails its integrity check)."}


def test_zips_rosters_and_other_files_are_not_packages(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]], tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    escape = deep / "evil.zip"
    with zipfile.ZipFile(escape, "w") as zipped:
        zipped.writestr("../../etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    disguised = deep / "submission-1.cpackage"  # named like a package, holding one
    with zipfile.ZipFile(disguised, "w") as zipped:
        zipped.write(story.files["submission 1"], story.files["submission 1"].name)
    etc_passwd = Path("/etc/passwd").read_bytes() if Path("/etc/passwd").exists() else None
    before = sorted(tmp_path.rglob("*"))
    given = (escape, disguised, story.files["roster"])
    # and the other way round: a package is not a roster
    as_roster = at("approved")[0].refused("package", "roster", "import", "--file", story.files["submission 1"])
    reasons = in_parallel(*(lambda path=path: at("v1 sent")[0].refuses(path) for path in given))
    assert reasons == ["This is not a cpassess exchange package."] * len(given)
    assert as_roster == "This is not a cpassess team roster."
    assert [p for p in sorted(tmp_path.rglob("*")) if "laptops-" not in str(p)] == before  # nothing unpacked
    assert not (tmp_path / "etc").exists()
    assert (Path("/etc/passwd").read_bytes() if Path("/etc/passwd").exists() else None) == etc_passwd


def roster_members(story: Story) -> dict[str, Any]:
    roster = json.loads(story.files["roster"].read_text(encoding="utf-8"))["roster"]
    return {member["username"]: member for member in roster["members"]}


def test_a_package_signed_by_someone_outside_the_team_is_refused(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]], tmp_path: Path) -> None:
    # Another authority with the same team name certifies its own "Sam Wróblewski", who learnt the lead's
    # certificate from the roster and seals a package to them: the right names, the wrong keys.
    lead_certificate = cert_from_pem(roster_members(story)["lead"]["certificate"].encode("ascii"))
    key, certificate = issue_certificate(create_authority(TEAM), "sam", "Sam Wróblewski", ["practitioner"])
    forged = tmp_path / "from-outside.cpackage"
    forged.write_bytes(seal("submission", {"sender": "sam", "recipient": "lead", "sequence": 99}, key, certificate,
                            lead_certificate, "lead"))
    lead, _ = at("v1 sent")
    assert lead.refuses(forged) == ("The package was signed by someone outside this team (not certified by the "
                                    "team authority).")


def test_a_roster_from_another_team_or_with_a_wrong_signature_is_refused(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]], tmp_path: Path) -> None:
    other, _ = Session.initialise(tmp_path / "other" / "other.db", "lead", "Morag Lindsay", LEAD_PW,
                                  team_name=TEAM)  # an independent team of the same name, on another laptop
    with other:
        foreign = tmp_path / "other-roster.json"
        foreign.write_bytes(build_roster(other))
    genuine = json.loads(story.files["roster"].read_text(encoding="utf-8"))
    roster = genuine["roster"] | {"serial": genuine["roster"]["serial"] + 1}
    canonical = json.dumps(roster, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signature = base64.b64encode(sign(create_authority(TEAM).key, canonical)).decode("ascii")
    wrong_key = write_json(tmp_path / "wrong-key.json", {"roster": roster, "signature": signature})
    altered = json.loads(json.dumps(genuine))
    next(m for m in altered["roster"]["members"] if m["username"] == "sam")["roles"] = ["team_lead"]
    altered = write_json(tmp_path / "altered.json", altered)

    def refused_on(stage: str, who: int, path: Path) -> Callable[[], str]:
        return lambda: at(stage)[who].refused("package", "roster", "import", "--file", path)

    reasons = in_parallel(refused_on("approved", 1, foreign), refused_on("approved", 0, wrong_key),
                          refused_on("approved", 1, altered))
    assert reasons[0] == "This roster belongs to a different team (another signing authority)."
    assert reasons[1:] == ["The roster's signature does not verify: it has been altered or is not genuine."] * 2
    # the genuine roster is taken once, and not again
    _, sam = at("approved")
    assert sam.ok("package", "roster", "import", "--file", story.files["roster"]).stdout.strip() == \
        "Imported the team roster: 3 members."
    assert sam.refused("package", "roster", "import", "--file", story.files["roster"]) == \
        "This roster is not newer than the one already imported."


def test_a_replayed_or_older_package_is_refused(story: Story, at: Callable[[str], tuple[Laptop, Laptop]]) -> None:
    def replay(who: int, name: str) -> Callable[[], str]:
        return lambda: at("approved")[who].refuses(story.files[name])

    # the same file twice, and an older decision (the return) after the newer one (the approval)
    reasons = in_parallel(replay(0, "submission 1"), replay(1, "return"), replay(1, "approval"))
    assert reasons == [
        "This package (number 1 from sam) has already been imported or is older than one already imported: "
        "a replay is refused.",
        "This package (number 1 from lead) has already been imported or is older than one already imported: "
        "a replay is refused.",
        "This package (number 2 from lead) has already been imported or is older than one already imported: "
        "a replay is refused."]


def test_a_package_for_another_team_lead_is_refused_by_this_one(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]], tmp_path: Path) -> None:
    _, sam = at("v2 sent")
    for_lead2 = sam.exports(story.assessment_id, "lead2", tmp_path / "for-lead2.cpackage")
    lead, _ = at("approved")
    refused, imported = in_parallel(lambda: lead.refuses(for_lead2),
                                    lambda: at("v1 held")[0].as_user("lead2", LEAD2_PW).imports(for_lead2))
    assert refused == "This package is addressed to someone else; it was not opened."
    # lead2 shares that laptop with lead, and has never had a package from sam before: theirs to open
    assert imported == "Imported an assessment submitted by sam; it is waiting in the review queue."


def test_even_the_sender_cannot_import_their_own_package(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]]) -> None:
    # It is encrypted to the recipient's certificate (tests/core shows the sender's key cannot decrypt it).
    _, sam = at("v1 sent")
    assert sam.refuses(story.files["submission 1"]) == "This package is addressed to someone else; it was not opened."


def test_a_join_response_for_another_key_or_user_is_refused(
        story: Story, laptop_cli: Callable[[str], Cli], tmp_path: Path) -> None:
    def join_with_the_wrong_response(user: str) -> str:
        cli = laptop_cli(f"new laptop for {user}")
        db = tmp_path / user / "joining.db"
        cli.ok("package", "join", "request", "--db", db, "--user", user, "--name", "Kim Lee",
               "--out", tmp_path / f"{user}-request.json", passwords=(SAM_PW,))
        keys = slot_file_for(db).read_bytes()
        run = cli.refused("package", "join", "complete", "--db", db, "--user", user,
                          "--response", story.files["join response"], passwords=(SAM_PW,))
        assert len(run.stderr.splitlines()) == 1
        assert slot_file_for(db).read_bytes() == keys and not db.exists()
        return run.error_line.removeprefix("cpassess: ")

    same_name, other_name = in_parallel(lambda: join_with_the_wrong_response("sam"),
                                        lambda: join_with_the_wrong_response("kim"))
    assert same_name == "The certificate in the response is not for the key made on this laptop."
    assert other_name == "This is not the join response for this user."


# --- 3. no personal data in what travels --------------------------------------------------------------------


def test_no_package_roster_or_join_file_holds_the_childs_name_or_the_practitioners_words(story: Story) -> None:
    files = list(story.files.values())
    assert {path.name for path in files} >= {"join-request.json", "join-response.json", "submission-1.cpackage",
                                             "return.cpackage", "submission-2.cpackage", "approval.cpackage",
                                             "roster.json"}
    assert {path.name: leaks(path.read_bytes(), CANARIES) for path in files} == {path.name: [] for path in files}
    assert all(path.stat().st_size > 0 for path in files)
    # they did travel: the team lead reads the practitioner's words after importing the packages
    assert ANSWER_CANARY in json.dumps(story.lead.show(story.assessment_id), ensure_ascii=False)
    assert leaks(f"x{UNICODE_CANARY.upper()}".encode("utf-16-le"), CANARIES) == [UNICODE_CANARY]


# --- 4. never overwrite newer local work --------------------------------------------------------------------


def test_a_stale_decision_never_overwrites_the_practitioners_newer_work(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]]) -> None:
    stale = story.files["stale approval"]  # an approval of the first version, from a restored copy (see the story)
    (_, resubmitted), (_, revising) = at("v2 sent"), at("revising")
    reasons = in_parallel(lambda: resubmitted.refuses(stale), lambda: revising.refuses(stale))
    assert reasons == [
        "The decision is about different content from what you submitted: a conflict, not merged.",
        "This assessment is returned here, not waiting for a decision: the package is older than what is held, "
        "and is refused."]
    assert revising.show(story.assessment_id)["answers"] == answers(4)


def test_a_submission_for_an_assessment_already_approved_is_refused(
        story: Story, at: Callable[[str], tuple[Laptop, Laptop]], tmp_path: Path) -> None:
    _, sam = at("v2 sent")  # sam sends it again, not knowing it was approved
    again = sam.exports(story.assessment_id, "lead", tmp_path / "again.cpackage")
    lead, _ = at("approved")
    assert lead.refuses(again) == "This assessment has already been approved here; the package is refused."
