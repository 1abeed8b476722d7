"""The header by which the CLI's local API (in process, or its resident server) names the
account it acts for; an app honours it only when built with ``trust_local_user``. A module of
its own, so that the CLI names it without importing the account service."""

LOCAL_USER_HEADER = "X-Devday-Local-User"
