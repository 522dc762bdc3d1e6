from typing import NamedTuple

# What Excel and Odoo call an .xlsx file: given with every download and
# attachment so that nobody has to guess it from the bytes.
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The context key of the day the next invoice is seen from, when it is not
# today (an export at a reference date): ``octopus.invoice.line`` reads it.
INVOICE_DATE_KEY = "octopus_invoice_date"
# The context key of an ``AccessConfirmation``.
CONFIRMATION_KEY = "octopus_access_confirmation"


class AccessConfirmation(NamedTuple):
    """Who asked for a change of client access and whose password confirmed
    it (both ``res.users``): the dialogs and the requests to the holder hand it
    to the dossiers' access methods in the context key ``CONFIRMATION_KEY``, so
    that the ledger, the chatter and the grant's mails name both. Only an
    instance counts: a JSON-RPC call may put anything in its context, but not a
    Python object, so that nobody can name somebody else there."""

    requested_by: object
    confirmed_by: object

    def context(self):
        """The context values that hand this confirmation to the access methods."""
        return {CONFIRMATION_KEY: self}


def is_singular(env, count):
    """Whether ``count`` takes the singular in the language of ``env``: French
    says "0 arrêté" and "1 arrêté", English and Dutch the singular for 1 alone.
    A count sentence has a singular and a plural msgid, chosen by this."""
    if (env.lang or "").startswith("fr"):
        return count < 2
    return count == 1


def access_confirmation(env):
    """The ``AccessConfirmation`` of the change running in ``env``, or None."""
    confirmation = env.context.get(CONFIRMATION_KEY)
    return confirmation if isinstance(confirmation, AccessConfirmation) else None


def confirmed_by_another(env):
    """The confirmation of the change running in ``env`` when somebody else
    than the user who asked for it confirmed it (the office holder), or None:
    only then do the chatter and the grant's mails name both."""
    confirmation = access_confirmation(env)
    if confirmation and confirmation.requested_by != confirmation.confirmed_by:
        return confirmation
    return None
