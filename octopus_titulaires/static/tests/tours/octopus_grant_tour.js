import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("octopus_grant_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Gestion",
            trigger: ".o_app[data-menu-xmlid='octopus_titulaires.octopus_titulaires_menu_root']",
            run: "click",
        },
        {
            content: "The app opens on its overview; go to Titulaires > Dossiers",
            trigger: ".o_menu_sections button[data-menu-xmlid='octopus_titulaires.octopus_dossier_menu_root']",
            run: "click",
        },
        {
            trigger: ".o-dropdown-item[data-menu-xmlid='octopus_titulaires.octopus_dossier_menu']",
            run: "click",
        },
        {
            content: "Open the A dossier",
            trigger: ".o_data_row .o_data_cell[name=code]:contains(TOUR-A)",
            run: "click",
        },
        {
            content: "Start the grant dialog",
            trigger: ".o_form_view button[name=action_grant_access]",
            run: "click",
        },
        {
            content: "Screen 1, the dossier, shown as the first step: next",
            trigger: ".modal .o_field_widget[name=dossier_ids]:contains(TOUR-A)",
        },
        {
            trigger: ".modal .o_statusbar_status .o_arrow_button_current:contains(Dossiers)",
        },
        {
            trigger: ".modal-footer button[name=action_next]",
            run: "click",
        },
        {
            content: "Screen 2, the office e-mail, defaults to mine: next",
            trigger: ".modal .o_field_widget[name=office_email] input:value(tour@fiduciaire.example.be)",
        },
        {
            trigger: ".modal-footer button[name=action_next]",
            run: "click",
        },
        {
            content: "Screen 3, the client e-mail, defaults to the client's: next",
            trigger: ".modal .o_field_widget[name=client_email] input:value(client@tour.example.be)",
        },
        {
            trigger: ".modal-footer button[name=action_next]",
            run: "click",
        },
        {
            content: "Screen 4, the modules with the cost preview",
            trigger: ".modal .o_octopus_cost_preview_table .o_octopus_prorated_total",
        },
        {
            content: "The default module is named, not a link out of the dialog",
            trigger: ".modal .o_field_widget[name=default_module_id]:not(:has(a))",
        },
        {
            trigger: ".modal .o_statusbar_status .o_arrow_button_current:contains(Modules)",
        },
        {
            trigger: ".modal-footer button[name=action_next]",
            run: "click",
        },
        {
            content: "Screen 5, my password",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit tour-b-password",
        },
        {
            trigger: ".modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Done: the new K login is shown",
            trigger: ".modal .o_octopus_granted_login:contains(K)",
        },
        {
            trigger: ".modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The dossier is now in category C with its K login",
            trigger: ".o_form_view .o_field_widget[name=access_category]:contains(C)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=client_user_id]:contains(K)",
        },
    ],
});
