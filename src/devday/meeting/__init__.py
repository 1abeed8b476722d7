"""The team's daily meeting: its agenda, notes, decisions, action items and summary."""
