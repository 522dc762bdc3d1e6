from . import octopus_access_dialog
from . import octopus_dossier_grant
from . import octopus_dossier_change
from . import octopus_dossier_export
from . import octopus_dossier_import
from . import octopus_access_request_answer
