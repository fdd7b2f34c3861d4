"""The knowledge engineer's tools: `sscrdf check` and `ontology check` (check), `sscrdf info --usage` (usage).

They apply every stage (reasoning, SHACL, the rule and query parsers) to the knowledge files themselves, so
they come after those stages."""
