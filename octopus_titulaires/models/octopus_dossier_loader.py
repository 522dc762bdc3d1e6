import re
import unicodedata

from stdnum.be import vat as be_vat

from odoo import api, fields, models
from odoo.tools import email_normalize

from .octopus_client_user import LOGIN_PATTERN
from .octopus_dossier import LOGIN_KIND_BY_DOSSIER_KIND

# Header names recognised for each column, in English, French and Dutch, plus
# the headers of the Excel export's first sheet (normalised: lower case, no
# accents, separators as spaces).
COLUMN_ALIASES = {
    "code": {"code", "code dossier", "dossiercode", "dossier code"},
    "name": {"name", "nom", "naam", "dossier name", "nom du dossier", "dossiernaam"},
    "client": {"client", "klant", "customer"},
    "vat": {"vat", "tva", "btw", "vat number", "numero de tva", "n tva", "btw nummer"},
    "kind": {"kind", "type", "soort"},
    "login": {"login", "identifiant", "gebruiker", "gebruikersnaam", "utilisateur"},
    "client_email": {"client email", "client e mail", "email client", "e mail client",
                     "e mail klant", "email klant", "e mail van de klant", "courriel client"},
    "modules": {"modules", "module"},
}
REQUIRED_COLUMNS = ("code", "name")
KIND_ALIASES = {
    "internal": {"internal", "interne", "intern", "i"},
    "external": {"external", "externe", "extern", "e"},
}
KIND_OF_LOGIN = {letter: kind for kind, letter in LOGIN_KIND_BY_DOSSIER_KIND.items()}
HEADER_SEARCH_ROWS = 10


