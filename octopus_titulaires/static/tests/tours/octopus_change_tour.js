import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

// End Modules and Revoke Client Access recap, before the password, what stops
// and what the next invoice loses; a selection of the list is changed in one
// dialog. The launcher (tests/test_change_tour.py) prices Tour Scan at 365 a
// year: ending it today takes the whole 365 off the next invoice; revoking
// also ends Client Portal (60 a year): 425.
const TEXTS = {
    fr: {
        end: "Arrêter des modules",
        revoke: "Révoquer l'accès client",
        done: "Terminé",
        loses: "perd 365,00",
        revokeLoses: "perd 425,00",
        login: "L'identifiant K77770001 est révoqué",
        portal: "L'utilisateur du portail Portail Tour",
    },
    nl: {
        end: "Modules beëindigen",
        revoke: "Klanttoegang intrekken",
        done: "Klaar",
        loses: "verliest 365,00",
        revokeLoses: "verliest 425,00",
        login: "Gebruiker K77770002 wordt ingetrokken",
        portal: "Portaalgebruiker Portail Tour",
    },
};

function openDossier(code) {
    return {
        content: `Open dossier ${code}`,
        trigger: `.o_data_row .o_data_cell[name=code]:contains(${code})`,
        run: "click",
    };
}

function dialogTitle(title) {
    return { content: `The dialog's own title: ${title}`, trigger: `.modal .modal-title:contains("${title}")` };
}

function chooseTourScan() {
    return {
        content: "Choose the module that stops",
        trigger: ".modal .o_field_widget[name=module_ids] .form-check:has(label:contains(Tour Scan)) input",
        run: "click",
    };
}

function confirmWithPassword(texts) {
    return [
        {
            trigger: ".modal .o_field_widget[name=password] input[type=password]:visible",
            run: "edit tour-b-password",
        },
        {
            trigger: ".modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Done",
            trigger: `.modal .o_statusbar_status .o_arrow_button_current:contains("${texts.done}")`,
        },
        {
            trigger: ".modal-footer button.btn-primary[special=cancel]",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

function next() {
    return { trigger: ".modal-footer button[name=action_next]", run: "click" };
}

registry.category("web_tour.tours").add("octopus_end_recap_tour", {
    url: "/odoo/octopus-dossiers",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            openDossier("TOUR-END"),
            { trigger: ".o_form_view button[name=action_end_modules]", run: "click" },
            dialogTitle(texts.end),
            chooseTourScan(),
            next(),
            dialogTitle(texts.end),
            {
                content: "The recap names the module that stops",
                trigger: ".modal .o_octopus_recap_stopping .o_octopus_recap_module:contains(Tour Scan)",
            },
            {
                content: "and what the next invoice loses",
                trigger: `.modal .o_octopus_recap_loss:contains("${texts.loses}")`,
            },
            ...confirmWithPassword(texts),
        ];
    },
});

registry.category("web_tour.tours").add("octopus_revoke_recap_tour", {
    url: "/odoo/octopus-dossiers",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            openDossier("TOUR-REV"),
            { trigger: ".o_form_view button[name=action_revoke_access]", run: "click" },
            dialogTitle(texts.revoke),
            next(),
            dialogTitle(texts.revoke),
            {
                content: "The recap names the login, revoked with its last dossier",
                trigger: `.modal .o_octopus_recap_login:contains("${texts.login}")`,
            },
            {
                content: "the portal user that loses the portal",
                trigger: `.modal .o_octopus_recap_portal_user:contains("${texts.portal}")`,
            },
            {
                content: "the modules that stop",
                trigger: ".modal .o_octopus_recap_stopping .o_octopus_recap_module:contains(Tour Scan)",
            },
            {
                content: "and the invoice's change",
                trigger: `.modal .o_octopus_recap_loss:contains("${texts.revokeLoses}")`,
            },
            ...confirmWithPassword(texts),
        ];
    },
});

registry.category("web_tour.tours").add("octopus_bulk_end_tour", {
    url: "/odoo/octopus-dossiers",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            ...["TOUR-B1", "TOUR-B2", "TOUR-B3"].map((code) => ({
                content: `Select ${code} in the list`,
                trigger: `.o_list_renderer tr.o_data_row:contains(${code}) td.o_list_record_selector input[type=checkbox]`,
                run: "click",
            })),
            {
                content: "Open the Action menu",
                trigger: ".o_cp_action_menus button",
                run: "click",
            },
            {
                trigger: `.o-dropdown--menu .o-dropdown-item:contains("${texts.end}")`,
                run: "click",
            },
            dialogTitle(texts.end),
            {
                content: "The dialog holds the three dossiers selected",
                trigger: ".modal .o_field_widget[name=dossier_ids]:contains(TOUR-B1):contains(TOUR-B2):contains(TOUR-B3)",
            },
            chooseTourScan(),
            next(),
            {
                content: "One recap lists each dossier",
                trigger: ".modal .o_octopus_recap_stopping:contains(TOUR-B1):contains(TOUR-B2):contains(TOUR-B3)",
            },
            {
                content: "The next invoice loses the three of them",
                trigger: `.modal .o_octopus_recap_loss:contains("${texts.loses.replace("365,00", "1.095,00")}")`,
            },
            ...confirmWithPassword(texts),
        ];
    },
});
