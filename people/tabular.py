"""Reading uploaded CSV files into rows of text, shared by the roster import and the
enrolment import (programs), so both say the same thing about the same broken file.

Nothing here writes.
"""

import csv
import io


class TableFileError(Exception):
    """The file as a whole cannot be read; the message tells the user how to fix it."""


def read_csv(content: bytes) -> list[list[str]]:
    """Every record of a UTF-8 CSV file (a byte-order mark is allowed), split on commas
    or, when the first line holds more of them, semicolons (Excel in much of Europe).

    Raises TableFileError for text in another encoding, binary data, or a broken file.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableFileError(
            f"The file is not UTF-8 text (unexpected byte 0x{content[exc.start]:02x} at "
            f"position {exc.start}). In Excel, save it as 'CSV UTF-8 (comma delimited)'."
        ) from None
    if "\x00" in text:
        # PostgreSQL refuses NUL in text, and no spreadsheet writes one into a CSV.
        raise TableFileError(
            "The file holds binary data (a NUL character), so it is not CSV text. "
            "Save it again as 'CSV UTF-8'."
        )
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise TableFileError(f"The CSV file could not be read: {exc}.") from None
