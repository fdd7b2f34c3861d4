"""Rendering: text, Markdown, JSON, RDF and HTML reports of validation and analysis."""
