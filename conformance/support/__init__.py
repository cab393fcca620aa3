"""Machinery that knows no standard: the guarded HTTP client (net/), bytes to payloads (formats/), pinned artifacts,
the JSON-LD and JSON Schema engines, securing (proofs, JOSE, keys, status lists, trust lists, signing with the test
keys) and exchange (transcripts, the counter-party server, drivers, live-service plumbing). It imports only core;
the standards reach it, never the other way round (the layers contract in pyproject.toml).
"""
