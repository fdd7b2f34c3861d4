"""Queries: the SPARQL files of ``queries/``, run on the embedded store or a remote endpoint; the query guard."""
