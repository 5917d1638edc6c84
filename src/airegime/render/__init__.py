"""Views of a result (text, Markdown, HTML, PDF, JSON). They read results; they never decide."""
