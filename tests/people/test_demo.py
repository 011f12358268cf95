"""load_demo lives in people and runs what each app registers, floor by floor."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from people.demo import DEMO_LOADERS


def test_each_app_registers_its_demo_in_floor_order():
    assert [(loader.name, loader.floor) for loader in DEMO_LOADERS] == [
        ("programs", 2),
        ("assessments", 3),
    ]


@pytest.mark.django_db
def test_load_demo_builds_every_part_once():
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)
    assert "Created two programs and a cohort of 10 learners." in first.getvalue()
    assert "Opened a baseline assessment round" in first.getvalue()
    assert "Nothing new was created." in second.getvalue()


def test_load_demo_refuses_to_run_in_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo")
