"""The one error type this layer raises, and the limits that bound its work."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PAYLOAD_ERROR_CODES", "Limits", "PayloadError"]

# Codes are a stable contract with the checks and the reports: add new ones, never rename.
PAYLOAD_ERROR_CODES: frozenset[str] = frozenset(
    {
        "too-large",
        "not-utf8",
        "json-syntax",
        "json-too-deep",
        "json-not-object",
        "jws-malformed",
        "png-malformed",
        "png-no-credential",
        "svg-malformed",
        "svg-entity-refused",  # the suite's refusal to expand XML entities, not the SVG's defect
        "svg-no-credential",
        "data-url-malformed",
        "cose-malformed",  # CBOR tag 18 announces a COSE_Sign1, and the structure after it is not one
        "unknown-format",
    }
)


class PayloadError(Exception):
    """The bytes cannot be decoded into a document at all."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        # Not checked against PAYLOAD_ERROR_CODES: that set lists what this layer raises, and
        # callers wrapping their own read failures (the runner's "unreadable") reuse this type.
        # Both go into args so the exception survives pickling (pytest-xdist, multiprocessing).
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"PayloadError({self.code!r}, {self.message!r})"


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    max_jws_bytes: int = 4 * 1024 * 1024
    max_containers: int = 1_000_000       # JSON objects and arrays in one text (bounds decoded memory)

    def __post_init__(self) -> None:
        # A bad limit is a configuration mistake; catching it here keeps it from surfacing later
        # as a confusing verdict about some input.
        for field_name in ("max_bytes", "max_depth", "max_jws_bytes", "max_containers"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Limits.{field_name} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"Limits.{field_name} must not be negative, got {value}")


def too_large(size: int, limit: int, what: str = "the input", unit: str = "bytes") -> PayloadError:
    return PayloadError("too-large", f"{what} is {size:,} {unit}; the limit is {limit:,} bytes")


def as_bytes(data: object) -> bytes:
    """Accept the byte-ish types callers hand us; str is taken as its UTF-8 encoding.

    `surrogatepass` keeps a str holding lone surrogates from raising here: the decoders downstream
    then see bytes that are not valid UTF-8 and say so with a proper PayloadError.
    """
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    raise TypeError(f"expected bytes or str, not {type(data).__name__}")


def check_size(data: bytes | str, limits: Limits) -> None:
    # For str the character count is a lower bound of the UTF-8 size, so this early test never
    # rejects something that fits; the byte size is tested again once it is encoded.
    if len(data) > limits.max_bytes:
        unit = "characters" if isinstance(data, str) else "bytes"
        raise too_large(len(data), limits.max_bytes, unit=unit)
