from . import octopus_module
