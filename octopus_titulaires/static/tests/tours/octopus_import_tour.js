import { registry } from "@web/core/registry";
import { openGestionSteps } from "./octopus_tour_steps";

// The test puts the spreadsheet to import at this address (two new dossiers).
const FILE_URL = "/web/content/octopus_titulaires.tour_import_file";
const FILE_NAME = "dossiers_tour.xlsx";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

registry.category("web_tour.tours").add("octopus_import_tour", {
    url: "/odoo",
    steps: () => [
        ...openGestionSteps(),
        {
            trigger: ".o_menu_sections button[data-menu-xmlid='octopus_titulaires.octopus_dossier_menu_root']",
            run: "click",
        },
        {
            content: "Titulaires > Import Dossiers",
            trigger: ".o-dropdown-item[data-menu-xmlid='octopus_titulaires.octopus_dossier_import_menu']",
            run: "click",
        },
        {
            content: "Choose the spreadsheet, as the file picker would hand it over",
            trigger: ".modal .o_field_widget[name=file] input[type=file]:not(:visible)",
            async run() {
                const content = await (await fetch(FILE_URL)).blob();
                const transfer = new DataTransfer();
                transfer.items.add(new File([content], FILE_NAME, { type: XLSX }));
                const input = document.querySelector(".modal .o_field_widget[name=file] input[type=file]");
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: `.modal .o_field_widget[name=file] input.o_input:value(${FILE_NAME})`,
        },
        {
            trigger: ".modal-footer button[name=action_preview]",
            run: "click",
        },
        {
            content: "The preview announces two dossiers to create, no problem",
            trigger: ".modal .o_field_widget[name=create_count]:contains(2)",
        },
        {
            trigger: ".modal .o_field_widget[name=problem_count]:contains(0)",
        },
        {
            trigger: ".modal .o_field_widget[name=preview_line_ids] .o_data_row:contains(TOUR-I2)",
        },
        {
            trigger: ".modal-footer button[name=action_import]",
            run: "click",
        },
        {
            content: "The import ends on its summary",
            trigger: ".modal .o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
        {
            trigger: ".modal .o_field_widget[name=create_count]:visible:contains(2)",
        },
        {
            content: "Open the imported dossiers",
            trigger: ".modal-footer button[name=action_open_dossiers]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row .o_data_cell[name=code]:contains(TOUR-I1)",
        },
        {
            content: "The list holds the two imported dossiers and nothing else",
            trigger: ".o_list_view:has(.o_data_cell[name=code]:contains(TOUR-I2)):not(:has(.o_data_row:eq(2)))",
        },
    ],
});
