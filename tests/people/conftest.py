import pytest

from people import services
from tests.conftest import actor_for

HEADER = "employee_id,name,email,team,manager_email,job_title,level,hire_date,annual_salary,top_performer\n"
GOOD = HEADER + (
    "E1,Ada Lovelace,ada@acme.test,Platform,,CTO,M3,2021-03-01,150000,yes\n"
    "E2,Grace Hopper,grace@acme.test,Platform,ada@acme.test,Engineering Manager,M1,2022-01-10,98000,no\n"
    "E3,Linus Torvalds,linus@acme.test,Kernel,grace@acme.test,Senior Engineer,L5,2022-06-01,91000,\n"
)


@pytest.fixture
def actor(lnd_manager, org):
    """The L&D manager, who keeps the roster."""
    return actor_for(lnd_manager, org)


@pytest.fixture
def do_import(actor, django_capture_on_commit_callbacks):
    """Uploads a roster file (as the L&D manager unless `by` says otherwise) and runs its
    background check (tasks run in-process in tests); returns the checked import."""

    def _do(content, filename="roster.csv", by=None):
        content = content.encode("utf-8") if isinstance(content, str) else content
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.roster_import_start(
                actor=by or actor, filename=filename, content=content
            )
        batch.refresh_from_db()
        return batch

    return _do
