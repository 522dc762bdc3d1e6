"""A new office confirms changes of client access with its holder's password
(the Octopus rule, issue 19). An office that existed before keeps what it did
until it chooses: each B user confirms with their own password."""


def migrate(cr, version):
    cr.execute("UPDATE res_company SET octopus_confirmation = 'user'")
