"""Notifications: people are told what happened, on a page and by mail, by their preference.

An operation records its fact, then calls one function of :mod:`engine.notifications.events`
(or :func:`engine.notifications.fanout.notify` directly) in the same transaction. See
docs/notifications.md.
"""
