"""The failures a user can cause and put right: the app and the command line both show each as one sentence,
never a traceback. One list, so the two never drift."""

from __future__ import annotations


def user_errors() -> tuple[type[Exception], ...]:
    from cpassess.assessments import ContentMismatch, EditConflict, SubmissionRefused
    from cpassess.backup import BackupError
    from cpassess.children import ChildRecordError
    from cpassess.chronology import ChronologyEventRefused
    from cpassess.exchange import PackageRefused
    from cpassess.forms import AnswersError, FormDefinitionError
    from cpassess.keyslots import SlotFileError, WrongPassword
    from cpassess.session import UnlockFailed
    from cpassess.storage import AlreadyOpen, StorageError
    from cpassess.workflow import NotAllowed

    return (UnlockFailed, NotAllowed, StorageError, AlreadyOpen, SlotFileError, WrongPassword, AnswersError,
            FormDefinitionError, ChildRecordError, SubmissionRefused, EditConflict, ContentMismatch, BackupError,
            PackageRefused, ChronologyEventRefused)
