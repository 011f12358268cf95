"""XLSX bomb: a ~1 MB roster workbook whose shared strings unpack to ~1 GB.

    .venv/bin/python bench/xlsx_bomb.py
    .venv/bin/python bench/xlsx_bomb.py --unpacked-mb 1024

Builds the file (streamed, so building it needs no memory to speak of), runs the roster
import check on it exactly as the worker does (services.roster_import_parse on a stored
import), and reports the import's status and file error, the time taken and the peak
memory above idle: resident set size (ru_maxrss) and Python allocations (tracemalloc).
The goal is a clear error on the import and well under 300 MB above idle.
"""

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from people import services  # noqa: E402
from people.models import Job, Organization, RosterImport, User  # noqa: E402

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    ),
}


def build_bomb(unpacked_bytes: int) -> bytes:
    """A valid XLSX whose sharedStrings.xml holds `unpacked_bytes` of short strings."""
    item = b"<si><t>" + b"A" * 65536 + b"</t></si>"
    chunk = item * (1024 * 1024 // len(item))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<si><t>email</t></si><si><t>name</t></si>"
            )
            written = 0
            while written < unpacked_bytes:
                part.write(chunk)
                written += len(chunk)
            part.write(b"</sst>")
    return buffer.getvalue()


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(unpacked_mb: int) -> None:
    idle = peak_rss_mb()
    started = time.perf_counter()
    content = build_bomb(unpacked_mb * 1024 * 1024)
    built = time.perf_counter() - started
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    print(
        f"file: {len(content) / 1024 / 1024:.2f} MB packed, {declared / 1024 / 1024:.0f} MB "
        f"declared unpacked (built in {built:.1f} s)"
    )
    org = Organization.objects.create(name="Bench", slug=f"bench-bomb-{int(time.time())}")
    user = User.objects.create_user(email=f"bench-{org.slug}@bench.test")
    try:
        job = Job.objects.create(organization=org, kind="roster_import.parse")
        batch = RosterImport.objects.create(
            organization=org, uploaded_by=user, filename="bomb.xlsx", content=content, job=job
        )
        before_check = peak_rss_mb()
        tracemalloc.start()
        started = time.perf_counter()
        services.roster_import_parse(roster_import=batch, progress=lambda p, m: None)
        took = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        batch.refresh_from_db()
        print(f"status: {batch.status}; file errors: {batch.file_errors}")
        print(
            f"check took {took:.2f} s; peak RSS {peak_rss_mb():.0f} MB, idle {idle:.0f} MB, "
            f"above idle {peak_rss_mb() - idle:.0f} MB (building the file: "
            f"{before_check - idle:.0f} MB of that); "
            f"Python allocations peak {traced_peak / 1024 / 1024:.1f} MB"
        )
    finally:
        org.delete()
        user.delete()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unpacked-mb", type=int, default=1024)
    args = parser.parse_args()
    print(f"database: {connection.vendor}")
    run(args.unpacked_mb)
