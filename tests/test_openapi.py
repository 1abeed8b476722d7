from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_it_documents_every_endpoint_with_a_description_and_an_example(
    client: TestClient, app: FastAPI
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def has_example(ref: dict) -> bool:
        if ref.get("examples") or ref.get("example"):
            return True
        if "$ref" in ref:
            schema = schemas[ref["$ref"].rsplit("/", 1)[1]]
            return bool(schema.get("examples"))
        if ref.get("type") == "array":
            return has_example(ref["items"])
        return False

    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            if not operation.get("description"):
                missing.append(f"{name}: description")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and not (body.get("examples") or has_example(body["schema"])):
                missing.append(f"{name}: request example")
            ok = next((r for code, r in operation["responses"].items() if code.startswith("2")), {})
            content = ok.get("content", {}).get("application/json")
            if content and not (content.get("example") or has_example(content.get("schema", {}))):
                missing.append(f"{name}: response example")
    assert missing == []
    assert len(spec["paths"]) >= 10
