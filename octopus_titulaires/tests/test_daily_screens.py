import base64
import logging
from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import formatLang
from odoo.tools.safe_eval import safe_eval

from .common import OctopusCase

TODAY = date(2026, 11, 17)


class DailyScreensCase(OctopusCase):
    """An office with 3 dossiers in A, 1 in B and 2 in C; the two C dossiers share
    one K login. A dossier of another office is there to be left out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for index in (1, 2, 3):
            cls._dossier(f"OV-A{index}")
        cls._dossier("OV-B1", kind="external")
        cls.login = cls._login("K")
        cls.dossier_c1 = cls._dossier("OV-C1", login=cls.login)
        cls.dossier_c2 = cls._dossier("OV-C2", login=cls.login)
        cls._dossier("OV-X1", company=cls.other_office)

    @classmethod
    def _activate(cls, dossier, module, date_start, date_end=False):
        return cls.Activation.create({
            "dossier_id": dossier.id, "module_id": module.id,
            "date_start": date_start, "date_end": date_end,
        })


@tagged("post_install", "-at_install")
class TestDailyScreens(DailyScreensCase):
    def _filter_domain(self, view_xmlid, filter_name):
        """A search filter's domain as the web client evaluates it today."""
        arch = etree.fromstring(self.env.ref(view_xmlid).arch)
        [node] = arch.xpath(f"//filter[@name='{filter_name}']")
        return safe_eval(node.get("domain"), {
            "context_today": lambda: date.today(), "relativedelta": relativedelta,
        })

    def test_gestion_opens_on_the_dashboard(self):
        dashboard = self.env.ref("octopus_titulaires.octopus_dashboard_action")
        self.assertEqual(self.env.ref("octopus_titulaires.octopus_titulaires_menu_root").action,
                         dashboard)
        self.assertEqual((dashboard.res_model, dashboard.view_mode), ("res.company", "kanban"))

    def test_dashboard_counts_what_its_buttons_open(self):
        with freeze_time(TODAY):
            self._activate(self.dossier_c1, self.bank_module, date(2026, 11, 3))
            self._activate(self.dossier_c1, self.portal_module, date(2026, 1, 1))
            self._activate(self.dossier_c2, self.portal_module, date(2025, 1, 1), date(2026, 11, 10))
            self.office.octopus_packet_deal_fee = 1500
            office = self.office.with_user(self.b_user)
            figures = office.octopus_dashboard
            self.assertEqual(figures["categories"], {"A": 3, "B": 1, "C": 2})
            self.assertEqual(figures["modules"], [
                {"id": self.portal_module.id, "name": self.portal_module.name, "count": 1},
                {"id": self.bank_module.id, "name": self.bank_module.name, "count": 1}])
            self.assertEqual((figures["started"], figures["ended"], figures["without_consent"]),
                             (1, 1, 1))
            invoice = self.office._octopus_project_invoice(TODAY)
            currency = self.office.currency_id
            self.assertEqual(figures["invoice"]["total"],
                             formatLang(self.env, invoice["total"], currency_obj=currency))
            self.assertEqual(figures["invoice"]["packet_deal_fee"],
                             formatLang(self.env, 1500, currency_obj=currency))
            for method, model, expected in (
                ("action_octopus_this_month", "octopus.module.activation", 2),
                ("action_octopus_without_consent", "octopus.client.user", 1),
            ):
                with self.subTest(method=method):
                    action = getattr(office, method)()
                    self.assertEqual(self._opened(action, model), expected)
            for category in ("A", "B", "C"):
                with self.subTest(category=category):
                    action = office.with_context(octopus_category=category).action_octopus_category()
                    self.assertEqual(self._opened(action, "octopus.dossier"),
                                     figures["categories"][category])

    def test_other_users_read_the_office_without_its_dashboard(self):
        for user in (self.plain_user, new_test_user(self.env, login="dash_portal",
                                                     groups="base.group_portal")):
            with self.subTest(user=user.login):
                office = user.company_id.with_user(user)
                # What the web client reads of the office: the fields the user
                # is given (reading them all would also meet the fields that
                # other addons, such as Invoicing, keep for their own groups).
                self.assertNotIn("octopus_dashboard", office.fields_get())
                with self.assertRaises(AccessError):
                    office.read(["octopus_dashboard"])
                self.assertEqual(office.read(["name"])[0]["name"], user.company_id.name)

    def _opened(self, action, model):
        """How many records the action's list shows with its default filters."""
        context = action["context"]
        views = {"octopus.dossier": "octopus_titulaires.octopus_dossier_view_search",
                 "octopus.module.activation": "octopus_titulaires.octopus_module_activation_view_search",
                 "octopus.client.user": "octopus_titulaires.octopus_client_user_view_search"}
        domain = list(action["domain"])
        filters = [key.removeprefix("search_default_") for key in context
                   if key.startswith("search_default_")]
        # Filters of one group are OR-ed by the web client.
        domain += expression.OR([self._filter_domain(views[model], name) for name in filters])
        return self.env[model].with_user(self.b_user).search_count(domain)

    def test_reporting_menus_are_for_b_users_only(self):
        reporting = self.env.ref("octopus_titulaires.octopus_titulaires_menu_reporting")
        visible = self.env["ir.ui.menu"].with_user(self.b_user)._visible_menu_ids()
        self.assertIn(reporting.id, visible)
        self.assertTrue(set(reporting.child_id.ids) <= visible)
        hidden = self.env["ir.ui.menu"].with_user(self.plain_user)._visible_menu_ids()
        self.assertNotIn(reporting.id, hidden)

    def test_menus_and_their_actions_have_the_same_name(self):
        menus = self.env["ir.ui.menu"].search(
            [("id", "child_of", self.env.ref("octopus_titulaires.octopus_titulaires_menu_root").id),
             ("action", "!=", False), ("parent_id", "!=", False)]
        )
        self.assertGreater(len(menus), 8)
        for menu in menus:
            with self.subTest(menu=menu.complete_name):
                self.assertEqual(menu.name, menu.action.name)

    def test_started_or_ended_this_month(self):
        with freeze_time(TODAY):
            started = self._activate(self.dossier_c1, self.bank_module, date(2026, 11, 1))
            ended = self._activate(self.dossier_c2, self.bank_module, date(2025, 3, 1),
                                   date(2026, 11, 17))
            self._activate(self.dossier_c1, self.portal_module, date(2026, 10, 31))
            self._activate(self.dossier_c2, self.portal_module, date(2025, 3, 1),
                           date(2026, 10, 31))
            self._activate(self.dossier_c2, self.portal_module, date(2026, 12, 1))
            view = "octopus_titulaires.octopus_module_activation_view_search"
            Activation = self.Activation.with_user(self.b_user)
            self.assertEqual(
                Activation.search(self._filter_domain(view, "started_this_month")), started)
            self.assertEqual(
                Activation.search(self._filter_domain(view, "ended_this_month")), ended)
        action = self.env.ref("octopus_titulaires.octopus_module_activation_action_this_month")
        self.assertEqual(
            safe_eval(action.context),
            {"search_default_started_this_month": 1, "search_default_ended_this_month": 1},
        )

    def test_logins_without_consent_are_the_active_ones_never_confirmed(self):
        confirmed = self._login("K", consent_date="2026-01-05 10:00:00")
        revoked = self._login("K", state="revoked")
        domain = self._filter_domain(
            "octopus_titulaires.octopus_client_user_view_search", "without_consent")
        found = self.ClientUser.with_user(self.b_user).search(domain)
        self.assertIn(self.login, found)
        self.assertNotIn(confirmed, found)
        self.assertNotIn(revoked, found)


