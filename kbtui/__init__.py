"""kbtui: explore an evidence-backed knowledge base from the terminal."""

__version__ = "0.1.0"
