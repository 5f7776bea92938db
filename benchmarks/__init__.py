"""capplan benchmark suite."""
