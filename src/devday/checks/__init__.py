"""App checks: scheduled probes of the apps a team built, their results and incidents."""
