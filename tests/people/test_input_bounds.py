"""Out-of-bounds roster input is a clear error on the field or the import, never a 500,
and nothing is written."""

import datetime
import io
import struct
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from people import bounds
from people.models import Employee, EmployeeRecord, ImportStatus, RecordEvent, Team
from tests.people.conftest import GOOD, HEADER


def row_errors(batch) -> list[str]:
    return [e for row in batch.rows.all() for e in row.errors]


# --- Files ------------------------------------------------------------------------


def test_a_nul_byte_in_a_roster_csv_is_a_file_error(do_import, org):
    people_before = Employee.objects.filter(organization=org).count()
    batch = do_import(GOOD.replace("Ada Lovelace", "Ada\x00Lovelace"))
    assert batch.status == ImportStatus.INVALID
    assert "binary data" in batch.file_errors[0]
    assert not batch.rows.exists()
    assert Employee.objects.filter(organization=org).count() == people_before


def test_a_nul_byte_in_the_filename_is_dropped(do_import):
    batch = do_import(GOOD, filename="ros\x00ter.csv")
    assert batch.filename == "roster.csv" and batch.status == ImportStatus.PREVIEW


def xlsx_with_shared_strings(payload: bytes) -> bytes:
    """A real workbook (from openpyxl) with `payload` as its sharedStrings.xml."""
    book = Workbook()
    book.active.append(["email", "name"])
    book.active.append(["ada@acme.test", "Ada"])
    source = io.BytesIO()
    book.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                dst.writestr(info.filename, src.read(info))
        dst.writestr("xl/sharedStrings.xml", payload)
    return out.getvalue()


def set_declared_size(content: bytes, name: str, size: int) -> bytes:
    """Rewrites the uncompressed size a zip declares for one part, in the local and the
    central headers alike: what a forged file does. The data stays as it is."""
    data = bytearray(content)
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_len]) == encoded:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_len]) == encoded:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_an_xlsx_declaring_a_gigabyte_unpacked_is_refused_on_the_import(do_import, org):
    content = set_declared_size(
        xlsx_with_shared_strings(b"<sst/>"), "xl/sharedStrings.xml", 1024**3
    )
    batch = do_import(content, filename="roster.xlsx")
    assert batch.status == ImportStatus.INVALID
    assert "unpacks to more than 50 MB" in batch.file_errors[0]
    assert not batch.rows.exists()
    assert not Employee.objects.filter(organization=org, email="ada@acme.test").exists()


def test_an_xlsx_packed_a_thousand_to_one_is_refused(do_import):
    # 8 MB of one repeated string packs into about 8 KB: a bomb's signature.
    strings = b"<sst>" + b"<si><t>" + b"A" * (8 * 1024 * 1024) + b"</t></si></sst>"
    batch = do_import(xlsx_with_shared_strings(strings), filename="roster.xlsx")
    assert batch.status == ImportStatus.INVALID
    assert "not a normal spreadsheet" in batch.file_errors[0]


def test_an_xlsx_whose_headers_understate_its_size_is_refused(do_import):
    # The part says it is 100 bytes; it really unpacks to far more.
    strings = b"<sst>" + b"<si><t>ada</t></si>" * 5000 + b"</sst>"
    content = set_declared_size(xlsx_with_shared_strings(strings), "xl/sharedStrings.xml", 100)
    batch = do_import(content, filename="roster.xlsx")
    assert batch.status == ImportStatus.INVALID
    assert "damaged" in batch.file_errors[0]


def test_the_unpacked_size_is_counted_not_trusted():
    # Real unpacked bytes over the limit are caught while reading, chunk by chunk.
    names = b"".join(b"<si><t>person %d@acme.test</t></si>" % i for i in range(40_000))
    content = xlsx_with_shared_strings(b"<sst>" + names + b"</sst>")
    with pytest.raises(bounds.BoundsError, match="unpacks to more than"):
        bounds.check_zip_unpacked_size(content, max_bytes=500_000, max_ratio=10**6)
    bounds.check_zip_unpacked_size(content)  # within the real limits: fine


def test_an_ordinary_xlsx_still_imports(do_import):
    book = Workbook()
    for line in GOOD.splitlines():
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    batch = do_import(buffer.getvalue(), filename="roster.xlsx")
    assert batch.status == ImportStatus.PREVIEW, batch.file_errors


