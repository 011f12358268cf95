from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    # Every endpoint a later feature adds must document itself cleanly too.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/employees/",
        "/api/v1/teams/",
        "/api/v1/roster-imports/{id}/commit/",
        "/api/v1/memberships/",
        "/api/v1/tokens/",
    ):
        assert path in text
