import { registry } from "@web/core/registry";

// The test office holds 3 dossiers in A, 1 in B and 2 in C (OV-C1, OV-C2). The
// pivot's first row counts all of them per category: A, B, C, then the total.
const totalPerCategory = ".o_pivot tbody tr:first td.o_pivot_cell_value";

registry.category("web_tour.tours").add("octopus_overview_tour", {
    url: "/odoo/octopus-overview",
    steps: () => [
        {
            content: "The search panel counts the dossiers per category",
            trigger: ".o_search_panel_category_value:has(.o_search_panel_label_title:contains(A:)) .o_search_panel_counter:contains(3)",
        },
        {
            trigger: ".o_search_panel_category_value:has(.o_search_panel_label_title:contains(C:)) .o_search_panel_counter:contains(2)",
        },
        {
            content: "The pivot has a column per category",
            trigger: ".o_pivot thead th:contains(A:) ~ th:contains(B:) ~ th:contains(C:)",
        },
        {
            content: "... and counts 3 in A, 1 in B, 6 in all",
            trigger: `${totalPerCategory}:eq(0):contains(3)`,
        },
        {
            trigger: `${totalPerCategory}:eq(1):contains(1)`,
        },
        {
            trigger: `${totalPerCategory}:eq(3):contains(6)`,
        },
        {
            content: "Click the count of category C",
            trigger: `${totalPerCategory}:eq(2):contains(2)`,
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
            content: "... and nothing else",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))):not(:has(.o_data_cell[name=code]:contains(OV-A))):not(:has(.o_data_cell[name=code]:contains(OV-B)))",
        },
    ],
});
