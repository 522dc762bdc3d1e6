from . import test_access_category
from . import test_activation
from . import test_client_user
from . import test_company
from . import test_dossier
from . import test_module
from . import test_security
