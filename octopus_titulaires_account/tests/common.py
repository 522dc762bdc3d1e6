from odoo.addons.octopus_titulaires.tests.invoice_common import InvoiceCase


def setup_reinvoicing(env, office):
    """Give ``office`` a chart of accounts and have it re-invoice every
    quarter, in euros, through its sales journal."""
    env["account.chart.template"].try_loading("generic_coa", office, install_demo=False)
    office.write({
        "currency_id": env.ref("base.EUR").id,
        "octopus_reinvoice": True,
        "octopus_reinvoice_rhythm": "quarter",
        "octopus_reinvoice_journal_id": env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", office.id)], limit=1).id,
    })


class ReinvoiceCase(InvoiceCase):
    """The invoice case's office, with a chart of accounts, re-invoicing every
    quarter through its sales journal, and its B user allowed to invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_reinvoicing(cls.env, cls.office)
        setup_reinvoicing(cls.env, cls.other_office)
        cls.b_user.groups_id |= cls.env.ref("account.group_account_invoice")
        cls.other_b_user.groups_id |= cls.env.ref("account.group_account_invoice")

    def _moves(self, office=None):
        return self.env["account.move"].search(
            [("company_id", "=", (office or self.office).id), ("move_type", "=", "out_invoice")])

    def _wizard(self, user=None, **values):
        Wizard = self.env["octopus.reinvoice"].with_user(user or self.b_user)
        return Wizard.with_company(self.office).create(dict({"company_id": self.office.id},
                                                            **values))
