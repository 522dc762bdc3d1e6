{
    "name": "Octopus Titulaires - Invoicing",
    "summary": "Re-invoice the Octopus modules of C dossiers to the clients as draft invoices",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Octopus Titulaires developers",
    "website": "https://github.com/octopus-titulaires/octopus_titulaires",
    "license": "LGPL-3",
    "depends": ["octopus_titulaires", "account"],
    "data": [
        "security/ir.model.access.csv",
        "security/octopus_titulaires_account_rules.xml",
        "wizards/octopus_reinvoice_views.xml",
        "views/octopus_module_views.xml",
        "views/res_company_views.xml",
        "views/res_company_dashboard_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "octopus_titulaires_account/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "_octopus_create_module_products",
    "auto_install": True,
}
