"""Search: lexicographic solving one objective level at a time, and the neighbourhood search for large backlogs."""
