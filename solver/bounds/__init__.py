"""Objective values and bounds without a CP-SAT model.

A schedule's level values, earliest finishes on an empty team, and the finish windows a start plan proves.
"""
