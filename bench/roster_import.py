"""Roster import benchmark: check and commit a generated roster of N people.

    .venv/bin/python bench/roster_import.py --rows 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lodestar .venv/bin/python bench/roster_import.py

Creates a throwaway organisation, times the background check (parse and validate every
row) and the all-or-nothing commit, counts the commit's queries, re-imports the same
file (which must change nothing), imports a file in which everyone changes team, and
deletes the organisation again.
"""

import argparse
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

from people import services  # noqa: E402
from people.actors import actor_for_user  # noqa: E402
from people.models import Employee, Job, Membership, Organization, Role, RosterImport, User  # noqa: E402


def roster_csv(rows: int, team_offset: int = 0) -> bytes:
    lines = ["employee_id,name,email,team,manager_email,job_title,level,hire_date,annual_salary"]
    for i in range(rows):
        manager = "" if i == 0 else f"p{(i - 1) // 8}@bench.test"
        lines.append(
            f"B{i},Person {i},p{i}@bench.test,Team {(i + team_offset) % 40},{manager},Engineer,L{i % 6 + 1},"
            f"2022-{i % 12 + 1:02d}-01,{60000 + i % 50 * 1000}"
        )
    return ("\n".join(lines) + "\n").encode()


def run(rows: int) -> None:
    org = Organization.objects.create(name="Bench", slug=f"bench-{int(time.time())}")
    user = User.objects.create_user(email=f"bench-{org.slug}@bench.test")
    Membership.objects.create(organization=org, user=user, role=Role.LND_MANAGER)
    actor = actor_for_user(user=user, organization=org)
    files = [
        ("first import", roster_csv(rows)),
        ("same file again", roster_csv(rows)),
        ("everyone moves", roster_csv(rows, team_offset=1)),
    ]
    try:
        for label, content in files:
            job = Job.objects.create(organization=org, kind="roster_import.parse")
            batch = RosterImport.objects.create(
                organization=org, uploaded_by=user, filename="bench.csv", content=content, job=job
            )
            started = time.perf_counter()
            services.roster_import_parse(roster_import=batch, progress=lambda p, m: None)
            checked = time.perf_counter() - started
            batch.refresh_from_db()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = services.roster_import_commit(actor=actor, roster_import=batch)
                committed = time.perf_counter() - started
            print(
                f"{label:16} rows={rows:6d} check={checked:6.2f}s ({rows / checked:8.0f} rows/s) "
                f"commit={committed:6.2f}s queries={len(queries.captured_queries):4d} "
                f"created={result['created']} updated={result['updated']}"
            )
        assert Employee.objects.filter(organization=org).count() == rows
    finally:
        org.delete()
        user.delete()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 20000])
    args = parser.parse_args()
    print(f"database: {connection.vendor}")
    for n in args.rows:
        run(n)
