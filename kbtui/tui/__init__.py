"""The interactive explorer (Textual). Only this package imports Textual;
kbtui.kb stays free of it so one-shot CLI commands stay fast."""
