"""Views of a result (Markdown, HTML, PDF, Word, JSON), the decision diagram and the methodology.
They read results; they never decide."""
