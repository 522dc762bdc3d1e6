import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("octopus_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The home of the portal has the dossiers entry",
            trigger: "a[href='/my/dossiers']",
            run: "click",
        },
        {
            content: "First visit: confirm that the office manages the dossiers",
            trigger: ".o_octopus_consent_confirm",
            run: "click",
        },
        {
            content: "Open my dossier",
            trigger: ".o_octopus_portal_dossier a:contains(PORTAL-1)",
            run: "click",
        },
        {
            content: "The dossier page lists its modules",
            trigger: ".o_octopus_portal_dossier_page .o_octopus_portal_module:contains(Bank Statements)",
        },
    ],
});
