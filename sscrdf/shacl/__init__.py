"""Validation: SHACL shapes compiled to SPARQL (fast engine) or run on pySHACL, integrity checks, results."""
