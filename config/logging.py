"""Log filters. A 360 rater's link carries its secret in the path (/360/r/<token>/), and
Django, runserver and gunicorn all log request paths (on a 4xx, a CSRF failure, every
access line). The filter masks the token in every record before it is written, so no log
line holds a working link whatever logs it."""

import logging
import re

RATER_LINK = re.compile(r"(/360/r/)[^/\s\"'?#]+")
MASK = r"\1[token]"


def mask_rater_links(text: str) -> str:
    return RATER_LINK.sub(MASK, text)


class MaskRaterLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_rater_links(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            # Tracebacks can quote the request path too.
            record.exc_text = mask_rater_links(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_rater_links(record.exc_text)
        return True
