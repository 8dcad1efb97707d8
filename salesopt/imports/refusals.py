"""What the admin is told about a refused file: the reader's reason, then what to do.

The reader's reasons say what is wrong ("The file has a header row but no data rows."); most
leave out what to do about it, which depends on where the file came from and is the same for
the upload page, the command line and a check that finds a bad row deep in the file.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .readers import UnreadableFile

EXPORT_AGAIN = gettext_lazy("Export the records from your CRM again and upload that file.")
SAVE_AGAIN = gettext_lazy(
    "If the file comes from your CRM, open it in Excel, save it again as .xlsx and upload "
    "that copy."
)
SPLIT = gettext_lazy("Split the export into smaller files and upload them one at a time.")
FIX_ROW = gettext_lazy(
    "Correct that row in Excel, save the file as “CSV UTF-8” and upload it again."
)

# By the reader's code; reasons that already say what to do have no entry.
ADVICE: dict[str, Promise] = {
    "empty": EXPORT_AGAIN,
    "header_only": EXPORT_AGAIN,
    "binary": gettext_lazy("Upload the CRM export itself, as a CSV or Excel (.xlsx) file."),
    "no_header": gettext_lazy(
        "Add a row of column names above the data, or start from salesopt's import template."
    ),
    "too_large": SPLIT,
    "unpacked_too_large": SPLIT,
    "too_much_text": SPLIT,
    "too_many_columns": gettext_lazy(
        "Remove the columns the import does not need and upload the file again."
    ),
    "compression_ratio": SAVE_AGAIN,
    "xml_dtd": SAVE_AGAIN,
    "damaged": SAVE_AGAIN,
    "row_too_long": FIX_ROW,
    "open_quote": FIX_ROW,
    "malformed": FIX_ROW,
}


def refusal_text(problem: UnreadableFile) -> str:
    """Why the file is refused and what to do about it, in the active language."""
    advice = ADVICE.get(problem.code)
    return with_advice(str(problem), advice) if advice else str(problem)


def with_advice(reason: str, advice: Promise) -> str:
    # Translators: a refusal's reason, then what to do; Chinese joins sentences without a space.
    return _("%(reason)s %(advice)s") % {"reason": reason, "advice": advice}
