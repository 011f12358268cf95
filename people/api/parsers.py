from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from people import bounds


class BoundedJSONParser(JSONParser):
    """JSON bodies bounded by depth and size: a body nested thousands deep would exhaust
    the decoder's stack (a 500), and no request of ours needs more than a few levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"JSON parse error - nested more than {bounds.MAX_DEPTH} levels deep."
            ) from None
        try:
            bounds.check_nesting(data)
        except bounds.BoundsError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if bounds.has_surrogate(data):
            # A lone surrogate (\\ud800) cannot be encoded back into an answer or a page.
            raise ParseError("JSON parse error - the text holds an invalid character (\\ud800).")
        return data
