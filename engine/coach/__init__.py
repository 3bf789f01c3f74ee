"""The coach's side: caseload, health signals, city overview, CSV, notes, concerns, roles.

Modules: ``caseload`` and ``caseload_sql`` (the filtered, paged list in one statement),
``health`` (the one definition of stalled, overdue, respond-by and maintenance signals),
``overview`` (city statistics), ``export`` (CSV), ``queries`` (what the pages read), ``actions``
(operations: assignments, notes, concerns, roles), ``stages`` (template facts), ``common``
(shared helpers).
"""
