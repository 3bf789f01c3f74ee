"""Helpers of the stateful test of the group's rules (tests/engine/test_group_invariants.py).

``world``: one example's database transaction, its people, its clock and its sweeps;
``snapshot``: what the database holds about the initiative after each operation;
``checks``: the invariants, comparing one snapshot with the next;
``rules_*``: the operations the state machine drives, grouped by concern;
``summary``: how many sequences and steps ran (printed at the end of the pytest run).
"""
