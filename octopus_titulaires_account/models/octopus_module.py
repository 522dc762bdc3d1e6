from odoo import api, fields, models


class OctopusModule(models.Model):
    _inherit = "octopus.module"

    # What the office charges its clients for the module, per year: the
    # product's sales price (its current tariff by default, a markup is just
    # another price) and its taxes, as for anything Odoo sells.
    product_id = fields.Many2one(
        "product.product",
        string="Re-invoicing Product",
        ondelete="restrict",
        copy=False,
        domain=[("type", "=", "service")],
        groups="octopus_titulaires.group_titulaire",
        help="The service invoiced to the clients whose C dossiers run the module; its sales "
        "price is the annual price charged to them, its taxes those of the invoice line.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        modules = super().create(vals_list)
        modules.filtered(lambda module: not module.sudo().product_id)._octopus_create_products()
        return modules

    def _octopus_create_products(self):
        """One service product per module, priced at the module's current
        annual tariff. The product belongs to the module: whoever may create
        a module gets its product, without the right to create products."""
        modules = self.sudo()
        products = self.env["product.product"].sudo().create([{
            "name": module.name,
            "default_code": module.code,
            "type": "service",
            "list_price": module.current_price,
            "sale_ok": True,
            "purchase_ok": False,
        } for module in modules])
        for module, product in zip(modules, products):
            module.product_id = product
