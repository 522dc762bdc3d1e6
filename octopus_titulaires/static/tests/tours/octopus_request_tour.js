import { registry } from "@web/core/registry";
import { openGestionSteps } from "./octopus_tour_steps";
import { user } from "@web/core/user";

// What the screens say, in the languages the tours run in (the user's).
const TEXTS = {
    fr: {
        ask: "Demander au titulaire de confirmer",
        askText: "Ou demandez au titulaire du bureau de confirmer",
        waiting: "En attente du titulaire",
        confirmed: "Confirmée",
        oneRequest: "1 demande en attente du titulaire du bureau",
        recap: "Coût annuel",
        answer: "Répondre à la demande",
        asked: "vous demande de confirmer",
    },
    nl: {
        ask: "De titularis vragen om te bevestigen",
        askText: "Of vraag de titularis van het kantoor om te bevestigen",
        waiting: "Wacht op de titularis",
        confirmed: "Bevestigd",
        oneRequest: "1 verzoek dat op de titularis van het kantoor wacht",
        recap: "Jaarlijkse kost",
        answer: "Op het verzoek antwoorden",
        asked: "vraagt je om te bevestigen",
    },
};

function openGestion() {
    return [
        ...openGestionSteps(),
    ];
}

// A colleague of the holder fills the grant dialog in and asks the holder.
registry.category("web_tour.tours").add("octopus_request_ask_tour", {
    url: "/odoo",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            ...openGestion(),
            {
                trigger: ".o_menu_sections button[data-menu-xmlid='octopus_titulaires.octopus_dossier_menu_root']",
                run: "click",
            },
            {
                trigger: ".o-dropdown-item[data-menu-xmlid='octopus_titulaires.octopus_dossier_menu']",
                run: "click",
            },
            {
                content: "Open the A dossier",
                trigger: ".o_data_row .o_data_cell[name=code]:contains(REQ-TOUR)",
                run: "click",
            },
            {
                content: "Start the grant dialog",
                trigger: ".o_form_view button[name=action_grant_access]",
                run: "click",
            },
            ...["dossier", "office e-mail", "client e-mail", "modules"].map((screen) => ({
                content: `Screen ${screen}: next`,
                trigger: ".modal-footer button[name=action_next]",
                run: "click",
            })),
            {
                content: "The last screen offers to ask the holder instead of the password",
                trigger: `.modal .o_octopus_ask_holder_text:contains("${texts.askText}")`,
            },
            {
                trigger: `.modal .o_octopus_grant_recap:contains("${texts.recap}")`,
            },
            {
                trigger: `.modal-footer button[name=action_ask_holder]:contains("${texts.ask}")`,
                run: "click",
            },
            {
                content: "The request, waiting for the holder, in place of the dialog",
                trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains("${texts.waiting}")`,
            },
            {
                trigger: ".o_form_view .oe_title:contains(REQ-TOUR)",
            },
            {
                content: "Who asked does not confirm",
                trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_open_confirm]))",
            },
            {
                trigger: `.o_form_view .o_octopus_request_recap_today:contains("${texts.recap}")`,
            },
        ];
    },
});

// The holder finds the request on the dashboard, sees it priced for today and
// confirms it with their own password.
registry.category("web_tour.tours").add("octopus_request_confirm_tour", {
    url: "/odoo",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            ...openGestion(),
            {
                content: "The dashboard counts the request waiting for the holder",
                trigger: `.o_octopus_dashboard_requests:contains("${texts.oneRequest}")`,
                run: "click",
            },
            {
                content: "Open it (its change, not an avatar's card)",
                trigger: ".o_list_view .o_data_row:contains(REQ-TOUR) .o_data_cell[name=operation]",
                run: "click",
            },
            {
                content: "The recap, priced for today",
                trigger: `.o_form_view .o_octopus_request_recap_today:contains("${texts.recap}"):contains(REQ-TOUR)`,
            },
            {
                content: "The holder's activity says who asks",
                trigger: `.o-mail-Activity:contains("${texts.asked}")`,
            },
            {
                trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_confirm]",
                run: "click",
            },
            {
                trigger: `.modal .modal-title:contains("${texts.answer}")`,
            },
            {
                trigger: `.modal .o_octopus_recap:contains("${texts.recap}")`,
            },
            {
                content: "The holder's own password",
                trigger: ".modal .o_field_widget[name=password] input[type=password]:visible",
                run: "edit tour-holder-password",
            },
            {
                trigger: ".modal-footer button[name=action_confirm]",
                run: "click",
            },
            {
                content: "The request is confirmed",
                trigger: `body:not(:has(.modal)) .o_form_view .o_statusbar_status .o_arrow_button_current:contains("${texts.confirmed}")`,
            },
        ];
    },
});
