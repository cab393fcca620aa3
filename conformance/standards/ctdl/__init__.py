"""Credential Registry publications in CTDL and CTDL-ASN, one package per concern: core (documents, identifiers,
vocabulary, privacy; prefix CTDL), minimum data per policy version, references, pathways, and the links from Open
Badges and CLR credentials to Registry data. The facts they judge come from conformance/ctdl/."""
