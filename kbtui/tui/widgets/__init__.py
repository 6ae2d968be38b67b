"""Widgets of the explorer, one module each."""
