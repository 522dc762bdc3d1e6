import { registry } from "@web/core/registry";

// OV-C1 and OV-C2 share one K login; OV-C1 runs Client Portal and Bank Statements.
registry.category("web_tour.tours").add("octopus_dossier_form_tour", {
    url: "/odoo/octopus-dossiers",
    steps: () => [
        {
            content: "Open the C dossier",
            trigger: ".o_list_view .o_data_cell[name=code]:contains(OV-C1)",
            run: "click",
        },
        {
            content: "The category is the same green badge as in the list",
            trigger: ".o_form_view .o_field_widget[name=access_category] .badge.text-bg-success:contains(C:)",
        },
        {
            content: "Smart button: the dossiers of its login",
            trigger: ".o-form-buttonbox button:contains(Login's Dossiers)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_cell[name=code]:contains(OV-C2)",
        },
        {
            content: "Only the login's two dossiers",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))):has(.o_data_cell[name=code]:contains(OV-C1))",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(OV-C1)",
            run: "click",
        },
        {
            content: "Smart button: the dossier's activation ledger",
            trigger: ".o-form-buttonbox button:contains(Activation Ledger)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_cell[name=module_id]:contains(Bank Statements)",
        },
        {
            content: "Its two activations, none of the other dossier",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))):not(:has(.o_data_cell[name=dossier_id]:contains(OV-C2)))",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(OV-C1)",
            run: "click",
        },
        {
            content: "Smart button: what the dossier adds to the next invoice",
            trigger: ".o-form-buttonbox button:contains(Next Invoice)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_cell[name=next_invoice_amount]",
        },
        {
            content: "Both its modules are on the next invoice, with their total",
            trigger: ".o_list_view:has(.o_data_row:eq(1)):not(:has(.o_data_row:eq(2))) tfoot .o_list_number:not(:empty)",
        },
    ],
});
