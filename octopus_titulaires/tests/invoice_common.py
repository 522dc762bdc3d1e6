from datetime import date

from .common import OctopusCase


class InvoiceCase(OctopusCase):
    """An office billed from January, a 1,500 Packet Deal, modules of its own
    (prices that make the proration visible) and one dossier per category."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office.write(
            {"currency_id": cls.env.ref("base.EUR").id, "octopus_packet_deal_fee": 1500.0}
        )
        Module = cls.env["octopus.module"]
        cls.scan = Module.create(
            {"name": "Scan", "code": "SCAN",
             "tariff_ids": [(0, 0, {"date_from": date(2020, 1, 1), "annual_price": 365.0})]}
        )
        cls.api = Module.create(
            {"name": "API", "code": "API",
             "tariff_ids": [(0, 0, {"date_from": date(2020, 1, 1), "annual_price": 100.0}),
                            (0, 0, {"date_from": date(2027, 6, 1), "annual_price": 160.0})]}
        )
        cls.c_dossier = cls._dossier("C100", login=cls._login("K", email="c@client.example.be"))
        cls.b_dossier = cls._dossier("B100", kind="external", login=cls._login("U"))
        cls.a_dossier = cls._dossier("A100")
        cls.reference = date(2026, 11, 28)

    @classmethod
    def _activate(cls, dossier, module, start, end=None):
        return cls.Activation.create(
            {"dossier_id": dossier.id, "module_id": module.id, "date_start": start,
             "date_end": end}
        )

    def _project(self, on_date=None, dossiers=None):
        return self.office._octopus_project_invoice(on_date or self.reference, dossiers)
