"""Conversation on an initiative: its discussion, each decision's, the initiators' thread with
the area's coaches. ``operations`` writes, ``queries`` reads, ``text`` checks what people type.
"""
