"""Zelfbeheer: the residents' association takes the result over and keeps it maintained.

* ``roles``       — who manages zelfbeheer (the board and the initiators), read from the
  database; the rules themselves are in engine.permissions;
* ``association`` — register the association: name, KvK number, contact, board, members;
* ``agreement``   — the maintenance agreement with the municipality, and its yearly review;
* ``recurrence``  — RFC 5545 recurrence rules (python-dateutil), built from a friendly form;
* ``wording``     — a rule in words, as translatable messages;
* ``tasks``       — recurring tasks and their occurrences (materialised ahead of time);
* ``rota``        — volunteers take turns; step out; the board swaps or gives turns directly;
* ``swaps``       — a volunteer asks another to swap (or take over) a turn; they answer;
* ``proposals``   — those questions: which are open, and their expiry;
* ``occurrences`` — done or missed, with a note: the log;
* ``sweep``       — the sweeper's ``maintenance`` step (listed in engine.sweeper);
* ``deadlines``   — deadline sources for the reminders and calendar feeds (turns, reviews);
* ``reminders``   — re-plan an initiative's maintenance reminders at once;
* ``queries``     — what the pages show;
* ``demo``        — the Voermanhaven's zelfbeheer in ``verbinding demo``.
"""
