"""The child's chronology printed on its own (DESIGN §16, issue 15 item 3): in date order, the family copy without
the sensitive events and saying how many were left out, the record's footer, certified by whoever printed it
through the assessments' signing code, passing verify-pdf and pdfsig, and audited."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import CHILD

from cpassess.casework.documents import print_chronology, signer_for
from cpassess.chronology import Chronology
from cpassess.cli import main
from cpassess.export.embedded import check_record
from cpassess.export.signing import SigningError, approve
from cpassess.export.verification import verify_pdf

if TYPE_CHECKING:
    from conftest import Team

EVENTS = [
    {"date": "2025-03-14", "event": "Nursery raised concerns about bruising on Ava's arm.", "source": "Castlehill "
     "Nursery", "impact": "Ava was quiet and would not say how it happened."},
    {"date": "2024-11-02", "event": "Police called to the home after a neighbour heard shouting.",
     "source": "Police Scotland", "impact": "Ava was in the house; she stayed with her gran that night.",
     "sensitive": True},
    {"date": "2025-01-20", "event": "Family moved to a new flat in Leith.", "source": "Housing"},
]


@pytest.fixture
def printed(team: Team) -> tuple[Team, str]:
    with team.session("prac") as session:
        child_id = session.children.add({**CHILD, "given_names": "Ava", "family_name": "Nowak"}).id
        chronology = Chronology(session)
        for event in EVENTS:
            chronology.add(child_id, event)
    return team, child_id


def pdftotext(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def test_the_chronology_prints_in_date_order_signed_by_whoever_printed_it(printed: tuple[Team, str],
                                                                         tmp_path: Path) -> None:
    team, child_id = printed
    with team.session("prac") as session:
        exported = print_chronology(session, child_id)
        authority = session.authority_certificate
        audited = [event for event in session.audit_events() if event.action == "chronology.printed"]
    path = tmp_path / "chronology.pdf"
    path.write_bytes(exported.data)

    pages = pdftotext(path)
    text = "\n".join(pages)
    assert "The child's chronology of significant events" in pages[0]
    dates = re.findall(r"^\s*(\d{2})/(\d{2})/(\d{4})\s+\S", "\n".join(pages[1:-1]), re.MULTILINE)
    assert [f"{y}-{m}-{d}" for d, m, y in dates] == ["2024-11-02", "2025-01-20", "2025-03-14"]
    assert "Police called to the home" in text and "Castlehill Nursery" in text
    for page, words in enumerate(pages, start=1):  # the record's footer on every page
        assert "Ava Nowak, born" in words and f"Page {page} of {len(pages)}" in words and "record " in words
    verification = verify_pdf(exported.data, [authority])
    assert verification.passes, verification.failures
    assert verification.verdict.startswith("SIGNED OFF: the child's chronology")
    (signature,) = verification.signatures
    assert signature.is_certification and signature.signer_username == "prac"
    assert check_record(exported.data).ok  # its content is inside, matching the fingerprint on the pages
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature Validation: Signature is Valid." in report and "Total document signed" in report
    assert [event.record_id for event in audited] == [child_id]
    with team.session("lead") as session, pytest.raises(SigningError):  # nobody approves a printed chronology
        approve(exported.data, signer_for(session))


def test_the_family_copy_leaves_out_the_sensitive_events_and_says_how_many(
        printed: tuple[Team, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team, child_id = printed
    path = tmp_path / "family.pdf"
    monkeypatch.setattr("sys.stdin", io.StringIO(team.passwords["prac"] + "\n"))
    status = main(["chronology", "print", "--db", str(team.db), "--as", "prac", "--password-stdin",
                   "--child", child_id, "--out", str(path), "--family"])
    assert status == 0

    text = "\n".join(pdftotext(path))
    assert "Police called to the home" not in text and "Police Scotland" not in text
    assert "Family moved to a new flat" in text
    assert "Left out of this family copy: 1 row." in text
    assert "1 more withheld from this family copy" in " ".join(text.split())
    assert "Family copy" in text
