import { stepUtils } from "@web_tour/tour_service/tour_utils";

// How the tours of a B user start: from the home screen into Gestion, which
// opens on the office's dashboard.
export function openGestionSteps() {
    return [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Gestion: it lands on the dashboard",
            trigger: ".o_app[data-menu-xmlid='octopus_titulaires.octopus_titulaires_menu_root']",
            run: "click",
        },
    ];
}
