"""Reproducible benchmarks of capplan: generated backlogs against greedy and PyJobShop, and the STG optima.

Run with `python -m benchmarks` (see docs/benchmarks.md). Kept apart from the tests; nothing in capplan imports it.
"""
