from . import res_company
from . import octopus_module
from . import octopus_module_tariff
from . import octopus_client_user
from . import octopus_dossier
from . import octopus_module_activation
from . import octopus_billing_summary
from . import octopus_dossier_loader
