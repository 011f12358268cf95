from django.contrib import admin

from people.models import (
    ApiToken,
    AuditEntry,
    DevMailboxMessage,
    Employee,
    EmployeeRecord,
    RosterImport,
    RosterImportRow,
)


def test_admin_registers_no_sensitive_model():
    # Salaries, HR history, roster files, token hashes and audit trails stay out of the admin.
    for model in (
        Employee,
        EmployeeRecord,
        RosterImport,
        RosterImportRow,
        ApiToken,
        AuditEntry,
        DevMailboxMessage,
    ):
        assert not admin.site.is_registered(model), model.__name__


def test_admin_index_works_for_staff(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Employees" not in response.content
