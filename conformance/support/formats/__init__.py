"""Safe decoding of credential payloads: JSON, compact JWS/JWT, baked PNG and SVG, data URLs; SD-JWT and
COSE_Sign1 envelopes are recognized (their structure recorded) but not opened.

This layer turns untrusted bytes into the JSON document of a credential or presentation and
records the container's details. It judges no conformance rule: when bytes cannot be decoded at
all it raises PayloadError with a stable code, and otherwise it reports facts for checks to judge.
"""

from .baking import Baking, PngChunk, SvgBaking
from .data_url import parse_data_url
from .envelopes import CoseSign1, Envelope, SdJwt
from .errors import PAYLOAD_ERROR_CODES, Limits, PayloadError
from .json_text import parse_json, values_at_most
from .jws import Jws, JwtCredential, JwtStyle, credential_from_jws, decode_compact_jws
from .payload import Media, Payload, decode, sniff
from .png import extract_png
from .svg import extract_svg

__all__ = [
    "values_at_most",
    "PAYLOAD_ERROR_CODES",
    "Baking",
    "CoseSign1",
    "Envelope",
    "Jws",
    "JwtCredential",
    "JwtStyle",
    "Limits",
    "Media",
    "Payload",
    "PayloadError",
    "PngChunk",
    "SdJwt",
    "SvgBaking",
    "credential_from_jws",
    "decode",
    "decode_compact_jws",
    "extract_png",
    "extract_svg",
    "parse_data_url",
    "parse_json",
    "sniff",
]
