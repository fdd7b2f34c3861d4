"""The bundled knowledge: the ontology (its modules, terms and labels), the vocabulary check, `sscrdf docs`."""
