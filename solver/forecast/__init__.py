"""Monte Carlo forecast of a chosen plan, followed as a policy with sampled durations (docs/forecast.md).

Pure numpy, vectorised over samples and chunked for memory; nothing is re-solved per sample.
"""

from solver.forecast.outcome import with_forecast

__all__ = ["with_forecast"]
