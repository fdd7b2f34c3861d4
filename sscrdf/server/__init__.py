"""Serving: the bounded SPARQL 1.1 Protocol endpoint and the store client."""
