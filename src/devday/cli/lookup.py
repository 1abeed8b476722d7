"""Names people type (a team, a project, a teammate's email) turned into the API's ids."""

from __future__ import annotations

from typing import Any

from devday.cli.client import ApiClient, CliError


def team(client: ApiClient, ref: str) -> dict[str, Any]:
    """The caller's team named ``ref`` (any case) or with the id ``ref``."""
    teams: list[dict[str, Any]] = client.get("/api/v1/teams")
    wanted = ref.strip()
    found = [t for t in teams if wanted.isdigit() and t["id"] == int(wanted)]
    found = found or [t for t in teams if t["name"].lower() == wanted.lower()]
    if not found:
        raise CliError(f"no team {ref!r} among yours; see 'devday team list'")
    if len(found) > 1:
        ids = ", ".join(str(t["id"]) for t in found)
        raise CliError(f"several teams are named {ref!r} (ids {ids}); give the id")
    return found[0]


def project_id(client: ApiClient, ref: str) -> int:
    """The id of the project named ``ref`` (any case) or with the id ``ref``."""
    wanted = ref.strip()
    if wanted.isdigit():
        return int(wanted)
    found: list[dict[str, Any]] = client.get("/api/v1/projects", params={"name": wanted})
    if not found:
        raise CliError(f"no project {ref!r}; see 'devday project list' or 'devday project add'")
    if len(found) > 1:
        ids = ", ".join(str(p["id"]) for p in found)
        raise CliError(f"several projects are named {ref!r} (ids {ids}); give the id")
    return int(found[0]["id"])


def member_id(client: ApiClient, me: dict[str, Any], email: str) -> int:
    """The user id of ``email``: the caller, or a member of one of the caller's teams."""
    wanted = email.strip().lower()
    if wanted == str(me["email"]).lower():
        return int(me["id"])
    for each in client.get("/api/v1/teams"):
        for member in client.get(f"/api/v1/teams/{each['id']}/members"):
            if str(member["email"]).lower() == wanted:
                return int(member["user_id"])
    raise CliError(
        f"no one with the email {email!r} in your teams; add them with 'devday team add'"
    )


def project_names(client: ApiClient) -> dict[int, str]:
    projects = client.get("/api/v1/projects", params={"include_archived": "true"})
    return {int(p["id"]): str(p["name"]) for p in projects}
