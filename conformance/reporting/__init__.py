"""Reports render results; they never re-judge. results.json is the single source for every other format."""
