"""Every page router, in one list that create_app() includes; a new page adds its line here."""

from __future__ import annotations

from fastapi import APIRouter

from devday.web import pages, settings

ROUTERS: list[APIRouter] = [
    pages.router,
    settings.router,
]
