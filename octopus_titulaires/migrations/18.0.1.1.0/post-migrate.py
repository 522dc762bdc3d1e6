"""The B group no longer implies Contact Creation (security round 3). Odoo
keeps an implied group on the users who got it, so it is taken back here from
the B users that no other of their groups gives it to. An administrator may
have given some of them Contact Creation on purpose: each one is logged, to be
given it again by hand."""

import logging

from odoo import SUPERUSER_ID, Command, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    contact_creation = env.ref("base.group_partner_manager")
    for user in env.ref("octopus_titulaires.group_titulaire").users:
        others = user.groups_id - contact_creation
        if contact_creation in others.trans_implied_ids:
            continue
        user.groups_id = [Command.unlink(contact_creation.id)]
        _logger.warning("Octopus: Contact Creation taken back from B user %s (id %s)",
                        user.login, user.id)
