"""Calendars: the user's plan as a private ICS feed that any calendar app can subscribe to."""
