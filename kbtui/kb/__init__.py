"""The knowledge-base layer: storage, search, anchoring, import, checks.

Nothing under kbtui.kb may import Textual (a test enforces it), so one-shot
commands and scripts stay fast and the layer can be used on its own.
"""
