"""Verbinding's domain: workflows, process plans, initiatives and their history.

Nothing under this package imports Flask; the web app, the CLI, the scheduler and the tests all
call the same operations with an explicit session, actor and time.
"""
