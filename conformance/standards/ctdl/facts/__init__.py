"""CTDL and CTDL-ASN publications as the Credential Registry holds them: loading, the pinned vocabulary, and the
graph algorithms the CTDL checks use (identifiers, minimum data, references, pathways). Facts only: the judging
lives in conformance/standards/ctdl/."""
