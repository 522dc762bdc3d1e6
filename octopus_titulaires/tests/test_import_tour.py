import base64

from odoo.tests import HttpCase, new_test_user, tagged

from .test_dossier_import import HEADER, xlsx


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    def test_import_to_its_summary_in_the_browser(self):
        office = self.env["res.company"].create(
            {"name": "Fiduciaire Import", "octopus_b_number": "B00000043",
             "octopus_confirmation": "user"}
        )
        new_test_user(
            self.env, login="import_b_user", groups="octopus_titulaires.group_titulaire",
            company_id=office.id, company_ids=[(6, 0, office.ids)],
        )
        existing = self.env["octopus.dossier"].create({
            "code": "TOUR-I0", "name": "Already there", "company_id": office.id,
            "partner_id": self.env["res.partner"].create({"name": "Client Import"}).id,
        })
        content = xlsx([HEADER] + [
            [f"TOUR-I{index}", f"Dossier Import {index}", "Client Import", "", "internal", "",
             "", ""]
            for index in (1, 2)
        ])
        # Where the tour fetches the file it hands to the upload field.
        attachment = self.env["ir.attachment"].create({
            "name": "dossiers_tour.xlsx", "datas": base64.b64encode(content), "public": True,
        })
        self.env["ir.model.data"].create({
            "module": "octopus_titulaires", "name": "tour_import_file",
            "model": "ir.attachment", "res_id": attachment.id,
        })
        self.start_tour("/odoo", "octopus_import_tour", login="import_b_user", timeout=180)
        imported = self.env["octopus.dossier"].search([("company_id", "=", office.id)])
        self.assertEqual(sorted(imported.mapped("code")), ["TOUR-I0", "TOUR-I1", "TOUR-I2"])
        for dossier in imported - existing:
            self.assertIn("Created by the import of dossiers_tour.xlsx",
                          " ".join(dossier.message_ids.mapped("body")))
        self.assertNotIn("import", " ".join(existing.message_ids.mapped("body")))
