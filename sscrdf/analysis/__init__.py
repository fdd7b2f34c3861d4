"""Analysis: the whole flow (load, reason, rules, validate, queries) city by city, in batches."""
