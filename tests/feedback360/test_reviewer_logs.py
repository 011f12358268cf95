"""A rater's link holds its secret in the path, and Django, runserver and gunicorn log
paths. Every log line passes through a filter that masks the token, and the pages tell
the browser to send only the origin as referrer."""

import io
import logging

import pytest
from django.urls import reverse

from config.logging import MaskRaterLinks, mask_rater_links
from tests.feedback360.factories_reviewer import (  # noqa: F401  (fixtures)
    fixture_cycle,
    fixture_invited,
    fixture_peer_rater,
    fixture_subject,
)


@pytest.fixture
def console():
    """What the configured console handler writes, captured."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskRaterLinks) for f in h.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_logged_request_path_never_holds_the_token(client, invited, console):
    url = reverse("feedback360:rater_form", args=[invited])
    # A 404 under the link and a refused method are both logged by django.request.
    client.get(url + "nope/")
    client.put(url)
    logged = console.getvalue()
    assert "/360/r/[token]/" in logged
    assert invited not in logged


def test_the_filter_masks_gunicorns_access_lines_and_tracebacks():
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s"', None, None
    )
    record.args = {"h": "10.0.0.1", "r": "GET /360/r/s3cr3t-T0ken/ HTTP/1.1"}
    MaskRaterLinks().filter(record)
    assert record.getMessage() == '10.0.0.1 "GET /360/r/[token]/ HTTP/1.1"'
    assert mask_rater_links("see /360/r/abc_DEF-1/decline/") == "see /360/r/[token]/decline/"


def test_rater_pages_send_only_the_origin_as_referrer(client, invited):
    response = client.get(reverse("feedback360:rater_form", args=[invited]))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
