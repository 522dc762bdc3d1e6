from . import octopus_reinvoice
