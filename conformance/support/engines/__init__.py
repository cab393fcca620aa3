"""Adapters from libraries (pyld, jsonschema) to the suite's facts. Engines do the work; checks judge."""