def normalize(text):
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def cell_text(value):
    """A cell as text: 1001.0 from a spreadsheet is the code 1001."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class OctopusDossierLoader(models.AbstractModel):
    """Business rules of the dossier import: read rows into dossiers, find what
    is wrong with each row, then write them all (or nothing)."""

    _name = "octopus.dossier.loader"
    _description = "Octopus Dossier Loader"

    @api.model
    def _find_header(self, rows):
        """(index of the header row, {column key: cell index}) or raise a UserError-ready
        list of problems."""
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            columns = {}
            for position, cell in enumerate(row):
                name = normalize(cell)
                for key, aliases in COLUMN_ALIASES.items():
                    if name in aliases and key not in columns:
                        columns[key] = position
            if all(key in columns for key in REQUIRED_COLUMNS):
                return index, columns
        return None, {}

    @api.model
    def _read(self, rows):
        """Turn the sheet's rows into (records, problems). Each record is a dict of
        the columns' text plus its spreadsheet row number; each problem is
        (row number, column, message)."""
        header_index, columns = self._find_header(rows)
        if header_index is None:
            return [], [(1, ", ".join(REQUIRED_COLUMNS),
                         self.env._("No header row with the columns code and name was found "
                                    "in the first %(count)s rows.", count=HEADER_SEARCH_ROWS))]
        if "kind" not in columns and "login" not in columns:
            return [], [(header_index + 1, "kind, login",
                         self.env._("The file needs a kind or a login column."))]
        records = []
        for index, row in enumerate(rows[header_index + 1:], start=header_index + 2):
            record = {key: cell_text(row[position]) if position < len(row) else ""
                      for key, position in columns.items()}
            if any(record.values()):
                records.append(dict(record, row=index))
        if not records:
            return [], [(header_index + 2, "code", self.env._("The sheet has no dossier row."))]
        return records, []

    @api.model
    def _plan(self, records, company):
        """Check every record against the database without writing; return the
        list of planned operations and the list of problems (all of them)."""
        problems = []
        Dossier = self.env["octopus.dossier"].with_context(active_test=False)
        existing = {d.code: d for d in Dossier.search([("company_id", "=", company.id),
                                                        ("code", "in", [r["code"] for r in records])])}
        logins = {
            login.login: login
            for login in self.env["octopus.client.user"].sudo().search(
                [("login", "in", [r.get("login", "").upper() for r in records])]
            )
        }
        modules = {m.code: m for m in self.env["octopus.module"].search([])}
        kind_labels = self._kind_labels()
        today = fields.Date.context_today(self)
        seen_codes = {}
        plans = []
        for record in records:
            row_problems = []

            def problem(column, message, row=record["row"]):
                row_problems.append((row, column, message))

            code, name = record.get("code", ""), record.get("name", "")
            if not code:
                problem("code", self.env._("The code is empty."))
            elif code in seen_codes:
                problem("code", self.env._("Code %(code)s already appears on row %(row)s.",
                                           code=code, row=seen_codes[code]))
            else:
                seen_codes[code] = record["row"]
            if not name:
                problem("name", self.env._("The name is empty."))
            login = record.get("login", "").upper()
            if login and not LOGIN_PATTERN.match(login):
                problem("login", self.env._("Login %(login)s is not K or U followed by 8 digits.",
                                            login=login))
            kind = self._kind(record.get("kind", ""), kind_labels)
            if record.get("kind") and not kind:
                problem("kind", self.env._("Unknown kind %(kind)s: use internal or external.",
                                           kind=record["kind"]))
            elif not kind and LOGIN_PATTERN.match(login):
                kind = KIND_OF_LOGIN[login[0]]
            elif not kind:
                problem("kind", self.env._("The kind is empty and no login tells it."))
            if kind and LOGIN_PATTERN.match(login) and KIND_OF_LOGIN[login[0]] != kind:
                problem("login", self.env._(
                    "Login %(login)s does not fit a %(kind)s dossier: K logins are for internal "
                    "dossiers, U logins for external ones.", login=login, kind=kind))
            known_login = logins.get(login)
            if known_login and known_login.company_id != company:
                problem("login", self.env._("Login %(login)s is already used by another office.",
                                            login=login))
            dossier = existing.get(code)
            if dossier and login and dossier.client_user_id and dossier.client_user_id.login != login:
                problem("login", self.env._(
                    "Dossier %(code)s already has the login %(current)s.",
                    code=code, current=dossier.client_user_id.login))
            vat = record.get("vat", "").replace(" ", "").replace(".", "").upper()
            if vat and not be_vat.is_valid(vat):
                problem("vat", self.env._("%(vat)s is not a valid Belgian VAT number.",
                                          vat=record["vat"]))
            email = record.get("client_email", "")
            if email and not email_normalize(email):
                problem("client_email", self.env._("%(email)s is not a valid e-mail address.",
                                                   email=email))
            codes = [c.strip().upper() for c in record.get("modules", "").split(",") if c.strip()]
            unknown = [c for c in codes if c not in modules]
            if unknown:
                problem("modules", self.env._("Unknown module codes: %(codes)s.",
                                              codes=", ".join(unknown)))
            problems.extend(row_problems)
            if not row_problems:
                plans.append({
                    "row": record["row"], "code": code, "name": name, "kind": kind,
                    "client": record.get("client") or name,
                    "vat": "BE" + be_vat.compact(vat) if vat else "",
                    "login": login, "email": email_normalize(email) if email else "",
                    "modules": [modules[c] for c in codes], "dossier": dossier,
                    "known_login": known_login,
                    "running": dossier.activation_ids._running(today).module_id if dossier
                    else self.env["octopus.module"],
                })
        for plan in plans:
            plan["action"] = self._action(plan)
        return plans, problems

    @api.model
    def _kind_labels(self):
        """The kinds' labels in the user's language, as an export writes them."""
        kind_field = self.env["octopus.dossier"]._fields["kind"]
        return {key: normalize(label)
                for key, label in kind_field._description_selection(self.env)}

    @api.model
    def _kind(self, text, kind_labels):
        value = normalize(text)
        if not value:
            return ""
        for key, aliases in KIND_ALIASES.items():
            if value in aliases or value == kind_labels[key]:
                return key
        return False

    @api.model
    def _action(self, plan):
        """create, update or unchanged, as the preview announces it."""
        dossier = plan["dossier"]
        if not dossier:
            return "create"
        running = plan["running"]
        changed = (
            dossier.name != plan["name"]
            or dossier.kind != plan["kind"]
            or (plan["login"] and dossier.client_user_id.login != plan["login"])
            or any(module not in running for module in plan["modules"])
            or normalize(dossier.partner_id.name) != normalize(plan["client"])
        )
        return "update" if changed else "unchanged"

    @api.model
    def _apply(self, plans, company):
        """Write every planned row; the caller holds the transaction (all or nothing).

        Records are created in batches, one per model, so that a list of
        thousands of dossiers goes in one go; the creation is not logged in
        each chatter one by one (the preview said it all).
        """
        plans = [plan for plan in plans if plan["action"] != "unchanged"]
        quiet = {"mail_create_nolog": True, "mail_create_nosubscribe": True}
        partners = self._resolve_partners(plans, company, quiet)
        logins = self._resolve_logins(plans, company, partners, quiet)
        Dossier = self.env["octopus.dossier"].with_context(active_test=False, **quiet)
        new_values, dossiers = [], {}
        for plan in plans:
            values = {"name": plan["name"], "kind": plan["kind"],
                      "partner_id": partners[plan["row"]].id}
            if logins.get(plan["row"]):
                values["client_user_id"] = logins[plan["row"]].id
            if plan["dossier"]:
                plan["dossier"].write(values)
                dossiers[plan["row"]] = plan["dossier"]
            else:
                new_values.append(dict(values, code=plan["code"], company_id=company.id))
        created = iter(Dossier.create(new_values))
        for plan in plans:
            if not plan["dossier"]:
                dossiers[plan["row"]] = next(created)
        today = fields.Date.context_today(self)
        activations = []
        for plan in plans:
            dossier = dossiers[plan["row"]]
            activations.extend(
                {"dossier_id": dossier.id, "module_id": module.id, "date_start": today}
                for module in plan["modules"] if module not in plan["running"]
            )
        self.env["octopus.module.activation"].create(activations)

    @api.model
    def _resolve_partners(self, plans, company, context):
        """{row: partner}: the client found by VAT, else by name, else created."""
        Partner = self.env["res.partner"].with_context(**context)
        vats = {plan["vat"] for plan in plans if plan["vat"]}
        names = {plan["client"] for plan in plans}
        found = Partner.search_fetch(
            ["|", ("company_id", "=", False), ("company_id", "=", company.id),
             "|", ("vat", "in", list(vats)), ("name", "in", list(names))],
            ["name", "vat"], order="id",
        )
        by_vat, by_name = {}, {}
        for partner in found:
            by_vat.setdefault(partner.vat, partner)
            by_name.setdefault(partner.name, partner)
        missing = {}
        for plan in plans:
            if not (plan["vat"] and plan["vat"] in by_vat) and plan["client"] not in by_name:
                missing.setdefault((plan["client"], plan["vat"]), plan)
        new = Partner.create([
            {"name": name, "vat": vat or False, "is_company": True, "company_id": company.id}
            for name, vat in missing
        ])
        for (name, vat), partner in zip(missing, new):
            by_name.setdefault(name, partner)
            if vat:
                by_vat.setdefault(vat, partner)
        return {
            plan["row"]: (plan["vat"] and by_vat.get(plan["vat"])) or by_name[plan["client"]]
            for plan in plans
        }

    @api.model
    def _resolve_logins(self, plans, company, partners, context):
        """{row: login}: the login named in the row, created when it is new."""
        logins = {plan["row"]: plan["known_login"] for plan in plans if plan["known_login"]}
        new_plans = {}
        for plan in plans:
            if plan["login"] and not plan["known_login"]:
                new_plans.setdefault(plan["login"], plan)
        created = self.env["octopus.client.user"].with_context(**context).create([
            {"login": login, "kind": login[0], "company_id": company.id,
             "partner_id": partners[plan["row"]].id, "email": plan["email"] or False}
            for login, plan in new_plans.items()
        ])
        by_login = dict(zip(new_plans, created))
        for plan in plans:
            if plan["login"] and not plan["known_login"]:
                logins[plan["row"]] = by_login[plan["login"]]
        return logins
