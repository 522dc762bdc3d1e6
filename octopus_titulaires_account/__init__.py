from . import models
from . import wizards


def _octopus_create_module_products(env):
    """Give the modules that already exist (the shipped catalogue and the
    office's own) the product they are re-invoiced with."""
    env["octopus.module"].with_context(active_test=False).search(
        [("product_id", "=", False)])._octopus_create_products()
