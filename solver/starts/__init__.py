"""Start plans for the search.

Greedy list scheduling, squeaky-wheel improvement, warm starts from an earlier plan, candidate owners.
"""
