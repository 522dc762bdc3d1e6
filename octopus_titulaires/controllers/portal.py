from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class OctopusPortal(CustomerPortal):
    """/my/dossiers: the client of a K login sees its own dossiers and their
    modules, after confirming once that its office may manage them."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "octopus_dossier_count" in counters:
            Dossier = request.env["octopus.dossier"]
            values["octopus_dossier_count"] = (
                Dossier.search_count([]) if Dossier.has_access("read") else 0
            )
        return values

    @http.route("/my/dossiers", type="http", auth="user", website=True)
    def portal_my_dossiers(self, **kwargs):
        Dossier = request.env["octopus.dossier"]
        if not Dossier.has_access("read"):
            raise NotFound()
        logins = self._octopus_logins()
        if self._octopus_consent_missing(logins):
            return self._octopus_render_consent(logins)
        values = self._prepare_portal_layout_values()
        values.update(dossiers=Dossier.search([]).sudo(), page_name="octopus_dossiers")
        return request.render("octopus_titulaires.portal_my_dossiers", values)

    @http.route("/my/dossiers/<int:dossier_id>", type="http", auth="user", website=True)
    def portal_my_dossier(self, dossier_id, **kwargs):
        try:
            dossier_sudo = self._document_check_access("octopus.dossier", dossier_id)
        except (AccessError, MissingError):
            # Another client's dossier is not even acknowledged to exist.
            raise NotFound() from None
        logins = self._octopus_logins()
        if self._octopus_consent_missing(logins):
            return self._octopus_render_consent(logins)
        values = self._prepare_portal_layout_values()
        values.update(dossier=dossier_sudo, page_name="octopus_dossier")
        return request.render("octopus_titulaires.portal_my_dossier", values)

    @http.route("/my/dossiers/consent", type="http", auth="user", methods=["POST"],
                website=True)
    def portal_dossiers_consent(self, **kwargs):
        logins = self._octopus_logins()
        if not logins:
            raise NotFound()
        logins.sudo()._record_consent(request.env.user)
        return request.redirect("/my/dossiers")

    def _octopus_logins(self):
        """The active logins of the portal user (record rules keep it to its own)."""
        return request.env["octopus.client.user"].search([("state", "=", "active")])

    def _octopus_consent_missing(self, logins):
        return bool(logins.filtered(lambda login: not login.consent_date))

    def _octopus_render_consent(self, logins):
        values = self._prepare_portal_layout_values()
        values.update(logins=logins.sudo(), page_name="octopus_dossiers")
        return request.render("octopus_titulaires.portal_dossiers_consent", values)