# --- Dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, message",
    [
        ("E9,Old,old@acme.test,,,,,0001-01-01,,", "hire_date 0001-01-01 is not a real date"),
        ("E9,Far,far@acme.test,,,,,9999-12-31,,", "hire_date 9999-12-31 is not a real date"),
    ],
)
def test_absurd_roster_dates_are_row_errors(do_import, org, line, message):
    batch = do_import(HEADER + line + "\n")
    assert batch.status == ImportStatus.INVALID
    assert any(message in e for e in row_errors(batch))


def test_an_effective_date_before_the_hire_in_the_same_row_is_an_error(do_import):
    batch = do_import(
        "email,name,hire_date,effective_date\nada@acme.test,Ada,2022-01-10,0001-01-01\n"
    )
    assert any("effective_date 0001-01-01" in e for e in row_errors(batch))
    batch = do_import(
        "email,name,hire_date,effective_date\nada@acme.test,Ada,2022-01-10,2021-01-01\n"
    )
    assert any(
        "effective_date 2021-01-01 is before the hire date 2022-01-10" in e
        for e in row_errors(batch)
    )


def test_an_update_row_dated_before_the_persons_hire_is_an_error(
    do_import, actor, learner_employee
):
    hired = learner_employee.hire_date
    before = (hired - datetime.timedelta(days=1)).isoformat()
    batch = do_import(
        "email,name,level,effective_date\n"
        f"{learner_employee.email},{learner_employee.full_name},L9,{before}\n"
    )
    assert batch.status == ImportStatus.INVALID
    assert any("history never starts before the hire" in e for e in row_errors(batch))
    leaving = do_import(
        "email,name,termination_date,termination_reason\n"
        f"{learner_employee.email},{learner_employee.full_name},{before},voluntary\n"
    )
    assert any("termination_date" in e and "hire date" in e for e in row_errors(leaving))


def test_an_employee_edit_dated_before_the_hire_is_a_field_error(
    client, lnd_manager, learner_employee
):
    records = EmployeeRecord.objects.filter(employee=learner_employee).count()
    client.force_login(lnd_manager)
    url = f"/api/v1/employees/{learner_employee.pk}/"
    for day in ("0001-01-01", "2000-01-01", "9999-12-31"):
        response = client.patch(
            url, {"effective_date": day, "level": "L9"}, content_type="application/json"
        )
        assert response.status_code == 400 and "effective_date" in response.json(), day
    leaving = client.patch(
        url,
        {
            "effective_date": "2025-06-01",
            "termination_date": "0001-01-01",
            "termination_reason": "voluntary",
        },
        content_type="application/json",
    )
    assert leaving.status_code == 400 and "termination_date" in leaving.json()
    page = client.post(
        reverse("people:edit", args=[learner_employee.pk]),
        {"effective_date": "2000-01-01", "level": "L9"},
    )
    assert page.status_code == 200 and b"before the hire date" in page.content
    page = client.post(
        reverse("people:edit", args=[learner_employee.pk]),
        {"effective_date": "9999-12-31", "level": "L9"},
    )
    assert page.status_code == 200 and b"between 1900 and 2100" in page.content
    learner_employee.refresh_from_db()
    assert learner_employee.level == "L3"
    assert EmployeeRecord.objects.filter(employee=learner_employee).count() == records
    assert not EmployeeRecord.objects.filter(
        employee=learner_employee, event=RecordEvent.CHANGE
    ).exists()


# --- Strings, numbers and ids ------------------------------------------------------


def test_nul_and_overlong_text_in_the_people_api_are_field_errors(client, lnd_manager, org):
    client.force_login(lnd_manager)
    teams_before = Team.objects.filter(organization=org).count()
    for name in ("Data\x00", "x" * 121):
        response = client.post("/api/v1/teams/", {"name": name}, content_type="application/json")
        assert response.status_code == 400 and "name" in response.json()
    for body in ({"name": "T", "lead_id": 10**30}, {"name": "T", "lead_id": -1}):
        response = client.post("/api/v1/teams/", body, content_type="application/json")
        assert response.status_code == 400 and "lead_id" in response.json()
    token = client.post("/api/v1/tokens/", {"name": "\x00"}, content_type="application/json")
    assert token.status_code == 400 and "name" in token.json()
    assert Team.objects.filter(organization=org).count() == teams_before


