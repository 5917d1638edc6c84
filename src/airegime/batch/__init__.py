"""Assessing a whole inventory of AI systems at once, with the engine's compiled decision tables."""
