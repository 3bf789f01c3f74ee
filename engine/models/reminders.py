"""Reminders, preferences and calendar feeds (filled in by the reminders work)."""
