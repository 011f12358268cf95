"""Bounds every input shares: dates, text, nested data and zipped uploads.

The lowest floor, so every app's models, forms, serializers and imports check the same
limits. Out of bounds is a field error for the person who typed or uploaded it; nothing
here writes.
"""

import datetime
import io
import zipfile
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

# Anything outside these years is a typo, and year 9999 overflows the moment it is
# shown in a time zone east of UTC.
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)

# Text lengths for fields stored as TextField: long enough for what people write,
# short enough that one field cannot fill a page or a database row.
NOTE_LENGTH = 2_000  # a reason, a comment, one SBI part, a goal, an outcome
PROSE_LENGTH = 10_000  # a reflection, a description, a question
BODY_LENGTH = 50_000  # a lesson body in Markdown

# Parsed structures (YAML, JSON bodies): deep enough for any real file.
MAX_DEPTH = 20
MAX_NODES = 50_000

# Unpacked zip uploads (XLSX): a roster of 20,000 rows unpacks to about 25 MB.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Spreadsheet XML packs 5 to 50 times smaller; a bomb packs a thousand times smaller.
MAX_COMPRESSION_RATIO = 200
# Small entries may pack tighter without being a danger.
RATIO_CHECK_FROM_BYTES = 1024 * 1024


class BoundsError(ValueError):
    """An input is out of bounds; the message is meant for the person who sent it."""


@deconstructible
class DateRangeValidator:
    """A date or datetime between MIN_DATE and MAX_DATE."""

    message = "Enter a date between 1900 and 2100."
    code = "date_out_of_range"

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not MIN_DATE <= day <= MAX_DATE:
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)


validate_date_range = DateRangeValidator()


def text_validators(limit: int) -> list:
    """For a model TextField: Django enforces max_length on CharField only."""
    return [MaxLengthValidator(limit)]


# Markdown rendering slows with the square of the brackets it has to pair: 4,000 '[' take
# seconds on every view. No lesson needs more than a few dozen links.
MAX_MARKDOWN_BRACKETS = 500


def markdown_problem(text: str) -> str | None:
    """Why `text` cannot be shown as Markdown quickly, or None when it can."""
    count = text.count("[")
    if count > MAX_MARKDOWN_BRACKETS:
        return (
            f"Use at most {MAX_MARKDOWN_BRACKETS} square brackets (links); this text has {count}."
        )
    return None


def has_surrogate(value) -> bool:
    """True if any text in a nested structure (keys too) holds a lone UTF-16 surrogate
    (\\ud800 in JSON or YAML): no real text has one, and it cannot be encoded back."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def has_nul(value) -> bool:
    """True if any text in a nested structure (keys too) holds a NUL character, which
    PostgreSQL refuses in text and JSON alike."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def check_nesting(value, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Raises BoundsError if a parsed structure nests deeper or holds more items than
    a real file would. Iterative, so it cannot itself run out of stack."""
    stack = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise BoundsError(f"The data has more than {max_nodes} items.")
        if isinstance(item, dict):
            children: Iterable = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth >= max_depth:
            raise BoundsError(f"The data is nested more than {max_depth} levels deep.")
        stack.extend((child, depth + 1) for child in children)


def check_zip_unpacked_size(
    content: bytes,
    *,
    max_bytes: int = MAX_UNPACKED_BYTES,
    max_ratio: int = MAX_COMPRESSION_RATIO,
) -> None:
    """Raises BoundsError if a zip (an XLSX) would unpack to more than `max_bytes`, or
    packs an entry suspiciously tight.

    Checks the declared sizes first (cheap), then reads every entry in chunks and
    counts what really comes out, stopping at the limit, so a file whose headers lie
    about its sizes is caught without ever holding the unpacked data in memory.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BoundsError(
            "The XLSX file could not be opened. Save it again from Excel or upload a CSV."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > 10_000:
            raise BoundsError("The file holds more than 10,000 parts.")
        declared = sum(info.file_size for info in entries)
        if declared > max_bytes:
            raise BoundsError(_too_large(declared, max_bytes))
        for info in entries:
            if info.file_size > RATIO_CHECK_FROM_BYTES and (
                info.file_size > max_ratio * max(info.compress_size, 1)
            ):
                raise BoundsError(
                    f"The part {info.filename[:80]} packs {info.file_size // 1024 // 1024} MB "
                    f"into {max(info.compress_size // 1024, 1)} KB: not a normal spreadsheet."
                )
        total = 0
        try:
            for info in entries:
                with archive.open(info) as part:
                    while chunk := part.read(256 * 1024):
                        total += len(chunk)
                        if total > max_bytes:
                            raise BoundsError(_too_large(total, max_bytes))
        except BoundsError:
            raise
        except Exception:
            # A bad CRC or a size that does not match its header: the file lies.
            raise BoundsError(
                "The file is damaged: a part does not match its declared size or checksum."
            ) from None


def _too_large(size: int, limit: int) -> str:
    return (
        f"The file unpacks to more than {limit // (1024 * 1024)} MB "
        f"({size // (1024 * 1024)} MB or more); split it or save it again as CSV."
    )


class UploadSizeValidator:
    """Refuses an upload larger than `limit` bytes (a number, or a callable read at
    validation time so a setting can change in tests) before anything reads it whole."""

    def __init__(self, limit) -> None:
        self.limit = limit

    def __call__(self, upload) -> None:
        from django.core.exceptions import ValidationError

        limit = self.limit() if callable(self.limit) else self.limit
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB."
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadSizeValidator) and other.limit == self.limit


def import_max_bytes() -> int:
    from django.conf import settings

    return settings.LODESTAR_IMPORT_MAX_BYTES


def clean_filename(name: str) -> str:
    """An uploaded file's name as shown back: no control characters (NUL among them),
    at most 255 characters."""
    return "".join(ch for ch in str(name) if ch.isprintable())[:255] or "upload"
