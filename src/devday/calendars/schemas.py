"""What the plan feed's API gives."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PlanFeedRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"enabled": True, "created_at": "2026-11-30T09:00:00Z"}]}
    )

    enabled: bool = Field(description="Whether the feed's address answers")
    created_at: datetime | None = Field(
        default=None, description="When the current address was made (null when off)"
    )


class PlanFeedCreated(PlanFeedRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "enabled": True,
                    "created_at": "2026-11-30T09:00:00Z",
                    "url": "https://devday.example.com/calendar/Zq3...x9.ics",
                }
            ]
        }
    )

    url: str = Field(
        description="The feed's secret address. It is shown only in this answer: subscribe to "
        "it in a calendar app; rotating makes a new one and ends this one."
    )
