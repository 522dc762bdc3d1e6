import { registry } from "@web/core/registry";

// A French-speaking B user and the summary of November 2026.
registry.category("web_tour.tours").add("octopus_billing_summary_tour", {
    url: "/odoo/octopus-billing-summaries",
    steps: () => [
        {
            content: "The card names the month in the user's language",
            trigger: ".o_kanban_record .o_octopus_summary_month:contains(novembre 2026)",
        },
        {
            content: "The workbook downloads from the card",
            trigger: ".o_kanban_record a.o_octopus_summary_download[href$='?download=true']:contains(octopus_billing_2026_11.xlsx)",
        },
        {
            trigger: ".o_kanban_record .o_octopus_summary_month",
            run: "click",
        },
        {
            content: "The form shows the month as its period, without a widget error",
            trigger: ".o_form_view .o_field_widget[name=date_from]:contains(01/11/2026):contains(30/11/2026)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=attachment_id]:contains(octopus_billing_2026_11.xlsx)",
        },
        {
            content: "The list loads too (every widget of its columns exists)",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_cell[name=date_from]:contains(01/11/2026):contains(30/11/2026)",
        },
    ],
});
