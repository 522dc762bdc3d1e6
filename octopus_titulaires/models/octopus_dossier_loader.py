import re
import unicodedata

from psycopg2 import IntegrityError
from stdnum.be import vat as be_vat

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .octopus_client_user import LOGIN_PATTERN, normalized_email
from .octopus_dossier import LOGIN_KIND_BY_DOSSIER_KIND, TEXT_MAX_LENGTH

# Header names recognised for each column, in English, French and Dutch, plus
# the headers of the Excel export's first sheet (normalised: lower case, no
# accents, separators as spaces).
COLUMN_ALIASES = {
    "code": {"code", "code dossier", "dossiercode", "dossier code"},
    "name": {"name", "nom", "naam", "dossier name", "nom du dossier", "dossiernaam"},
    "client": {"client", "klant", "customer"},
    "vat": {"vat", "tva", "btw", "vat number", "numero de tva", "n tva", "btw nummer"},
    "kind": {"kind", "type", "soort"},
    "login": {"login", "identifiant", "gebruiker", "gebruikersnaam", "utilisateur",
              "numero d utilisateur", "gebruikersnummer"},
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
# An import writes thousands of records: their creation is not logged one by one.
QUIET = {"mail_create_nolog": True, "mail_create_nosubscribe": True}
HEADER_SEARCH_ROWS = 10
# What the write of a row can refuse: a rule of the models, or a unique index.
WRITE_ERRORS = (UserError, IntegrityError)
# Rows written per savepoint. The rows of a chunk the write refuses are written
# again one by one to name those it refuses, at several times the cost of a
# row in a chunk, and the write stops there: naming every refused row of the
# file would take six times its whole write, more than a request can afford
# for the largest file the import accepts.
WRITE_CHUNK = 100



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
    def _column_headers(self):
        """The columns' headers in the user's language, as the template writes
        them; the reader recognises them whatever the aliases say."""
        return {
            "code": self.env._("Code"),
            "name": self.env._("Name"),
            "client": self.env._("Client"),
            "vat": self.env._("VAT"),
            "kind": self.env._("Kind"),
            "login": self.env._("Login"),
            "client_email": self.env._("Client e-mail"),
            "modules": self.env._("Modules"),
        }

    @api.model
    def _template_rows(self):
        """The import template: the headers and two example rows that import as
        they are, their kind written as the user's language writes it: an
        internal dossier with a K login and modules (the default one and the
        first other of the catalogue), and an internal dossier without either,
        since modules run only on a dossier with a login."""
        kinds = dict(self.env["octopus.dossier"]._fields["kind"]._description_selection(self.env))
        Module = self.env["octopus.module"]
        modules = Module._default_module() | Module.search([("is_default", "=", False)], limit=1)
        # Logins are unique over the whole database: a fixed number would be
        # some other client's in many offices, and the row then refused. The
        # example's is the next free one, read without drawing it.
        login = self.env["octopus.client.user"]._peek_login("K")
        return [
            list(self._column_headers().values()),
            ["1001", "Boulangerie Dupont", "Boulangerie Dupont SRL", "BE0477472701",
             kinds["internal"], login, "gerant@boulangerie.example.be",
             ", ".join(modules.mapped("code"))],
            ["1002", "Cabinet Lambert", "Cabinet Lambert SRL", "", kinds["internal"], "", "", ""],
        ]

    @api.model
    def _find_header(self, rows):
        """(index of the header row, {column key: cell index}), or (None, {})
        when no row of the first ones names the required columns."""
        headers = self._column_headers()
        aliases_of = {key: aliases | {normalize(headers[key])}
                      for key, aliases in COLUMN_ALIASES.items()}
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            columns = {}
            for position, cell in enumerate(row):
                name = normalize(cell)
                for key, aliases in aliases_of.items():
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
        # The headers as the file writes them, which the messages name.
        headers = {key: cell_text(rows[header_index][position]) for key, position in columns.items()}
        records = []
        for index, row in enumerate(rows[header_index + 1:], start=header_index + 2):
            record = {key: cell_text(row[position]) if position < len(row) else ""
                      for key, position in columns.items()}
            if any(record.values()):
                records.append(dict(record, row=index, headers=headers))
        if not records:
            return [], [(header_index + 2, "code", self.env._("The sheet has no dossier row."))]
        return records, []

    @api.model
    def _plan(self, records, company):
        """Check every record against the database without writing; return the
        list of planned operations and the list of problems (all of them), each
        (row, column, message). One check per column, in this order: a check may
        use what an earlier one read."""
        known = self._known(records, company)
        plans, problems = [], []
        for record in records:
            plan = {"row": record["row"]}
            row_problems = []
            for column, check in self._column_checks():
                message = check(record, plan, known)
                if message:
                    row_problems.append((record["row"], column, message))
            problems.extend(row_problems)
            if not row_problems:
                plan["action"] = self._action(plan)
                plans.append(plan)
        return plans, problems

    def _column_checks(self):
        return [
            ("code", self._check_code),
            ("name", self._check_name),
            ("kind", self._check_kind),
            ("login", self._check_login),
            ("vat", self._check_vat),
            ("client", self._check_client),
            ("client_email", self._check_client_email),
            ("modules", self._check_modules),
            ("code", self._check_archived),
        ]

    @api.model
    def _known(self, records, company):
        """What the checks compare the rows with, read once for the whole file."""
        Dossier = self.env["octopus.dossier"].with_context(active_test=False)
        dossiers = Dossier.search(
            [("company_id", "=", company.id), ("code", "in", [r["code"] for r in records])]
        )
        logins = self.env["octopus.client.user"].sudo().search(
            [("login", "in", [r.get("login", "").upper() for r in records])]
        )
        return {
            "company": company,
            "dossiers": {dossier.code: dossier for dossier in dossiers},
            "logins": {login.login: login for login in logins},
            "modules": {module.code: module for module in self.env["octopus.module"].search([])},
            "default_module": self.env["octopus.module"]._default_module(),
            "kind_labels": self._kind_labels(),
            "today": fields.Date.context_today(self),
            "codes_seen": {},
            # A new K login's mails go to the office as the grant's default does:
            # the user's own address.
            "office_email": normalized_email(self.env.user.email),
        }

    @api.model
    def _column_label(self, columns, headers):
        """The columns ``columns`` (keys, separated by commas) as a message names
        them: by the header the file wrote, quoted as the user's language
        quotes, else (a column the file lacks) by the template's header."""
        template_headers = self._column_headers()
        names = [self.env._('"%(header)s"', header=headers.get(key) or template_headers[key])
                 for key in (key.strip() for key in columns.split(",")) if key]
        return ", ".join(names)

    @api.model
    def _model_says(self, check):
        """The message of one of the models' own rules, or False: the import
        refuses in the words the models use."""
        try:
            check()
        except ValidationError as error:
            return error.args[0]
        return False

    def _check_code(self, record, plan, known):
        code = plan["code"] = record.get("code", "")
        plan["dossier"] = dossier = known["dossiers"].get(code)
        plan["running"] = (dossier.activation_ids._running(known["today"]).module_id
                           if dossier else self.env["octopus.module"])
        if not code:
            return self.env._("The code is empty.")
        if code in known["codes_seen"]:
            return self.env._("Code %(code)s already appears on row %(row)s.",
                              code=code, row=known["codes_seen"][code])
        known["codes_seen"][code] = record["row"]
        return self._model_says(self.env["octopus.dossier"].new({"code": code})._check_text)

    def _check_name(self, record, plan, known):
        name = plan["name"] = record.get("name", "")
        if not name:
            return self.env._("The name is empty.")
        return self._model_says(self.env["octopus.dossier"].new({"name": name})._check_text)

    def _check_kind(self, record, plan, known):
        """The kind, as written (in any language) or told by the login's letter."""
        text, login = record.get("kind", ""), record.get("login", "").upper()
        kind = plan["kind"] = self._kind(text, known["kind_labels"])
        if text and not kind:
            return self.env._("Unknown kind %(kind)s: use internal or external.", kind=text)
        if not kind and LOGIN_PATTERN.match(login):
            plan["kind"] = KIND_OF_LOGIN[login[0]]
        elif not kind:
            return self.env._("The kind is empty and no login tells it.")
        return False

    def _check_login(self, record, plan, known):
        login = plan["login"] = record.get("login", "").upper()
        if not login:
            return False
        ClientUser = self.env["octopus.client.user"]
        existing = known["logins"].get(login, ClientUser)
        candidate = existing or ClientUser.new({"login": login, "kind": login[:1]})
        message = self._model_says(candidate._check_login)
        if message:
            return message
        plan["new_k_login"] = not existing and login.startswith("K")
        if plan["new_k_login"] and not known["office_email"]:
            return self.env._(
                "Login %(login)s is new: its activation confirmation and username mail go to "
                "your e-mail address, and your user has none. Add it in your preferences.",
                login=login)
        if existing and existing.company_id != known["company"]:
            # Said as of a login that is not this office's: whose it is, or that
            # another office exists at all, is none of this office's business.
            return self.env._("Login %(login)s is not a login of this office: leave it empty, or "
                              "use one of this office's logins.", login=login)
        Dossier = self.env["octopus.dossier"]
        if plan["kind"]:
            message = self._model_says(Dossier.new(
                {"code": plan["code"], "name": plan["name"], "kind": plan["kind"],
                 "client_user_id": candidate}
            )._check_client_user_kind)
            if message:
                return message
        if plan["dossier"]:
            return self._model_says(lambda: plan["dossier"]._check_no_other_login(existing.id))
        return False

    def _check_vat(self, record, plan, known):
        vat = record.get("vat", "").replace(" ", "").replace(".", "").upper()
        plan["vat"] = "BE" + be_vat.compact(vat) if vat and be_vat.is_valid(vat) else ""
        if vat and not plan["vat"]:
            return self.env._("%(vat)s is not a valid Belgian VAT number.", vat=record["vat"])
        return False

    def _check_client(self, record, plan, known):
        client = plan["client"] = record.get("client") or plan["name"]
        if len(client) > TEXT_MAX_LENGTH:
            return self.env._("The client's name is longer than %(limit)s characters.",
                              limit=TEXT_MAX_LENGTH)
        return False

    def _check_client_email(self, record, plan, known):
        email = record.get("client_email", "")
        plan["email"] = normalized_email(email) or ""
        if not email:
            return False
        return self._model_says(
            self.env["octopus.client.user"].new(
                {"login": plan["login"], "email": email}
            )._check_emails
        )

    def _check_modules(self, record, plan, known):
        codes = [c.strip().upper() for c in record.get("modules", "").split(",") if c.strip()]
        unknown = [code for code in codes if code not in known["modules"]]
        if unknown:
            return self.env._("Unknown module codes: %(codes)s.", codes=", ".join(unknown))
        plan["modules"] = [known["modules"][code] for code in codes]
        dossier = plan["dossier"]
        if codes and not plan["login"] and not (dossier and dossier.client_user_id):
            return self.env._("Modules run only on a dossier with a login (K or U): give the "
                              "row a login, or leave its modules empty.")
        # A K login gives client access, which always brings the default module,
        # as the grant dialog does.
        if plan["login"].startswith("K") and known["default_module"] not in plan["modules"]:
            plan["modules"].insert(0, known["default_module"])
        plan["kept"] = self._kept(record, plan)
        return False

    @api.model
    def _kept(self, record, plan):
        """What the row's dossier keeps although the row does not list it: an
        import starts modules and gives logins, it never ends a module nor
        revokes a login (that is End Modules and Revoke, each with its recap)."""
        dossier = plan["dossier"]
        if not dossier:
            return []
        kept = []
        if "modules" in record:
            not_listed = plan["running"] - self.env["octopus.module"].concat(*plan["modules"])
            if not_listed:
                kept.append(self.env._("keeps running %(modules)s", modules=", ".join(
                    not_listed.sorted().mapped("name"))))
        if "login" in record and not plan["login"] and dossier.client_user_id:
            kept.append(self.env._("keeps its login %(login)s",
                                   login=dossier.client_user_id.login))
        return kept

    def _check_archived(self, record, plan, known):
        """An archived dossier gets no login and no module, and the import does
        not bring it back behind the office's back: it is restored in Odoo."""
        dossier = plan["dossier"]
        if dossier and not dossier.active and self._action(plan) != "unchanged":
            return self.env._("Dossier %(code)s is archived: restore it in Odoo before "
                              "importing changes to it.", code=dossier.code)
        return False

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
        changed = (
            # Cells are read trimmed: a name that begins with a tab (written as
            # it is by the export) is no change.
            dossier.name.strip() != plan["name"]
            or dossier.kind != plan["kind"]
            or normalize(dossier.partner_id.name) != normalize(plan["client"])
            or self._changes_access(plan)
        )
        return "update" if changed else "unchanged"

    @api.model
    def _apply(self, plans, company, dry_run=False):
        """Write every planned row, or nothing; return the problems the write met,
        each named by row and column (none: everything is written).

        The rows are written WRITE_CHUNK at a time, each chunk kept once
        written, so that a row meets what the rows above it wrote; the write
        stops at the first chunk it refuses, whose refused rows are named.

        With ``dry_run`` the write is rolled back even when it succeeds: the
        preview runs the very write of the import, so that a clean preview means
        a clean import. The caller checked the password when the rows create
        logins or activations, which are written as superuser, as the grant does.
        """
        self.env["octopus.dossier"]._check_office_allowed(company)
        plans = [plan for plan in plans if plan["action"] != "unchanged"]
        problems = []
        with self.env.cr.savepoint() as everything:
            for start in range(0, len(plans), WRITE_CHUNK):
                problems = self._write_chunk(plans[start:start + WRITE_CHUNK], company)
                if problems:
                    break
            if problems or dry_run:
                everything.rollback()
        return problems

    @api.model
    def _write_chunk(self, plans, company):
        """Write the rows of ``plans``, or none of them and the problems of
        those the write refuses."""
        try:
            with self.env.cr.savepoint():
                for _column, stage in self._stages():
                    stage(plans, company)
        except WRITE_ERRORS as error:
            return self._locate(plans, company) or [
                (plans[0]["row"], "", self._error_message(error))
            ]
        return []

    def _stages(self):
        """The write of a row, step by step, with the column each step answers for."""
        return [
            ("client, vat", self._write_partners),
            ("code, name, kind", self._write_dossiers),
            ("login, client_email", self._write_logins),
            ("modules", self._write_activations),
        ]

    @api.model
    def _locate(self, plans, company):
        """Which rows the write refuses, and at which step: the rows are written
        one after the other, each in a savepoint, the refused ones rolled back."""
        problems = []
        for plan in plans:
            for column, stage in self._stages():
                try:
                    with self.env.cr.savepoint():
                        stage([plan], company)
                except WRITE_ERRORS as error:
                    problems.append((plan["row"], column, self._error_message(error)))
                    break
        return problems

    @api.model
    def _error_message(self, error):
        if isinstance(error, IntegrityError):
            return self.env._("The database refused the row: %(error)s",
                              error=error.diag.message_primary or str(error))
        return error.args[0]

    @api.model
    def _write_partners(self, plans, company):
        """The client of each row: found by VAT, else by name, else created.

        Records are created in batches, one per model, so that a list of
        thousands of dossiers goes in one go; the creation is not logged in
        each chatter one by one (the preview said it all).
        """
        Partner = self.env["res.partner"].with_context(**QUIET)
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
        for plan in plans:
            plan["partner"] = (plan["vat"] and by_vat.get(plan["vat"])) or by_name[plan["client"]]

    @api.model
    def _write_dossiers(self, plans, company):
        """Create or update the dossiers, with the user's own rights."""
        Dossier = self.env["octopus.dossier"].with_context(active_test=False, **QUIET)
        new_plans = []
        for plan in plans:
            values = {"name": plan["name"], "kind": plan["kind"],
                      "partner_id": plan["partner"].id}
            if plan["dossier"]:
                plan["dossier"].write(values)
                plan["record"] = plan["dossier"]
            else:
                new_plans.append((plan, dict(values, code=plan["code"], company_id=company.id)))
        created = Dossier.create([values for _plan, values in new_plans])
        for (plan, _values), dossier in zip(new_plans, created):
            plan["record"] = dossier

    @api.model
    def _write_logins(self, plans, company):
        """Give the rows' dossiers the login each names, created when it is new.
        The login reaches the dossier through the dossier's own
        ``_attach_logins``, the grant's: its rules (an active dossier, an active
        login of the same office, client and kind, no other login) hold for
        the import without being said here."""
        login_plans = [plan for plan in plans if plan["login"]]
        if not login_plans:
            return
        dossiers = self.env["octopus.dossier"].concat(*(plan["record"] for plan in login_plans))
        # Logins are written as superuser, as the grant writes them, once the
        # user is known to be allowed to change these dossiers.
        ClientUser = dossiers._sudo_for_access().env["octopus.client.user"].with_context(**QUIET)
        by_login = {}
        for plan in login_plans:
            by_login.setdefault(plan["login"], []).append(plan)
        # Looked up again rather than taken from the plan: an earlier row of the
        # same write may have created the login.
        known = {client_user.login: client_user
                 for client_user in ClientUser.search([("login", "in", list(by_login))])}
        new_logins = [login for login in by_login if login not in known]
        office_email = normalized_email(self.env.user.email)
        created = ClientUser.create([
            {"login": login, "kind": login[0], "company_id": company.id,
             "partner_id": by_login[login][0]["partner"].id,
             "email": by_login[login][0]["email"] or False,
             "office_email": office_email if login[0] == "K" else False}
            for login in new_logins
        ])
        known.update(zip(new_logins, created))
        dossiers._attach_logins({plan["record"].id: known[plan["login"]] for plan in login_plans})
        # A new K login is a grant: the office gets the grant's mails.
        created.filtered(lambda client_user: client_user.kind == "K")._queue_access_mails_later()

    @api.model
    def _write_activations(self, plans, company):
        """Start the rows' modules through the dossier's own ``_start_modules``,
        the grant's: a row whose dossier has no login, or is archived, is
        refused there too; modules that run already are left running."""
        module_plans = [plan for plan in plans if plan["modules"]]
        if not module_plans:
            return
        Module = self.env["octopus.module"]
        dossiers = self.env["octopus.dossier"].concat(*(plan["record"] for plan in module_plans))
        dossiers._start_modules(
            {plan["record"].id: Module.concat(*plan["modules"]) for plan in module_plans}
        )

    @api.model
    def _started_modules(self, plan):
        """The modules the row starts on its dossier (those it does not run yet)."""
        return self.env["octopus.module"].union(*plan["modules"]) - plan["running"]

    @api.model
    def _price(self, plans, on_date):
        """The grant's cost preview of what the rows start: per row (a dict
        by row number) and for the whole file. Only internal dossiers cost the
        office (an external one's client pays Octopus). One preview per set of
        modules, however many rows start it: the file may hold a thousand."""
        Dossier = self.env["octopus.dossier"]
        by_modules, per_row, counts = {}, {}, {}
        for plan in plans:
            modules = self._started_modules(plan)
            if plan["action"] == "unchanged" or plan["kind"] != "internal" or not modules:
                continue
            key = frozenset(modules.ids)
            if key not in by_modules:
                by_modules[key] = Dossier._cost_preview_of_counts(dict.fromkeys(modules, 1),
                                                                  on_date)
            per_row[plan["row"]] = by_modules[key]
            for module in modules:
                counts[module] = counts.get(module, 0) + 1
        return per_row, counts and Dossier._cost_preview_of_counts(counts, on_date)

    @api.model
    def _mail_plan(self, plans):
        """{row: the grant's mails of the new K login the row gives}: a login
        new to several rows is mailed once, from its first row."""
        mails, mailed = {}, set()
        # The same for every login: the grant's mails to the user's address.
        login_mails = self.env["octopus.client.user"]._grant_mail_plan(
            normalized_email(self.env.user.email))
        for plan in plans:
            if plan.get("new_k_login") and plan["login"] not in mailed:
                mailed.add(plan["login"])
                mails[plan["row"]] = login_mails
        return mails

    @api.model
    def _needs_password(self, plans):
        """Whether the rows change client access or billable modules, which asks
        for the holder's password as the grant dialog does."""
        return any(plan["action"] != "unchanged" and self._changes_access(plan) for plan in plans)

    @api.model
    def _changes_access(self, plan):
        """Whether the row gives its dossier another login or modules it does not
        run yet: what the grant's password guards."""
        dossier = plan["dossier"]
        new_login = plan["login"] and (not dossier or dossier.client_user_id.login != plan["login"])
        return bool(new_login) or any(module not in plan["running"] for module in plan["modules"])
