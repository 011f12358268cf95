from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "people.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (lsk_...), created on the API tokens page.",
        }


class OrgSessionScheme(OpenApiAuthenticationExtension):
    target_class = "people.api.authentication.OrgSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class EmployeeSchema(OpenApiSerializerExtension):
    """annual_salary is left out of the answer for anyone but L&D managers, so the
    schema must not promise it."""

    target_class = "people.api.serializers.EmployeeSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["required"] = [
            name for name in schema.get("required", []) if name != "annual_salary"
        ]
        schema["properties"]["annual_salary"]["description"] = "Shown to L&D managers only."
        return schema
