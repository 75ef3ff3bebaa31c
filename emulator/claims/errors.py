"""The claims area's business errors (texts in mocks/codes/errors.yaml, under each key)."""

from __future__ import annotations

from emulator.errors import BusinessError, NotFoundError


class NoDossier(NotFoundError):
    key = "no_dossier"


class NoNonPayment(NotFoundError):
    key = "no_non_payment"


class NoSettlement(NotFoundError):
    key = "no_settlement"


class NoDocument(NotFoundError):
    key = "no_document"


class SaleNotClaimable(BusinessError):
    """Only a sale Cesce rated (and did not take off or extend) is covered."""

    key = "sale_not_claimable"


class SaleCollected(BusinessError):
    key = "sale_collected"


class SaleNotDue(BusinessError):
    key = "sale_not_due"


class UnpaidTooHigh(BusinessError):
    key = "unpaid_too_high"


class UnpaidNotPositive(BusinessError):
    key = "unpaid_not_positive"


class DossierOfAnotherDebtor(BusinessError):
    """The dossierNo of the path is not the one of the sale's debtor (0 when it has none)."""

    key = "dossier_of_another_debtor"


class DocumentNotAwaited(BusinessError):
    key = "document_not_awaited"


class EmptyDocument(BusinessError):
    key = "empty_document"


class ClaimEventNotAllowed(BusinessError):
    """A Cesce-side event on a record whose state does not allow it."""

    key = "claim_event_not_allowed"


class RecoveryTooHigh(BusinessError):
    key = "recovery_too_high"
