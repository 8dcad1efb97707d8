"""The OpenAPI schema at /api/openapi.json and Swagger UI at /api/docs: behind login, from our
own static files, under our Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_lists_every_endpoint_with_its_parameters(client, bearer):
    response = client.get(reverse("api:openapi-json"), headers=bearer)

    schema = response.json()
    assert response.status_code == 200
    assert schema["info"]["title"] == "salesopt API"
    assert schema["info"]["version"] == "1"
    assert "Authorization: Bearer <token>" in schema["info"]["description"]
    assert "create_api_token" in schema["info"]["description"]
    assert set(schema["paths"]) == {
        "/api/kpis/", "/api/plan/", "/api/plan/goals/", "/api/plan/measures/", "/api/leads/",
        "/api/execution/plan/", "/api/execution/table-2/", "/api/execution/table-3/",
        "/api/execution/kickoff/", "/api/execution/reviews/",
    }  # fmt: skip
    parameters = schema["paths"]["/api/kpis/"]["get"]["parameters"]
    assert {parameter["name"]: parameter["required"] for parameter in parameters} == {
        "metric": True, "grain": False, "by": False, "from": False, "to": False,
    }  # fmt: skip
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "BrowserSession"}


def test_the_schema_documents_goal_status_and_the_error_shape(client, manager):
    client.force_login(manager)

    schema = client.get(reverse("api:openapi-json")).json()

    components = schema["components"]["schemas"]
    assert "status" in components["GoalOut"]["properties"]
    assert set(components["BaselineOut"]["properties"]) == {"from", "to", "value"}
    assert components["ErrorOut"]["required"] == ["error"]
    responses = schema["paths"]["/api/plan/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(responses)


def test_the_schema_needs_a_reader(client):
    response = client.get(reverse("api:openapi-json"))

    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}


def test_the_docs_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("api:openapi-view"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_docs_page_loads_swagger_ui_from_our_static_files_only(client, manager):
    client.force_login(manager)

    response = client.get(reverse("api:openapi-view"))

    page = response.content.decode()
    sources = re.findall(r"<(?:script|link)[^>]*\b(?:src|href)=[\"']([^\"']+)", page)
    assert response.status_code == 200
    assert "https://" not in page and "http://" not in page
    assert sorted(sources) == [
        "/static/ninja/favicon.png", "/static/ninja/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js",
        "/static/ninja/swagger-ui.css",
    ]  # fmt: skip


def test_the_docs_page_runs_no_inline_script_under_a_strict_policy(client, manager):
    """Scripts come from our files only; the one inline block is JSON data, never run."""
    client.force_login(manager)

    response = client.get(reverse("api:openapi-view"))

    policy = response["Content-Security-Policy"]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert inline == [' type="application/json" id="swagger-settings"']
    assert '"validatorUrl": null' in response.content.decode()
