"""Zelfbeheer: the association's members, the agreement, tasks, rota and log."""
