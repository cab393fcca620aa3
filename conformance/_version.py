"""The suite's version, in a module that imports nothing, so that any layer may name it (pyproject.toml repeats it)."""
__version__ = "0.1.0"
