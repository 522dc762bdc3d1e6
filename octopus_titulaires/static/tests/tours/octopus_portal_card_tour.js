import { registry } from "@web/core/registry";

const card = ".o_portal_index_card:has(a[href='/my/dossiers'])";

// A client whose K login covers two dossiers.
registry.category("web_tour.tours").add("octopus_portal_card_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The card shows how many dossiers the client has",
            trigger: `${card}:not(.d-none) [data-placeholder_count=octopus_dossier_count]:visible:contains(2)`,
        },
        {
            content: "... with the addon's pictogram",
            trigger: `${card} .o_portal_icon img[src$='/octopus_titulaires/static/src/img/dossiers.svg']:visible`,
        },
    ],
});