def test_huge_or_odd_query_parameters_are_not_500(client, lnd_manager, org):
    client.force_login(lnd_manager)
    for query in (
        "team=99999999999999999999999",
        "manager=-5",
        "search=%00",
        "search=" + "x" * 5000,
        "page=99999999999999999999",
        "ordering=%00",
        "active=maybe",
        "level=%00",
    ):
        response = client.get(f"/api/v1/employees/?{query}")
        assert response.status_code in (200, 400, 404), (query, response.status_code)
    for query in ("q=%00", "q=" + "x" * 5000, "team=99999999999999999999", "page=%00"):
        response = client.get(reverse("people:list") + "?" + query)
        assert response.status_code == 200, query


def test_a_json_body_nested_thousands_deep_is_a_400(client, lnd_manager, learner_employee):
    client.force_login(lnd_manager)
    body = '{"effective_date": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.patch(
        f"/api/v1/employees/{learner_employee.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "nested" in response.json()["detail"]
    shallow = '{"effective_date": ' + "[" * 30 + "]" * 30 + "}"
    response = client.patch(
        f"/api/v1/employees/{learner_employee.pk}/", shallow, content_type="application/json"
    )
    assert response.status_code == 400 and "more than 20 levels" in response.json()["detail"]


def test_an_xlsx_of_more_than_ten_thousand_parts_is_refused(do_import, org):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"xl/part{i}.xml", b"")
    batch = do_import(buffer.getvalue(), filename="roster.xlsx")
    assert batch.status == ImportStatus.INVALID
    assert "more than 10,000 parts" in batch.file_errors[0]
    assert not batch.rows.exists()


def test_a_long_filename_is_kept_to_255_characters(do_import):
    batch = do_import(GOOD, filename="r" * 300 + ".csv")
    assert batch.filename == "r" * 255 and batch.status == ImportStatus.PREVIEW


def test_the_last_day_of_2100_is_a_date_the_first_of_2101_is_not(
    client, lnd_manager, learner_employee
):
    client.force_login(lnd_manager)
    url = f"/api/v1/employees/{learner_employee.pk}/"
    body = {"effective_date": "2025-06-01", "termination_reason": "voluntary"}
    late = client.patch(
        url, {**body, "termination_date": "2101-01-01"}, content_type="application/json"
    )
    assert late.status_code == 400
    assert "between 1900 and 2100" in str(late.json()["termination_date"])
    last = client.patch(
        url, {**body, "termination_date": "2100-12-31"}, content_type="application/json"
    )
    assert last.status_code == 200, last.json()
    learner_employee.refresh_from_db()
    assert learner_employee.termination_date == datetime.date(2100, 12, 31)


def test_a_json_body_twenty_levels_deep_is_read_and_twenty_one_is_refused(
    client, lnd_manager, learner_employee
):
    """The body is level 1; a value inside 19 lists sits at level 21."""
    client.force_login(lnd_manager)
    url = f"/api/v1/employees/{learner_employee.pk}/"

    def patch(lists):
        body = '{"effective_date": ' + "[" * lists + "1" + "]" * lists + "}"
        return client.patch(url, body, content_type="application/json")

    deepest = patch(18)
    assert deepest.status_code == 400 and "effective_date" in deepest.json()
    too_deep = patch(19)
    assert too_deep.status_code == 400
    assert "nested more than 20 levels deep" in too_deep.json()["detail"]


def test_a_json_body_of_fifty_thousand_items_is_read_and_one_more_is_refused(
    client, lnd_manager, learner_employee
):
    """The body, the list and its values: 2 + n items."""
    client.force_login(lnd_manager)
    url = f"/api/v1/employees/{learner_employee.pk}/"

    def patch(values):
        body = '{"effective_date": [' + ",".join(["0"] * values) + "]}"
        return client.patch(url, body, content_type="application/json")

    largest = patch(49_998)
    assert largest.status_code == 400 and "effective_date" in largest.json()
    too_many = patch(49_999)
    assert too_many.status_code == 400
    assert "more than 50000 items" in too_many.json()["detail"]


def test_values_longer_than_the_database_allows_are_row_errors(do_import):
    batch = do_import(f"email,name,level,employee_id\nl@acme.test,L,{'x' * 41},{'9' * 65}\n")
    errors = " ".join(batch.rows.get().errors)
    assert "level is longer than 40" in errors and "employee_id is longer than 64" in errors
