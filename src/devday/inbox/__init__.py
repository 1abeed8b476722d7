"""The inbox: requests to a person or a team, from colleagues, by email and from a help form."""
