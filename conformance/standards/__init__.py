"""Code that enforces requirements, one folder per standard and version (mirrors shapes/ and vectors/).

Each folder's `__init__.py` says how the standard recognises its documents (`@detects`) and which documents it
embeds (`@embeds`); `checks.py` holds one `@check` per requirement of its catalog.
"""
