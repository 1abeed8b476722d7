from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from devday.account import service
from devday.account.schemas import UserCreate
from devday.errors import Unauthorized


def test_it_names_the_local_user_by_email_in_any_case(engine: Engine) -> None:
    with Session(engine) as session:
        data = UserCreate(email="Alex@Example.com", name="Alex", password="correct horse battery")
        made = service.create_user(session=session, data=data)
        session.commit()
        assert service.local_user(session=session, email="ALEX@example.com").id == made.id
        with pytest.raises(Unauthorized, match=r"no local account uses sam@example\.com"):
            service.local_user(session=session, email="sam@example.com")
