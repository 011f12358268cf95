"""Cohort progress grid benchmark: build the grid for cohorts of 50 and 500 learners.

    .venv/bin/python bench/progress_grid.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lodestar .venv/bin/python bench/progress_grid.py

Creates a throwaway organisation with a 16-module program and a cohort whose learners have
done a varying share of it, then times `selectors.progress_grid` and counts its queries.
The query count must not change with the number of learners.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from people.models import Employee, Organization  # noqa: E402
from programs import selectors  # noqa: E402
from programs.models import Cohort, Enrollment, Module, ModuleProgress, Program  # noqa: E402


def run(learners: int) -> None:
    org = Organization.objects.create(name="Bench", slug=f"bench-grid-{time.time_ns()}")
    try:
        program = Program.objects.create(
            organization=org, title="Bench", audience="new_managers", duration_weeks=16
        )
        modules = Module.objects.bulk_create(
            Module(program=program, title=f"M{i}", kind="lesson", release_week=i + 1, position=i)
            for i in range(16)
        )
        cohort = Cohort.objects.create(
            organization=org,
            program=program,
            name="Bench",
            start_date=datetime.date.today() - datetime.timedelta(weeks=8),
            end_date=datetime.date.today() + datetime.timedelta(weeks=8),
            capacity=learners,
        )
        people = Employee.objects.bulk_create(
            Employee(organization=org, full_name=f"P{i}", email=f"p{i}@bench.test")
            for i in range(learners)
        )
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(cohort=cohort, employee=p) for p in people
        )
        ModuleProgress.objects.bulk_create(
            ModuleProgress(enrollment=e, module=m, status="completed")
            for i, e in enumerate(enrollments)
            for m in modules[: i % 9]
        )
        cohort = Cohort.objects.select_related("program", "organization").get(pk=cohort.pk)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            _, rows = selectors.progress_grid(cohort=cohort)
            elapsed = time.perf_counter() - started
        print(
            f"learners={learners:4d} modules=16 grid={elapsed * 1000:7.1f} ms queries={len(queries.captured_queries)} rows={len(rows)}"
        )
    finally:
        Cohort.objects.filter(organization=org).delete()  # cohorts protect their program
        org.delete()


if __name__ == "__main__":
    print(f"database: {connection.vendor}")
    for n in (50, 500):
        run(n)
