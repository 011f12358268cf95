"""Staff create an organisation; its first L&D manager follows the emailed invitation."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dev_mailbox(settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "people.mail.DevMailboxBackend"
    settings.LODESTAR_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_new_organisation_and_invited_lnd_manager_signs_in(
    page, sign_in, live_server, settings, dev_mailbox
):
    settings.LODESTAR_BASE_URL = live_server.url
    UserFactory(email="admin@lodestar.test", is_staff=True, is_superuser=True)
    sign_in("admin@lodestar.test", PASSWORD)

    page.get_by_role("link", name="New organisation").first.click()
    page.get_by_label("Organisation name").fill("Initech")
    page.get_by_label("Short name").fill("initech")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("First L&D manager's email").fill("peter@initech.test")
    page.get_by_role("button", name="Create organisation").click()
    expect(
        page.get_by_text("Initech created; an invitation went to peter@initech.test")
    ).to_be_visible()

    page.get_by_role("link", name="Mailbox").click()
    page.get_by_role("link", name="You're invited to Lodestar at Initech").click()
    link = page.get_by_role("link", name=f"{live_server.url}/password-reset/").get_attribute("href")
    page.get_by_role("button", name="Sign out").click()

    # The invitee, in their own browser session, follows the emailed link.
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("initech-tps-reports-42")
    page.get_by_label("New password confirmation").fill("initech-tps-reports-42")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Password saved")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("peter@initech.test")
    page.get_by_label("Password").fill("initech-tps-reports-42")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Learning & development")).to_be_visible()
    expect(page.get_by_role("banner").get_by_text("Initech", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, peter")).to_be_visible()
