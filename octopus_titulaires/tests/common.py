import importlib.util
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from lxml import html

from odoo.addons.mail.tests.common import MailCase
from odoo.modules.module import get_module_path
from odoo.tests import Form, TransactionCase, new_test_user


B_USER_PASSWORD = "holder-secret-1"
# The modules whose words a tour in another language reads.
TOUR_MODULES = ("base", "web", "mail", "portal", "octopus_titulaires")


def import_columns(columns):
    """How an English import message names the columns ``columns`` (the file's
    headers, separated by commas): 'column "vat"', 'columns "login", "client_email"'."""
    names = [f'"{name.strip()}"' for name in columns.split(",")]
    return f"column{'s' if len(names) > 1 else ''} {', '.join(names)}"


def load_migration(version, script):
    """The addon's migration ``script`` (such as ``post-migrate``) of ``version``."""
    path = f"{get_module_path('octopus_titulaires')}/migrations/{version}/{script}.py"
    spec = importlib.util.spec_from_file_location(f"octopus_{script}", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def load_language(env, lang, modules=TOUR_MODULES):
    """Activate ``lang`` with its translations of ``modules``, as installing it does."""
    env["res.lang"]._activate_lang(lang)
    env["ir.module.module"]._load_module_terms(list(modules), [lang], overwrite=True)


def assert_signup_link(case, body_html, user):
    """``body_html`` has one link to the signup page, whose token opens the
    signup of ``user``. A token carries its expiry to the second: the link is
    compared with the user's own without it."""
    links = [urlsplit(href) for href in html.fromstring(body_html).xpath("//a/@href")
             if "/web/signup" in href]
    case.assertEqual(len(links), 1, "one link to choose a password")
    expected = urlsplit(user.partner_id._get_signup_url())
    case.assertEqual(links[0]._replace(query=""), expected._replace(query=""))
    query = parse_qs(links[0].query)
    case.assertEqual(query["db"], [case.env.cr.dbname])
    case.assertEqual(case.env["res.partner"]._get_partner_from_token(query["token"][0]),
                     user.partner_id)


@contextmanager
def signup_tokens_made(env):
    """The ids of the partners a signup token is made for inside the block,
    by this thread or by the test server's: what a link to choose or reset a
    password carries."""
    made = []
    Partner = type(env["res.partner"])
    generate = Partner._generate_signup_token

    def generate_signup_token(partner, *args, **kwargs):
        made.append(partner.id)
        return generate(partner, *args, **kwargs)

    with patch.object(Partner, "_generate_signup_token", generate_signup_token):
        yield made


class OctopusCase(TransactionCase, MailCase):
    """Two offices, their B users, a manager and a plain internal user; the module
    catalogue is the addon's own data (not demo data), with a fresh tariff. The
    offices confirm access changes with each B user's own password (the holder's
    rule is tested in test_holder)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = cls.env["res.company"].create(
            {"name": "Fiduciaire Test", "octopus_b_number": "B00000001",
             "octopus_confirmation": "user"}
        )
        cls.other_office = cls.env["res.company"].create(
            {"name": "Autre Fiduciaire", "octopus_b_number": "B00000002",
             "octopus_confirmation": "user"}
        )
        cls.b_user = new_test_user(
            cls.env,
            login="b_user",
            password=B_USER_PASSWORD,
            email="holder@fiduciaire-test.example.be",
            groups="octopus_titulaires.group_titulaire",
            company_id=cls.office.id,
            company_ids=[(6, 0, cls.office.ids)],
        )
        cls.other_b_user = new_test_user(
            cls.env,
            login="other_b_user",
            groups="octopus_titulaires.group_titulaire",
            company_id=cls.other_office.id,
            company_ids=[(6, 0, cls.other_office.ids)],
        )
        cls.manager = new_test_user(
            cls.env,
            login="octopus_manager",
            groups="octopus_titulaires.group_titulaire_manager",
            company_id=cls.office.id,
            company_ids=[(6, 0, cls.office.ids)],
        )
        cls.plain_user = new_test_user(
            cls.env,
            login="plain_user",
            groups="base.group_user",
            company_id=cls.office.id,
            company_ids=[(6, 0, cls.office.ids)],
        )
        cls.portal_module = cls.env.ref("octopus_titulaires.module_client_portal")
        cls.bank_module = cls.env.ref("octopus_titulaires.module_bank")
        cls.client = cls.env["res.partner"].create(
            {"name": "Boulangerie Test", "is_company": True, "email": "gerant@boulangerie.example.be"}
        )
        cls.Dossier = cls.env["octopus.dossier"].with_company(cls.office)
        cls.ClientUser = cls.env["octopus.client.user"].with_company(cls.office)
        cls.Activation = cls.env["octopus.module.activation"].with_company(cls.office)

    @classmethod
    def _dossier(cls, code, kind="internal", login=False, company=None):
        company = company or cls.office
        return cls.Dossier.with_company(company).create(
            {
                "code": code,
                "name": f"Dossier {code}",
                "partner_id": cls.client.id,
                "kind": kind,
                "company_id": company.id,
                "client_user_id": login and login.id,
            }
        )

    @classmethod
    def _login(cls, kind="K", company=None, **values):
        company = company or cls.office
        return cls.ClientUser.with_company(company).create(
            dict({"kind": kind, "partner_id": cls.client.id, "company_id": company.id}, **values)
        )

    def _confirm_with_password(self, wizard, password=B_USER_PASSWORD):
        """Confirm a dialog as the web client does: the dialog is saved with the
        password typed, then the Confirm button carries it in its context (the
        field is not stored, so nothing else reaches the server)."""
        with Form(wizard) as form:
            form.password = password
        return wizard.with_context(octopus_password=password).action_confirm()

    def _counts(self):
        """What a refused action must leave untouched."""
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in (
                "octopus.dossier",
                "octopus.client.user",
                "octopus.module.activation",
                "octopus.module",
                "octopus.module.tariff",
            )
        }

    @contextmanager
    def assertRefused(self, exception, pattern):
        """Like assertRaisesRegex, inside the savepoint of Odoo's assertRaises, so
        that what the refused call wrote is rolled back as a real request would be."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)

    def _tracked(self, record, field_name):
        self.flush_tracking()
        record.invalidate_recordset(["message_ids"])
        return record.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == field_name
        )
