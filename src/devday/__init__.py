"""devday: the self-hosted service that runs a developer's working day, and their team's."""

__version__ = "0.1.0"
