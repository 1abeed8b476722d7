from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, EmailStr, Field, ValidationError

from devday.emails import Email


class Theirs(BaseModel):
    email: EmailStr = Field(max_length=254)


class Ours(BaseModel):
    email: Email = Field(max_length=254)


def outcome(model: type[BaseModel], value: Any) -> Any:
    try:
        return model.model_validate({"email": value}).model_dump()
    except ValidationError as exc:
        return exc.errors(include_url=False)


@pytest.mark.parametrize(
    "value",
    ["a@example.com", " Alex@Example.COM ", "Bob <bob@example.com>", "nope", "a@b", "a@@b.com",
     "x" * 250 + "@example.com", "a@example.com\n", "", 3, None],
)  # fmt: skip
def test_it_checks_addresses_as_pydantics_email_str_does(value: Any) -> None:
    assert outcome(Ours, value) == outcome(Theirs, value)


def test_it_documents_addresses_as_email_str_does() -> None:
    assert Ours.model_json_schema()["properties"] == Theirs.model_json_schema()["properties"]