@tagged("post_install", "-at_install")
class TestDailyScreensInTheBrowser(HttpCase, DailyScreensCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        cls._activate(cls.dossier_c1, cls.portal_module, today)
        cls._activate(cls.dossier_c1, cls.bank_module, today)
        cls._activate(cls.dossier_c2, cls.portal_module, today)

    def _tour(self, url, name, login="b_user"):
        """Run a tour and fail on the web client's warnings too: it only warns about
        a widget it does not know (and falls back to the default one). The browser's
        other lines stay in the log, "tour succeeded" included."""
        warnings = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = warnings.append
        browser_logger = logging.getLogger(
            f"{type(self).__module__}.{type(self).__name__}.{self._testMethodName}.browser")
        browser_logger.addHandler(handler)
        try:
            self.start_tour(url, name, login=login, timeout=180)
        finally:
            browser_logger.removeHandler(handler)
        self.assertEqual([record.getMessage() for record in warnings], [])

    def test_overview_count_opens_the_filtered_dossier_list(self):
        self.assertEqual(
            self.env["octopus.dossier"].with_user(self.b_user).search_count(
                [("access_category", "=", "C")]), 2)
        self._tour("/odoo/octopus-overview", "octopus_overview_tour")

    def test_dashboard_opens_the_filtered_dossier_list(self):
        self.office.octopus_packet_deal_fee = 1500
        self._tour("/odoo", "octopus_dashboard_tour")

    def test_dossier_form_smart_buttons(self):
        self._tour("/odoo/octopus-dossiers", "octopus_dossier_form_tour")

    def test_action_paths_load_the_actions(self):
        self.authenticate("b_user", "b_user")
        for path, xmlid in (
            ("octopus-overview", "octopus_dossier_action_overview"),
            ("octopus-dossiers", "octopus_dossier_action"),
            ("octopus-logins-without-consent", "octopus_client_user_action_without_consent"),
            ("octopus-modules-this-month", "octopus_module_activation_action_this_month"),
            ("octopus-billing-summaries", "octopus_billing_summary_action"),
        ):
            with self.subTest(path=path):
                action = self.make_jsonrpc_request("/web/action/load", {"action_id": path})
                self.assertEqual(action["id"], self.env.ref(f"octopus_titulaires.{xmlid}").id)

    def test_billing_summary_names_its_month_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.b_user.lang = "fr_BE"
        summary = self.env["octopus.billing.summary"].create({
            "company_id": self.office.id, "date_from": "2026-11-01", "date_to": "2026-11-30",
            "packet_deal_fee": 1500, "amount_modules": 240, "amount_total": 1740,
        })
        summary.attachment_id = self.env["ir.attachment"].create({
            "name": "octopus_billing_2026_11.xlsx", "datas": base64.b64encode(b"xlsx"),
            "res_model": summary._name, "res_id": summary.id,
        })
        self._tour("/odoo/octopus-billing-summaries", "octopus_billing_summary_tour")

    def test_portal_card_has_a_pictogram_and_the_count(self):
        portal_user = new_test_user(self.env, login="ov_portal", groups="base.group_portal")
        self.login.user_id = portal_user
        icon = self.url_open("/octopus_titulaires/static/src/img/dossiers.svg")
        self.assertEqual(icon.status_code, 200)
        svg = etree.fromstring(icon.content)
        self.assertEqual((svg.get("width"), svg.get("height")), ("64", "64"))
        self._tour("/my", "octopus_portal_card_tour", login="ov_portal")


@tagged("post_install", "-at_install")
class TestHomeAction(OctopusCase):
    def test_a_b_user_lands_on_the_dashboard_unless_it_has_a_home_of_its_own(self):
        dashboard = self.env.ref("octopus_titulaires.octopus_dashboard_action")
        self.assertEqual(self.b_user.action_id.id, dashboard.id)
        self.assertFalse(self.plain_user.action_id)
        own = self.env.ref("octopus_titulaires.octopus_dossier_action")
        user = new_test_user(self.env, login="home_b_user", action_id=own.id,
                             groups="octopus_titulaires.group_titulaire")
        self.assertEqual(user.action_id.id, own.id, "a home chosen for the user is kept")

    def test_joining_or_leaving_the_group_moves_the_home(self):
        dashboard = self.env.ref("octopus_titulaires.octopus_dashboard_action")
        group = self.env.ref("octopus_titulaires.group_titulaire")
        user = self.plain_user
        user.write({"groups_id": [(4, group.id)]})
        self.assertEqual(user.action_id.id, dashboard.id)
        user.write({"groups_id": [(3, group.id)]})
        self.assertFalse(user.action_id)
