from . import test_reinvoice
from . import test_reinvoice_cap
from . import test_reinvoice_concurrency
from . import test_reinvoice_rpc
from . import test_reinvoice_tour
from . import test_translations
