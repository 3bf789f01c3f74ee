"""The coach's side: caseload, health signals, city overview, CSV, notes, concerns, roles.

Modules: ``caseload`` (the filtered, paged list), ``health`` (signals with reasons), ``overview``
(city statistics), ``export`` (CSV), ``queries`` (what the pages read), ``actions`` (operations:
assignments, notes, concerns, roles), ``stages`` (template facts), ``common`` (shared helpers).
"""
