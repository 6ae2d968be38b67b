"""Screens of the explorer: the main explorer, the source viewer, help, errors."""
