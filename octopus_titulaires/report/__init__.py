from . import octopus_dossier_xlsx
