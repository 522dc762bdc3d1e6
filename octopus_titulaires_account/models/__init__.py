from . import account_move_line
from . import octopus_module
from . import res_company
