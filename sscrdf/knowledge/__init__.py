"""The bundled knowledge: the ontology, the vocabulary check, `sscrdf check`, `docs` and `usage`."""
