from . import octopus_dossier_xlsx
from . import octopus_invoice_line
