"""Reasoning: the OWL 2 RL closure (fast and owlrl) and the knowledge store built from it."""
