from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal, pager as portal_pager


class OctopusPortal(CustomerPortal):
    """/my/dossiers: the client of a K login sees its own dossiers and their
    modules, after confirming once that its office may manage them.

    Everything here starts from the logins whose portal user is the visitor,
    never from what record rules let the visitor read: an office user (who reads
    every dossier of its office) is no client and gets a 404."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "octopus_dossier_count" in counters:
            logins = self._octopus_logins()
            values["octopus_dossier_count"] = (
                request.env["octopus.dossier"].sudo().search_count(
                    self._prepare_octopus_dossiers_domain(logins)
                )
                if logins
                else 0
            )
        return values

    def _octopus_logins(self):
        """The active logins of which the visitor is the portal user."""
        user = request.env.user
        if not user._is_portal():
            return request.env["octopus.client.user"]
        return request.env["octopus.client.user"].sudo().search(
            [("user_id", "=", user.id), ("state", "=", "active")]
        )

    def _prepare_octopus_dossiers_domain(self, logins):
        return [("client_user_id", "in", logins.ids)]

    def _prepare_octopus_searchbar_sortings(self):
        # Grouped by client first: one person may see the dossiers of several
        # of its companies.
        return {
            "code": {"label": request.env._("Code"), "order": "partner_id, code, id"},
            "name": {"label": request.env._("Name"), "order": "partner_id, name, id"},
        }

    def _octopus_logins_or_404(self):
        logins = self._octopus_logins()
        if not logins:
            raise NotFound()
        return logins

    @http.route(
        ["/my/dossiers", "/my/dossiers/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_dossiers(self, page=1, sortby=None, **kwargs):
        logins = self._octopus_logins_or_404()
        if self._octopus_consent_missing(logins):
            return self._octopus_render_consent(logins)
        Dossier = request.env["octopus.dossier"].sudo()
        domain = self._prepare_octopus_dossiers_domain(logins)
        sortings = self._prepare_octopus_searchbar_sortings()
        sortby = sortby if sortby in sortings else "code"
        pager = portal_pager(
            url="/my/dossiers",
            url_args={"sortby": sortby},
            total=Dossier.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        dossiers = Dossier.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            dossiers=dossiers,
            pager=pager,
            searchbar_sortings=sortings,
            sortby=sortby,
            default_url="/my/dossiers",
            page_name="octopus_dossiers",
        )
        return request.render("octopus_titulaires.portal_my_dossiers", values)

    @http.route("/my/dossiers/<int:dossier_id>", type="http", auth="user", website=True)
    def portal_my_dossier(self, dossier_id, **kwargs):
        logins = self._octopus_logins_or_404()
        dossier = request.env["octopus.dossier"].sudo().search(
            [("id", "=", dossier_id), *self._prepare_octopus_dossiers_domain(logins)]
        )
        if not dossier:
            # Another client's dossier is not even acknowledged to exist.
            raise NotFound()
        if self._octopus_consent_missing(logins):
            return self._octopus_render_consent(logins)
        values = self._prepare_portal_layout_values()
        values.update(dossier=dossier, page_name="octopus_dossier")
        return request.render("octopus_titulaires.portal_my_dossier", values)

    @http.route("/my/dossiers/consent", type="http", auth="user", methods=["POST"],
                website=True)
    def portal_dossiers_consent(self, **kwargs):
        self._octopus_logins_or_404()._record_consent(request.env.user)
        return request.redirect("/my/dossiers")

    def _octopus_consent_missing(self, logins):
        return bool(logins.filtered(lambda login: not login.consent_date))

    def _octopus_render_consent(self, logins):
        values = self._prepare_portal_layout_values()
        values.update(logins=logins, page_name="octopus_dossiers")
        return request.render("octopus_titulaires.portal_dossiers_consent", values)
