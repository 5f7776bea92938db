"""The prepared problem: a validated request as tasks, pooled resources and clocks; and a solver-side schedule."""
