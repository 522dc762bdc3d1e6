"""SQL built from the ORM's queries, for the reports that read thousands of
rows at once: the ORM's access checks and record rules still apply."""

from odoo.tools import SQL


def join_many2one(query, model, alias, fname, readable=False):
    """LEFT JOIN the many2one ``fname`` of ``model`` (at ``alias`` in ``query``)
    to its comodel; return the comodel and its alias. With ``readable``, only
    the records the user may read join, archived ones included: the others
    leave their columns empty, as reading them through the ORM would."""
    comodel = model.env[model._fields[fname].comodel_name].with_context(active_test=False)
    coalias = query.make_alias(alias, fname)
    condition = SQL("%s = %s", model._field_to_sql(alias, fname, query),
                    SQL.identifier(coalias, "id"))
    if readable:
        allowed = comodel._search([])
        if allowed.where_clause:
            condition = SQL("%s AND %s IN %s", condition, SQL.identifier(coalias, "id"),
                            allowed.subselect())
    query.add_join("LEFT JOIN", coalias, comodel._table, condition)
    return comodel, coalias


def fetch_rows(env, sql, batch=500):
    """The rows of ``sql``, turned into Python objects ``batch`` at a time.
    Nothing else may use the cursor before the last row is read."""
    env.flush_query(sql)
    env.cr.execute(sql)
    while rows := env.cr.fetchmany(batch):
        yield from rows


# The strftime directives PostgreSQL's ``to_char`` writes the same way Odoo's
# format_date does (zero-padded day and month, four- or two-digit year).
TO_CHAR_DIRECTIVES = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY"}


def sql_date_pattern(date_format):
    """The ``to_char`` pattern that writes dates as the strftime ``date_format``
    of a language does, or None when it has a directive ``to_char`` would
    write otherwise (month names, for one: PostgreSQL's are not the user's).
    Every character between directives is quoted, written as it is."""
    if '"' in date_format or "\\" in date_format:
        return None
    parts, index = [], 0
    while index < len(date_format):
        if date_format[index] == "%":
            directive = TO_CHAR_DIRECTIVES.get(date_format[index:index + 2])
            if not directive:
                return None
            parts.append(directive)
            index += 2
        else:
            end = date_format.find("%", index)
            end = len(date_format) if end < 0 else end
            parts.append(f'"{date_format[index:end]}"')
            index = end
    return "".join(parts)
