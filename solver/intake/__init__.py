"""Request intake: cross-field validation, size limits and the error that carries every problem found."""
