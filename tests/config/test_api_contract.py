"""The API answers what its OpenAPI schema says, and no route turns odd URLs into a 500."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from rest_framework import serializers as drf_serializers

from assessments import services as assessment_services
from assessments.api import serializers as assessment_serializers
from people import services as people_services
from people.api import serializers as people_serializers
from programs.api import serializers as program_serializers
from tests.assessments.conftest import submit_both
from tests.conftest import actor_for

SERIALIZER_MODULES = (people_serializers, program_serializers, assessment_serializers)


def api_routes() -> list[str]:
    """Every /api/v1/ route as a concrete path, with 1 for each id."""

    def walk(patterns, prefix):
        for p in patterns:
            regex = prefix + str(
                p.pattern.regex.pattern if hasattr(p.pattern, "regex") else p.pattern
            )
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, regex)
            elif isinstance(p, URLPattern):
                yield regex

    paths = set()
    for regex in walk(get_resolver().url_patterns, ""):
        path = re.sub(r"\(\?P<\w+>[^)]+\)", "1", regex).replace("^", "").replace("$", "")
        path = path.replace("\\Z", "").replace("\\", "")
        if path.startswith("api/v1/"):
            paths.add("/" + path)
    return sorted(paths)


@pytest.fixture
def world(lnd_manager, learner, line_manager, coach, org, round_open, program):
    """An organisation with something behind every endpoint: a cohort, an enrolment with a
    coach, submitted assessments and a drafted plan, a team with a lead, a token."""
    program.competencies.set(org.competencies.filter(key__in=["feedback_delivery", "delegation"]))
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 1)
    assessment_services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    people_services.api_token_create(
        actor=actor_for(lnd_manager, org), name="CI", roles=None, read_only=True
    )
    return round_open


def test_api_routes_walked_with_format_suffixes_never_answer_500(client, lnd_manager, world):
    client.force_login(lnd_manager)
    routes = api_routes()
    assert "/api/v1/me/" in routes and len(routes) > 20
    for route in routes:
        base = route.rstrip("/") or "/api/v1"
        for url in (base + ".json", route + ".json", route + "?format=json", route + "?format=xml"):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code < 500, (method, url, response.status_code)
        suffixed = client.get(base + ".json")
        assert suffixed.status_code == 404, base


def _openapi_to_json_schema(node):
    """OpenAPI 3.0 marks null with `nullable: true`; JSON Schema wants a null type."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _openapi_to_json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _validator(schema, ref_schema):
    root = {"components": _openapi_to_json_schema(schema["components"])}
    return Draft202012Validator({**root, **_openapi_to_json_schema(ref_schema)})


# Detail endpoints keyed by something other than the list's own ids.
KEYED_BY_ENROLMENT = (
    "/api/v1/results/{id}/",
    "/api/v1/plans/{id}/",
    "/api/v1/enrollments/{id}/plan/",
)


def _check_responses(client, schema, enrollment_id, *, skip=()):
    checked = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or path in skip or "200" not in get["responses"]:
            continue
        content = get["responses"]["200"].get("content", {}).get("application/json")
        if content is None:
            continue
        url = path
        if "{id}" in path:
            if path in KEYED_BY_ENROLMENT:
                url = path.replace("{id}", str(enrollment_id))
            else:
                listing = client.get(path.split("{id}")[0])
                if listing.status_code != 200 or not listing.json().get("results"):
                    continue
                url = path.replace("{id}", str(listing.json()["results"][0]["id"]))
        response = client.get(url)
        if response.status_code != 200:
            continue
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(schema, content["schema"]).iter_errors(response.json())
        ]
        assert not errors, (url, errors[:5])
        checked.append(path)
    return checked


def test_every_list_and_detail_answer_matches_the_schema(client, schema, lnd_manager, world):
    client.force_login(lnd_manager)
    checked = _check_responses(client, schema, world.pk)
    for path in (
        "/api/v1/employees/",
        "/api/v1/employees/{id}/",
        "/api/v1/teams/{id}/",
        "/api/v1/enrollments/{id}/",
        "/api/v1/programs/{id}/",
        "/api/v1/cohorts/{id}/",
        "/api/v1/plans/{id}/",
        "/api/v1/results/{id}/",
        "/api/v1/employees/{id}/history/",
    ):
        assert path in checked, path


def test_answers_to_learners_and_coaches_match_the_schema_too(
    client, schema, learner, coach, world
):
    # A learner gets no salaries; a coach sees plans with goals.
    for user in (learner, coach):
        client.force_login(user)
        checked = _check_responses(client, schema, world.pk)
        assert checked, user
    client.force_login(learner)
    me = client.get("/api/v1/employees/").json()["results"]
    assert me and all("annual_salary" not in row for row in me)


def test_fields_returned_as_null_or_blank_are_documented_so(schema):
    components = schema["components"]["schemas"]
    employee = components["Employee"]
    assert "annual_salary" not in employee["required"]
    reason = employee["properties"]["termination_reason"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in reason["oneOf"]
    for component, field in (
        ("Enrollment", "coach"),
        ("Program", "template_id"),
        ("Team", "lead"),
        ("Employee", "team"),
        ("Employee", "manager"),
        ("EmployeeRecord", "team"),
        ("DevelopmentPlan", "shared_with"),
    ):
        assert components[component]["properties"][field].get("nullable"), (component, field)
    patch = schema["paths"]["/api/v1/employees/{id}/"]["patch"]["requestBody"]
    ref = patch["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert components[ref]["required"] == ["effective_date"]


def _model_serializers():
    for module in SERIALIZER_MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, drf_serializers.ModelSerializer)
                and value.__module__ == module.__name__
            ):
                yield value


def test_string_max_lengths_in_serializers_and_schema_match_the_model(schema):
    components = schema["components"]["schemas"]
    compared = 0
    for serializer_class in _model_serializers():
        model = serializer_class.Meta.model
        name = serializer_class.__name__.removesuffix("Serializer") + "Request"
        for field_name, field in serializer_class().fields.items():
            if field.read_only or not isinstance(field, drf_serializers.CharField):
                continue
            if field.source not in {f.name for f in model._meta.get_fields()}:
                continue
            model_field = model._meta.get_field(field.source)
            assert model_field.max_length is not None, f"{model.__name__}.{field.source}"
            assert field.max_length == model_field.max_length, f"{name}.{field_name}"
            if name in components:
                documented = components[name]["properties"][field_name].get("maxLength")
                assert documented == model_field.max_length, f"{name}.{field_name}"
                compared += 1
    assert compared >= 8


def test_every_string_a_client_can_send_has_a_documented_max_length(schema):
    unbounded = []

    def visit(where, node):
        if not isinstance(node, dict):
            return
        if (
            node.get("type") == "string"
            and not node.get("readOnly")
            and "maxLength" not in node
            and "enum" not in node
            and node.get("format") not in ("date", "date-time", "decimal", "binary", "uuid")
        ):
            unbounded.append(where)
        for key, child in node.get("properties", {}).items():
            visit(f"{where}.{key}", child)
        if "items" in node:
            visit(f"{where}[]", node["items"])
        if isinstance(node.get("additionalProperties"), dict):
            visit(f"{where}{{}}", node["additionalProperties"])

    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            visit(name, component)
    assert not unbounded, unbounded
