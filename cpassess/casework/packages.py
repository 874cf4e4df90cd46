"""Submission and decision packages between a practitioner's laptop and a team lead's (DESIGN §10, §9.7).

A submission carries the child's record, the submitted assessment with its certified PDFs and the audit
events about it; a decision carries a return (with comments) or an approval (with the approval-signed PDFs).
Import checks everything before writing anything: the envelope, the sender against the roster, the sequence
number (no replays), that nothing newer is held here, every signature, and that each PDF carries exactly the
content it arrives with (its `record.json`); then writes it in one transaction. A child's details are taken only
when newer than the copy held here; otherwise a difference is kept as a conflict, never lost.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509

from cpassess import audit
from cpassess.assessments import Assessment, store_documents
from cpassess.authority import cert_to_der, certificate_identity, issued_by, verify
from cpassess.caseload import store_child_from_package
from cpassess.casework.actions import Action, allowed_actions, may_receive_submission
from cpassess.casework.binding import SignedContent, content_problems, record_problems, signature_problems
from cpassess.children import parse_child
from cpassess.dates import utc_now
from cpassess.exchange.envelope import PackageRefused, open_envelope, seal
from cpassess.forms import default_catalog, validate_submission
from cpassess.json_input import parse_json
from cpassess.revocation import package_revocation_problem
from cpassess.server import outbox
from cpassess.workflow import NotAllowed, Role, Status

if TYPE_CHECKING:
    from cpassess.session import Session

SUBMISSION = "submission"
DECISION = "decision"


@dataclass(frozen=True)
class ImportResult:
    kind: str
    assessment_id: str
    status: str
    sender: str

    def describe(self) -> str:
        if self.kind == SUBMISSION:
            return f"Imported an assessment submitted by {self.sender}; it is waiting in the review queue."
        return f"Imported {self.sender}'s decision: the assessment is now {self.status}."


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _unb64(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise PackageRefused("The package is damaged (unreadable data).") from None


def recipients(session: Session, assessment: Assessment) -> list[tuple[str, str]]:
    """Who the package that moves `assessment` on can go to now, as (username, name): the team leads other than
    the author for a submission, the author for a decision; nobody when it cannot be sent."""
    if Action.SEND not in allowed_actions(session.actor, assessment):
        return []
    if assessment.status == Status.SUBMITTED:
        return [(u.username, u.display_name) for u in session.users()
                if may_receive_submission(u.roles, u.username, assessment.author, u.active)]
    author = session.user_named(assessment.author)
    return [(assessment.author, author.display_name if author else assessment.author)]


def _recipient(session: Session, assessment: Assessment, username: str) -> x509.Certificate:
    user = session.user_named(username)
    if user is None or not user.active:
        raise NotAllowed(f"'{username}' is not an active member of the team on this laptop; import the roster.")
    if username not in {name for name, _ in recipients(session, assessment)}:
        if assessment.status == Status.SUBMITTED:
            raise NotAllowed(f"{username} is not a team lead who can review this assessment.")
        raise NotAllowed(f"A decision goes back to the author, {assessment.author}.")
    return user.certificate


def _next_sequence(connection: Any, peer: str) -> int:
    connection.execute("INSERT OR IGNORE INTO package_sequence (peer) VALUES (?)", (peer,))
    connection.execute("UPDATE package_sequence SET last_sent = last_sent + 1 WHERE peer = ?", (peer,))
    return int(connection.execute("SELECT last_sent FROM package_sequence WHERE peer = ?", (peer,)).fetchone()[0])


def _received_from(sender: str, recipient: str) -> str:
    """The row counting packages from `sender` to `recipient` here: sequence numbers run per recipient, and one
    laptop may hold several recipients (two team leads). Usernames never hold '>', so this names no peer row."""
    return f"{sender}>{recipient}"


def _events_about(session: Session, *record_ids: str) -> list[dict[str, Any]]:
    return [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "record_type": e.record_type,
             "record_id": e.record_id, "detail": e.detail, "hash": e.hash, "signature": _b64(e.signature)}
            for e in session.audit_events() if e.record_id in record_ids]


def _comments(session: Session, assessment_id: str) -> list[dict[str, Any]]:
    return [{"author": c.author, "section_id": c.section_id, "field_id": c.field_id, "text": c.text,
             "created": c.created, "resolved": c.resolved} for c in session.assessments.comments(assessment_id)]


def _row(session: Session, assessment_id: str) -> Any:
    return session.assessments.raw_row(assessment_id)


# --- export --------------------------------------------------------------------------------------------------


def export_package(session: Session, assessment_id: str, recipient: str) -> bytes:
    """The package that moves this assessment on: a submission from its author, a decision from its reviewer."""
    assessment = session.assessments.get(assessment_id)
    me = session.user.username
    allowed_actions(session.actor, assessment).require(Action.SEND)
    certificate = _recipient(session, assessment, recipient)
    if assessment.status == Status.SUBMITTED:
        kind, payload = SUBMISSION, _submission(session, assessment)
    else:
        kind, payload = DECISION, _decision(session, assessment)
    with session.db.write() as connection:
        payload.update({"sender": me, "recipient": recipient, "created": utc_now(),
                        "sequence": _next_sequence(connection, recipient)})
        audit.append(connection, session.signing_key, me, "package.exported", "assessment", assessment_id,
                     {"kind": kind, "to": recipient, "sequence": payload["sequence"]})
    payload["audit_head"] = session.slots.audit_head  # the sender's anchored audit head, signed (DESIGN §8.7)
    return outbox.keep(session, kind, recipient, seal(kind, payload, session.signing_key, session.user.certificate,
                                                      certificate, recipient))


def _submission(session: Session, assessment: Assessment) -> dict[str, Any]:
    row = _row(session, assessment.id)
    child = session.children.get(assessment.child_id)
    return {
        "child": {"id": child.id, "record": child.record.model_dump(mode="json"), "owner": child.owner,
                  "revision": child.revision},
        "assessment": {key: row[key] for key in ("id", "child_id", "form_id", "form_version", "author", "answers",
                                                 "revision", "created", "updated", "supersedes", "submitted_content",
                                                 "content_sha256", "submitted_at")}
        | {"author_signature": _b64(bytes(row["author_signature"]))},
        "documents": {copy: _b64(session.assessments.document(assessment.id, copy, "submitted"))
                      for copy in ("full", "family")},
        "comments": _comments(session, assessment.id),
        "events": _events_about(session, assessment.id, child.id),
    }


def _decision(session: Session, assessment: Assessment) -> dict[str, Any]:
    row = _row(session, assessment.id)
    decision: dict[str, Any] = {
        "assessment_id": assessment.id, "decision": assessment.status.value, "content_sha256": row["content_sha256"],
        "revision": row["revision"], "reviewer": row["reviewer"], "comments": _comments(session, assessment.id),
        "events": _events_about(session, assessment.id),
    }
    if assessment.status == Status.APPROVED:
        decision.update({"approved_at": row["approved_at"],
                         "approval_signature": _b64(bytes(row["approval_signature"])),
                         "documents": {copy: _b64(session.assessments.document(assessment.id, copy, "approved"))
                                       for copy in ("full", "family")}})
    return decision


# --- import --------------------------------------------------------------------------------------------------


def import_package(session: Session, data: bytes, also: Callable[[Any], None] | None = None) -> ImportResult:
    """Check a package completely, then apply it in one transaction; PackageRefused leaves nothing changed.
    `also` makes more writes in that same transaction (sync marks its inbox copy imported with it)."""
    own_certificates = session.certificates_of(session.user.username)
    opened = open_envelope(data, session.user.username, session.signing_key, own_certificates)
    if revoked := package_revocation_problem(session, opened.sender_certificate, opened.payload.get("created")):
        raise PackageRefused(revoked)
    sender = _trusted_sender(session, opened.sender_certificate)
    payload = opened.payload
    if payload.get("sender") != sender or payload.get("recipient") != session.user.username:
        raise PackageRefused("The package's sender or recipient does not match its signature.")
    sequence = payload.get("sequence")
    if not isinstance(sequence, int) or sequence < 1:
        raise PackageRefused("The package has no valid sequence number.")
    stream = _received_from(sender, session.user.username)
    seen = session.db.query_one("SELECT last_received FROM package_sequence WHERE peer = ?", (stream,))
    if seen is not None and sequence <= seen["last_received"]:
        raise PackageRefused(f"This package (number {sequence} from {sender}) has already been imported or is older "
                             "than one already imported: a replay is refused.")
    digest = hashlib.sha256(data).hexdigest()
    events = payload.get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, dict) and type(e.get("seq")) is int for e in events):
        raise PackageRefused("The package's audit events are damaged.")
    if opened.kind == SUBMISSION:
        apply = _check_submission(session, sender, payload)
    elif opened.kind == DECISION:
        apply = _check_decision(session, sender, payload)
    else:
        raise PackageRefused("This package is of a kind this version of cpassess does not know.")
    with session.db.write() as connection:
        assessment_id, status = apply(connection)
        connection.execute("INSERT OR IGNORE INTO package_sequence (peer) VALUES (?)", (stream,))
        connection.execute("UPDATE package_sequence SET last_received = ? WHERE peer = ?", (sequence, stream))
        for event in events:
            connection.execute("INSERT OR IGNORE INTO imported_events (package_sha256, origin, seq, event) "
                               "VALUES (?, ?, ?, ?)", (digest, sender, int(event["seq"]),
                                                       json.dumps(event, ensure_ascii=False)))
        audit.append(connection, session.signing_key, session.user.username, "package.imported", "assessment",
                     assessment_id, {"kind": opened.kind, "from": sender, "sequence": sequence,
                                     "package_sha256": digest})
        if also is not None:
            also(connection)
    return ImportResult(opened.kind, assessment_id, status, sender)


def _trusted_sender(session: Session, certificate: x509.Certificate) -> str:
    if not issued_by(certificate, session.authority_certificate):
        raise PackageRefused("The package was signed by someone outside this team (not certified by the team "
                             "authority).")
    username = certificate_identity(certificate).username
    known = {cert_to_der(c) for c in session.certificates_of(username)}
    user = session.user_named(username)
    if user is None or not user.active or cert_to_der(certificate) not in known:
        raise PackageRefused(f"The sender '{username}' is not on this laptop's team roster; import the roster first.")
    return username


def _refuse_unbound(problems: list[str]) -> None:
    if problems:
        raise PackageRefused(f"The PDF in the package does not belong to it: {problems[0]}.")


def _check_submission(session: Session, sender: str, payload: dict[str, Any]) -> Any:
    if not session.actor.has(Role.TEAM_LEAD):
        raise PackageRefused("Submissions are for team leads; this package cannot be imported here.")
    try:
        item = payload["assessment"]
        child = payload["child"]
        record = parse_child(child["record"], entry=False)
        documents = {copy: _unb64(value) for copy, value in payload["documents"].items()}
        author_signature = _unb64(item["author_signature"])
        submitted = str(item["submitted_content"])
        revision = int(item["revision"])
        child_revision = int(child.get("revision", 1))
        answers = parse_json(item["answers"])
    except (KeyError, TypeError, AttributeError, ValueError):
        raise PackageRefused("The package is incomplete: the submission cannot be read.") from None
    if item.get("author") != sender or child.get("owner") not in (sender, None) or child.get("id") != item.get(
            "child_id"):
        raise PackageRefused("The submission was not sent by its author.")
    try:
        form = default_catalog().get(str(item["form_id"]), int(item["form_version"]))
    except (KeyError, ValueError):
        raise PackageRefused(f"The assessment uses {item.get('form_id')} version {item.get('form_version')}, "
                             "which is not installed on this laptop.") from None
    # The reviewer reads `answers`, the approval signs the content hash: they must be the same answers, of this
    # assessment, child and form version, and the PDFs must show exactly that content.
    problems, signed_content = content_problems(SignedContent(
        str(item["id"]), form, submitted, item.get("content_sha256"), author_signature, answers,
        child_id=str(item["child_id"])), session.certificates_of(sender))
    if problems or signed_content is None:
        raise PackageRefused(f"The submission is refused: {problems[0]}.")
    if validate_submission(form, answers):
        raise PackageRefused("The submitted answers are not complete by this laptop's form rules.")
    _refuse_unbound(record_problems(form, signed_content, documents))
    _refuse_unbound(signature_problems(documents, session.authority_certificate, sender, approved=False,
                                       revoked=session.revocations()))
    local = _row(session, str(item["id"]))
    if local is not None:
        status = Status(local["status"])
        if status in (Status.APPROVED, Status.SUPERSEDED):
            raise PackageRefused("This assessment has already been approved here; the package is refused.")
        if local["revision"] >= revision:
            raise PackageRefused("This laptop already holds this submission or a newer one (perhaps already "
                                 "returned): the package is refused.")
        if status == Status.SUBMITTED and local["author"] != sender:
            raise PackageRefused("A different submission of this assessment is held here: a conflict, not merged.")

    def apply(connection: Any) -> tuple[str, str]:
        store_child_from_package(connection, str(child["id"]), record, child_revision, sender)
        connection.execute(
            "INSERT INTO assessments (id, child_id, form_id, form_version, status, author, answers, revision, created,"
            " updated, supersedes, submitted_content, content_sha256, submitted_at, author_signature) "
            "VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "status = 'submitted', answers = excluded.answers, revision = excluded.revision, "
            "updated = excluded.updated, submitted_content = excluded.submitted_content, "
            "content_sha256 = excluded.content_sha256, submitted_at = excluded.submitted_at, "
            "author_signature = excluded.author_signature, reviewer = NULL",
            (item["id"], item["child_id"], item["form_id"], item["form_version"], sender, item["answers"],
             item["revision"], item["created"], item["updated"], item["supersedes"], submitted,
             item["content_sha256"], item["submitted_at"], author_signature))
        _store_documents(connection, str(item["id"]), "submitted", documents)
        _merge_comments(connection, str(item["id"]), payload.get("comments") or [])
        connection.execute("UPDATE comments SET resolved = 1 WHERE assessment_id = ?", (item["id"],))
        return str(item["id"]), Status.SUBMITTED.value

    return apply


def _check_decision(session: Session, sender: str, payload: dict[str, Any]) -> Any:
    assessment_id = str(payload.get("assessment_id"))
    local = _row(session, assessment_id)
    if local is None or local["author"] != session.user.username:
        raise PackageRefused("This decision is about an assessment that is not yours on this laptop.")
    if Status(local["status"]) != Status.SUBMITTED:
        raise PackageRefused(f"This assessment is {local['status']} here, not waiting for a decision: the package is "
                             "older than what is held, and is refused.")
    if payload.get("content_sha256") != local["content_sha256"]:
        raise PackageRefused("The decision is about different content from what you submitted: a conflict, "
                             "not merged.")
    if payload.get("reviewer") != sender:
        raise PackageRefused("The decision was not sent by its reviewer.")
    reviewer = session.user_named(sender)
    if reviewer is None or Role.TEAM_LEAD not in reviewer.roles or sender == local["author"]:
        raise PackageRefused("The decision was not made by another team lead.")
    decision = payload.get("decision")
    comments = payload.get("comments") or []
    if decision == Status.RETURNED.value:
        if not any(not c.get("resolved") for c in comments):
            raise PackageRefused("A return for changes must carry a comment.")

        def returned(connection: Any) -> tuple[str, str]:
            connection.execute("UPDATE assessments SET status = 'returned', reviewer = ?, updated = ?, "
                               "revision = revision + 1 WHERE id = ?", (sender, utc_now(), assessment_id))
            _merge_comments(connection, assessment_id, comments)
            return assessment_id, Status.RETURNED.value

        return returned
    if decision != Status.APPROVED.value:
        raise PackageRefused("The package holds no decision this version of cpassess knows.")
    signature = _unb64(payload.get("approval_signature"))
    if not any(verify(cert, bytes.fromhex(local["content_sha256"]), signature)
               for cert in session.certificates_of(sender)):
        raise PackageRefused("The team lead's approval signature does not verify.")
    documents = {copy: _unb64(value) for copy, value in (payload.get("documents") or {}).items()}
    for copy, pdf in documents.items():
        submitted = session.assessments.document(assessment_id, copy, "submitted")
        if submitted is None or not pdf.startswith(submitted):
            raise PackageRefused("The approved PDF is not the one you certified: a conflict, not merged.")
    try:
        content = json.loads(local["submitted_content"])
        form = default_catalog().get(local["form_id"], local["form_version"])
    except (KeyError, TypeError, ValueError):
        raise PackageRefused("The assessment this decision is about cannot be read here.") from None
    _refuse_unbound(record_problems(form, content, documents))
    problems = signature_problems(documents, session.authority_certificate, local["author"], approved=True,
                                  approver=sender, revoked=session.revocations())
    if problems:
        raise PackageRefused(f"The approved PDF's signatures do not verify: {problems[0]}.")

    def approved(connection: Any) -> tuple[str, str]:
        connection.execute(
            "UPDATE assessments SET status = 'approved', reviewer = ?, approved_at = ?, approval_signature = ?, "
            "updated = ?, revision = revision + 1 WHERE id = ? AND status = 'submitted'",
            (sender, payload.get("approved_at"), signature, utc_now(), assessment_id))
        if local["supersedes"]:
            connection.execute("UPDATE assessments SET status = 'superseded' WHERE id = ? AND status = 'approved'",
                               (local["supersedes"],))
        _store_documents(connection, assessment_id, "approved", documents)
        _merge_comments(connection, assessment_id, comments)
        return assessment_id, Status.APPROVED.value

    return approved


def _store_documents(connection: Any, assessment_id: str, stage: str, documents: dict[str, bytes]) -> None:
    if any(copy not in ("full", "family") for copy in documents):
        raise PackageRefused("The package holds an unexpected document.")
    store_documents(connection, assessment_id, stage, documents)


def _merge_comments(connection: Any, assessment_id: str, comments: list[dict[str, Any]]) -> None:
    for comment in comments:
        exists = connection.execute("SELECT 1 FROM comments WHERE assessment_id = ? AND author = ? AND created = ? "
                                    "AND text = ?", (assessment_id, comment["author"], comment["created"],
                                                     comment["text"])).fetchone()
        if exists is None:
            connection.execute("INSERT INTO comments (assessment_id, author, section_id, field_id, text, created, "
                               "resolved) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (assessment_id, comment["author"], comment.get("section_id"), comment.get("field_id"),
                                comment["text"], comment["created"], 1 if comment.get("resolved") else 0))
