"""Open Badges 3.0 checks, one module per section of the specification; the class rules come from shapes/ob/3.0/classes.toml (classes.py)."""
