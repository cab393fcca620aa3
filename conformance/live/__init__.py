"""Live modules: the flows the suite runs against a service under test, acting as its client.

`run_flows(subject)` runs the flows of the subject's role once and returns the transcript; the checks in
conformance/standards/<std>/ judge it. Modules register their roles in `FLOWS`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from conformance.support.exchange.transcript import Step, Transcript

if TYPE_CHECKING:
    from conformance.run.targets.services import ServiceSubject


def _vcalm(subject: ServiceSubject) -> Transcript:
    from conformance.live.vcalm import run

    return run(subject)


def _vcalm_exchange(subject: ServiceSubject) -> Transcript:
    from conformance.live.vcalm_exchange import run

    return run(subject)


def _obapi(subject: ServiceSubject) -> Transcript:
    from conformance.live.obapi import run

    return run(subject)


def _oid4vci(subject: ServiceSubject) -> Transcript:
    from conformance.live.oid4vci import run

    return run(subject)


def _oid4vp_verifier(subject: ServiceSubject) -> Transcript:
    from conformance.live.oid4vp_verifier import run

    return run(subject)


def _oid4vci_wallet(subject: ServiceSubject) -> Transcript:
    from conformance.live.oid4vci_wallet import run

    return run(subject)


def _vcalm_wallet(subject: ServiceSubject) -> Transcript:
    from conformance.live.vcalm_wallet import run

    return run(subject)


def _oid4vp_wallet(subject: ServiceSubject) -> Transcript:
    from conformance.live.oid4vp_wallet import run

    return run(subject)


def _wallet_portability(subject: ServiceSubject) -> Transcript:
    from conformance.live.wallet_portability import run

    return run(subject)


def _obapi_client(subject: ServiceSubject) -> Transcript:
    from conformance.live.obapi_client import run

    return run(subject)


FLOWS: dict[str, Callable[[ServiceSubject], Transcript]] = {"issuer": _vcalm, "verifier": _vcalm,
                                                            "exchange": _vcalm_exchange, "ob-host": _obapi,
                                                            "clr-host": _obapi,
                                                            "ob-client": _obapi_client,
                                                            "clr-client": _obapi_client,
                                                            "oid4vci-issuer": _oid4vci,
                                                            "oid4vp-verifier": _oid4vp_verifier,
                                                            "oid4vci-wallet": _oid4vci_wallet,
                                                            "oid4vp-wallet": _oid4vp_wallet,
                                                            "vcapi-wallet": _vcalm_wallet,
                                                            "wallet-portability": _wallet_portability}


def run_flows(subject: ServiceSubject) -> Transcript:
    """The role's flows, run once; every secret the run knows by the end is replaced in the whole transcript, so
    the checks, their findings and every report see only placeholders such as "[redacted access token]"."""
    from conformance.run.targets.services import TargetsFileError
    from conformance.support.exchange.budget import FLOW_DEADLINE
    from conformance.support.exchange.transcript import redacted
    from conformance.support.net.secrets import FLOW_SECRETS
    from conformance.support.securing.proofs import ProofError

    secrets = subject.client.secrets
    deadline = subject.budget.deadline() if subject.budget is not None else None
    if deadline is not None and deadline.expired:     # the run's budget is spent: nothing is asked, nothing started
        return Transcript((), out_of_time=deadline.reason)
    token = FLOW_SECRETS.set(secrets)
    limit = FLOW_DEADLINE.set(deadline)
    try:
        transcript = FLOWS[subject.service.role](subject)
    except TargetsFileError as exc:           # e.g. the token variable is not set: nothing could be asked
        transcript = Transcript((), setup_error=str(exc))
    except ProofError as exc:                 # the suite cannot sign its corpus (contexts not in the store)
        transcript = Transcript((), setup_error=f"the suite cannot sign its test corpus: {exc.message}")
    finally:
        FLOW_DEADLINE.reset(limit)
        FLOW_SECRETS.reset(token)
    if deadline is not None and deadline.expired:
        # requests and waits end at the deadline, so a deadline that has passed means a flow was cut short or
        # never started; what the service did answer is kept in the transcript, but judges nothing
        transcript = replace(transcript, out_of_time=deadline.reason)
    return redacted(transcript, secrets)


__all__ = ["FLOWS", "Step", "Transcript", "run_flows"]
