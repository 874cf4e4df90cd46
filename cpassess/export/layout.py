"""Page geometry shared by the document and the signatures: A4, margins, and the sign-off page's boxes.

Coordinates are PDF points from the bottom-left corner of the page. The sign-off page is always the last
page; its two signature boxes are created as empty signature fields when the author certifies, and the
team lead's approval signs the second one.
"""

from __future__ import annotations

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4
MARGIN = 18 * MM
HEADER_HEIGHT = 12 * MM
FOOTER_HEIGHT = 16 * MM  # two footer lines above the bottom marking
MARKING_BASELINE = 4 * MM

BOX_WIDTH = (PAGE_WIDTH - 2 * MARGIN - 8 * MM) / 2
BOX_HEIGHT = 34 * MM
BOX_BOTTOM = FOOTER_HEIGHT + 22 * MM
AUTHOR_BOX = (MARGIN, BOX_BOTTOM, MARGIN + BOX_WIDTH, BOX_BOTTOM + BOX_HEIGHT)
APPROVAL_BOX = (PAGE_WIDTH - MARGIN - BOX_WIDTH, BOX_BOTTOM, PAGE_WIDTH - MARGIN, BOX_BOTTOM + BOX_HEIGHT)
BOX_LABEL_GAP = 5 * MM
# the sign-off page's text frame stops above the boxes and their labels
SIGNOFF_FRAME_BOTTOM = BOX_BOTTOM + BOX_HEIGHT + BOX_LABEL_GAP + 8 * MM

AUTHOR_FIELD = "AuthorCertification"
APPROVAL_FIELD = "TeamLeadApproval"
APPROVAL_LINE_FIELD = "ApprovalLine"  # the cover's "Approved by ..." line, filled by the approval (approval_line)

# The form id of the child's chronology printed on its own (cpassess.chronology.CHRONOLOGY_FORM): a record
# signed off by whoever printed it, which no team lead approves.
CHRONOLOGY_FORM_ID = "chronology"

# The document keywords name the SHA-256 of the embedded record.json and the audit chain head printed on the
# sign-off page (cpassess.export.embedded reads both back).
RECORD_KEYWORD = "cpassess-record-sha256:"
AUDIT_HEAD_KEYWORD = "cpassess-audit-head:"


DOCUMENT_KEYWORD = "cpassess-document:"  # a record that is not an assessment (CHRONOLOGY_FORM_ID) names its kind


def record_keywords(record_sha256: str, audit_head: str | None = None, database_id: str | None = None,
                    kind: str | None = None) -> str:
    """`audit_head` as printed, "#SEQ HASH" (cpassess.audit.ChainHead.short), of the database `database_id`;
    `kind` for a record that is not an assessment."""
    words = [f"{RECORD_KEYWORD}{record_sha256}"]
    if kind:
        words.append(f"{DOCUMENT_KEYWORD}{kind}")
    if audit_head and database_id:
        seq, _, digest = audit_head.lstrip("#").partition(" ")
        words.append(f"{AUDIT_HEAD_KEYWORD}{database_id}:{seq}:{digest}")
    return " ".join(words)
