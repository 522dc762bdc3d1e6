import { registry } from "@web/core/registry";
import { openGestionSteps } from "./octopus_tour_steps";

// The test office holds 3 dossiers in A, 1 in B and 2 in C (OV-C1, OV-C2) and
// one login that has not given its consent.
const card = ".o_octopus_dashboard .o_kanban_record";

registry.category("web_tour.tours").add("octopus_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        ...openGestionSteps(),
        {
            content: "The office's card counts its dossiers per category",
            trigger: `${card} .o_octopus_dashboard_category_a .badge:contains(3)`,
        },
        {
            trigger: `${card} .o_octopus_dashboard_category_b .badge:contains(1)`,
        },
        {
            content: "... and per running module: click the count of Client Portal",
            trigger: `${card} .o_octopus_dashboard_module:contains(Client Portal):contains(2)`,
            run: "click",
        },
        {
            content: "The dossier list shows the two dossiers running it",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=code]:contains(OV-C1)",
        },
        {
            trigger: ".o_list_view .o_data_row .o_data_cell[name=code]:contains(OV-C2)",
        },
        {
            content: "... and nothing else",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))) ",
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "... the next invoice with its Packet Deal",
            trigger: `${card} .o_octopus_dashboard_packet_deal:contains(1,500.00)`,
        },
        {
            trigger: `${card} .o_octopus_dashboard_without_consent:contains(1 login without consent)`,
        },
        {
            content: "Click the C count",
            trigger: `${card} .o_octopus_dashboard_category_c:has(.badge:contains(2))`,
            run: "click",
        },
        {
            content: "The dossier list shows the two C dossiers",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=code]:contains(OV-C1)",
        },
        {
            trigger: ".o_list_view .o_data_row .o_data_cell[name=code]:contains(OV-C2)",
        },
        {
            content: "... and nothing else, with the C filter shown as a facet",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))) ",
        },
        {
            trigger: ".o_searchview_facet:contains(C: client access)",
        },
    ],
});
