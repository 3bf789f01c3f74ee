"""Zelfbeheer: the residents' association takes the result over and keeps it maintained.

* ``association`` — register the association: name, KvK number, contact, board, members;
* ``agreement``   — the maintenance agreement with the municipality, and its yearly review;
* ``recurrence``  — RFC 5545 recurrence rules (python-dateutil), built from a friendly form;
* ``wording``     — a rule in words, as translatable messages;
* ``tasks``       — recurring tasks and their occurrences (materialised ahead of time);
* ``rota``        — volunteers take turns; swap, skip, step out;
* ``occurrences`` — done or missed, with a note: the log;
* ``sweep``       — the sweeper's ``maintenance`` step (listed in engine.sweeper);
* ``deadlines``   — deadline sources for the reminders and calendar feeds (turns, reviews);
* ``reminders``   — re-plan an initiative's maintenance reminders at once;
* ``queries``     — what the pages show;
* ``demo``        — the Voermanhaven's zelfbeheer in ``verbinding demo``.
"""
