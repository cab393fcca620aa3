"""The reference wallet tested as an OpenID4VCI wallet (`_MODULES` key "OID4VCI-WALLET"): conformant by default,
with one fault switch per OID4VCI-WALLET requirement. Loopback only: a test fixture and the stand-in
`serve-reference` runs.

The wallet itself is one program shared by the four wallet entries (conformance/reference/holder/: the store and
holder key, one client per protocol, the app with its routes); this entry only names its OpenID4VCI side. Keeping
the parts in a package of their own, below every entry, is what lets the entries share one wallet without importing
one another.
"""
from __future__ import annotations

from conformance.reference.holder.app import serve_wallet
from conformance.reference.holder.oid4vci import FAULTS, Oid4vciHolder
from conformance.reference.holder.store import Store

__all__ = ["FAULTS", "Oid4vciHolder", "Store", "serve", "serve_wallet"]

serve = serve_wallet      # the name every reference module exposes (conformance/reference/__init__.py)
