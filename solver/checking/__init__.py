"""The independent schedule checker's parts: its own calendar, time arithmetic and one module per rule group.

Nothing here imports the planning model, so a mistake in the model cannot hide from the checker.
The public entry point is `solver.checker.check_schedule`.
"""
