"""What a policy (contract) says of its claims, as the ``claims`` block of a policy in
mocks/policies.yaml declares it: Cesce's delays on the tenant's clock, which non-payments its
experts analyse, the documents it asks for, and the late-payment interest it indemnifies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from emulator.clock import parse_duration
from emulator.wire import Amount, parse_amount

_DELAYS = ("analysisDelay", "manualAnalysisDelay", "documentDeadline", "validationDelay", "paymentDelay",
           "recoveryPeriod")


@dataclass(frozen=True)
class ClaimsPolicy:
    #: From a declaration to Cesce's automatic cover analysis.
    analysis_delay: timedelta
    #: A non-payment above this amount is analysed by Cesce's experts, which takes longer.
    manual_analysis_above: Amount
    manual_analysis_delay: timedelta
    #: From a document's request to Cesce chasing it (reclamado) when it has not come.
    document_deadline: timedelta
    #: From a document's receipt to its validation.
    validation_delay: timedelta
    #: From a settlement (in progress) to its payment.
    payment_delay: timedelta
    #: From the last payment to the end of recovery, when the dossier closes.
    recovery_period: timedelta
    #: Cesce's own recovery: the share of what is still unpaid (hundredths of a percent) it
    #: recovers from the debtor this long after the dossier opens; 0, none (the default).
    recovery_delay: timedelta
    recovered_share: Amount
    #: Yearly late-payment interest indemnified on the principal, hundredths of a percent.
    interest_rate: Amount
    #: Document types (keys of mocks/codes/claim-document-types.yaml) each non-payment asks for,
    #: and those the first one asks for the dossier as a whole.
    documents: tuple[str, ...]
    dossier_documents: tuple[str, ...]

    @classmethod
    def of(cls, doc: dict) -> ClaimsPolicy:
        block = doc["claims"]
        return _parsed(tuple(sorted((key, tuple(value) if isinstance(value, list) else value)
                                    for key, value in block.items())))


@cache
def _parsed(items: tuple) -> ClaimsPolicy:
    doc = dict(items)
    delays = {key: parse_duration(doc[key]) for key in _DELAYS}
    return ClaimsPolicy(
        analysis_delay=delays["analysisDelay"],
        manual_analysis_above=parse_amount(doc["manualAnalysisAbove"]),
        manual_analysis_delay=delays["manualAnalysisDelay"],
        document_deadline=delays["documentDeadline"],
        validation_delay=delays["validationDelay"],
        payment_delay=delays["paymentDelay"],
        recovery_period=delays["recoveryPeriod"],
        # Optional: a policy kept in a state file from before them recovers nothing on its own.
        recovery_delay=parse_duration(doc.get("recoveryDelay", "P0D")),
        recovered_share=parse_amount(doc.get("recoveredShare", "0,00")),
        interest_rate=parse_amount(doc["interestRate"]),
        documents=tuple(doc["documents"]),
        dossier_documents=tuple(doc.get("dossierDocuments", ())),
    )
