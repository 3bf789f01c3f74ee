"""Meetings with the neighbourhood and residents who support the plan (draagvlak).

``operations`` plans, changes and cancels meetings, records answers and sends the group's
message to those going; ``supporters`` records support for the plan; ``queries`` reads what
the pages show; ``deadlines`` gives the reminders and the calendar feeds their meetings.
"""
