"""``UTCDateTime`` on SQLite: the one-step read gives the instant the general path gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from devday.db import UTCDateTime, _utc_from_sqlite


def general(value: str) -> datetime | None:
    """What SQLAlchemy's SQLite DATETIME and ``process_result_value`` make of ``value``."""
    return UTCDateTime().process_result_value(datetime.fromisoformat(value), None)


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-05 11:56:27.867758",  # as SQLAlchemy writes them
        "2026-12-05 11:56:27.000000",
        "2026-12-05 11:56:27",  # CURRENT_TIMESTAMP
        "2026-12-05",
        "2026-12-05T11:56:27.867758",
        "2026-12-05 11:56:27.867+01:00",
        "2026-12-05 11:56:27.86+01:00",  # 26 characters, with an offset
        "2026-12-05T11:56:27Z",
    ],
)
def test_it_reads_each_stored_text_as_the_general_path_does(stored: str) -> None:
    fast = _utc_from_sqlite(stored)
    assert fast == general(stored)
    assert fast is not None and fast.tzinfo is UTC


@pytest.mark.parametrize("stored", ["2026-12-05 11:56:27.8677xx", "not a time"])
def test_it_refuses_what_the_general_path_refuses(stored: str) -> None:
    with pytest.raises(ValueError):
        general(stored)
    with pytest.raises(ValueError):
        _utc_from_sqlite(stored)


def test_it_reads_null_as_none() -> None:
    assert _utc_from_sqlite(None) is None


def test_it_reads_back_what_it_stored_as_utc() -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime())
    )
    berlin = timezone(timedelta(hours=1))
    moments = [
        datetime(2026, 12, 5, 12, 56, 27, 867758, tzinfo=berlin),
        datetime(2026, 12, 5, 11, 0, tzinfo=UTC),
        None,
    ]
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(insert(table), [{"at": m} for m in moments])
        stored = connection.execute(text("SELECT at FROM t ORDER BY id")).scalars().all()
        read = connection.execute(select(table.c.at).order_by(table.c.id)).scalars().all()
    assert stored[:2] == ["2026-12-05 11:56:27.867758", "2026-12-05 11:00:00.000000"]
    assert read == moments
    assert [m.tzinfo for m in read if m is not None] == [UTC, UTC]
