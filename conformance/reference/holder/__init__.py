"""The one reference wallet's parts, shared by the four wallet entries (conformance/reference/wallet.py,
wallet_vcapi.py, wallet_oid4vp.py, wallet_portability.py).

A real wallet is one program that receives over OpenID4VCI and VC API exchanges, presents over OpenID4VP and
exports what it holds; the suite tests each of those sides as its own `_MODULES` entry, but against the same wallet,
so that they share one store and one holder key as a real wallet would. The parts import downwards only: `store`
(what every part shares), then one client per protocol (`oid4vci`, `vcapi`, `oid4vp`), then `app` (the routes that
put them together); the entries sit on top and only name the wallet's role and its fault switches. That order is what
keeps the package free of import cycles (tests/test_import_cycles.py).
"""
