"""The sales area's business errors (texts in mocks/codes/errors.yaml, under each key)."""

from __future__ import annotations

from emulator.errors import BusinessError, NotFoundError


class BothDebtorIdentifiers(BusinessError):
    """R4: a sale names its debtor by endorsementNo or by customerReference, never both."""

    key = "both_debtor_identifiers"


class MissingDebtorIdentifier(BusinessError):
    key = "missing_debtor_identifier"


class DuplicateSale(BusinessError):
    """R15: same invoiceNo, invoiceDate, maturityDate, debtor and currencyAmount."""

    key = "duplicate_sale"


class UnknownSubsidiary(BusinessError):
    key = "unknown_subsidiary"


class FactoringFieldRequired(BusinessError):
    key = "factoring_field_required"


class AcquisitionDateNotAllowed(BusinessError):
    key = "acquisition_date_not_allowed"


class TaxCodeTransferorNotAllowed(BusinessError):
    key = "tax_code_transferor_not_allowed"


class NonexistentDate(BusinessError):
    key = "nonexistent_date"


class DateBefore(BusinessError):
    key = "date_before"


class DateInFuture(BusinessError):
    key = "date_in_future"


class MissingSaleIdentifier(BusinessError):
    key = "missing_sale_identifier"


class NoSale(NotFoundError):
    key = "no_sale"


class AmbiguousSale(BusinessError):
    key = "ambiguous_sale"


class SaleNotModifiable(BusinessError):
    """Rules 4 and 6: certified, securitised, en trámite, Baja, Prorrogada, pending re-rating."""

    key = "sale_not_modifiable"


class SaleInClaim(BusinessError):
    """Rule 5: the sale's endorsement has a non-payment (claims) dossier."""

    key = "sale_in_claim"


class SaleOutsideWindow(BusinessError):
    """Rule 3: outside the windows of rules 1 and 2, nothing changes."""

    key = "sale_outside_window"


class MaturityFixedInGrace(BusinessError):
    """Rule 2: in the grace days, everything but the maturity date."""

    key = "maturity_fixed_in_grace"


class SaleDateOtherMonth(BusinessError):
    """Rule 7: the invoice or acquisition date moves only within the sale's own month."""

    key = "sale_date_other_month"


class NothingToModify(BusinessError):
    key = "nothing_to_modify"


class SaleNotExtendable(BusinessError):
    key = "sale_not_extendable"


class ExtensionNotLater(BusinessError):
    key = "extension_not_later"


class MaturityAmountTooHigh(BusinessError):
    key = "maturity_amount_too_high"


class SaleNotCollectable(BusinessError):
    key = "sale_not_collectable"


class CollectionTooHigh(BusinessError):
    key = "collection_too_high"


class SaleEventNotAllowed(BusinessError):
    """A Cesce-side event on a sale whose status does not allow it."""

    key = "sale_event_not_allowed"
