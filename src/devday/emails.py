"""Email addresses in schemas: pydantic's ``EmailStr``, imported lazily.

``EmailStr`` imports email-validator (whose import compiles large regexes) when a model using it
is defined; ``Email`` is the same type except that it leaves the import to pydantic's
``validate_email`` on the first address checked, so that importing the account and team schemas
(every CLI command does) costs nothing. Values, errors and JSON schema are ``EmailStr``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    Email = str
else:
    from pydantic import EmailStr
    from pydantic_core import core_schema

    class Email(EmailStr):
        @classmethod
        def __get_pydantic_core_schema__(
            cls, _source: type[Any], _handler: Any
        ) -> core_schema.CoreSchema:
            # EmailStr's own schema, without its import_email_validator() call
            return core_schema.no_info_after_validator_function(
                cls._validate, core_schema.str_schema()
            )
