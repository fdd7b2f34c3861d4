"""Rules: the SPARQL CONSTRUCT rules of ``rules/`` run to a fixpoint."""
