import { registry } from "@web/core/registry";
import { openGestionSteps } from "./octopus_tour_steps";
import { user } from "@web/core/user";

// What every screen says, in the languages the tour runs in (the user's), and
// the client's address (one per language: the launcher runs French and Dutch
// in one database, and a second grant to an address finds its portal user).
const TEXTS = {
    en: {
        client: "client-en@tour.example.be",
        title: "Grant Client Access",
        screens: ["Dossiers", "Office e-mail", "Client e-mail", "Modules", "Password", "Done"],
        recap: ["Yearly cost", "Mails that will go out", "Portal invitation"],
        holder: "let the office holder",
        done: "Client access granted with the login",
        clientMail: "The office never receives that link.",
        close: "Close",
    },
    fr: {
        client: "client-fr@tour.example.be",
        title: "Accorder l'accès client",
        screens: ["Dossiers", "E-mail du bureau", "E-mail client", "Modules", "Mot de passe", "Terminé"],
        recap: ["Coût annuel", "E-mails qui partiront", "Invitation au portail"],
        holder: "laissez le titulaire du bureau",
        done: "Accès client accordé avec le numéro K",
        clientMail: "Le bureau ne reçoit jamais ce lien.",
        close: "Fermer",
    },
    nl: {
        client: "client-nl@tour.example.be",
        title: "Klanttoegang verlenen",
        screens: ["Dossiers", "E-mail kantoor", "E-mail klant", "Modules", "Wachtwoord", "Klaar"],
        recap: ["Jaarlijkse kost", "E-mails die vertrekken", "Portaaluitnodiging"],
        holder: "laat dan de titularis van het kantoor",
        done: "Klanttoegang verleend met de gebruiker",
        clientMail: "Het kantoor ontvangt die link nooit.",
        close: "Sluiten",
    },
};

function onScreen(texts, index) {
    return [
        {
            content: `Screen ${index + 1}: its title and its step`,
            trigger: `.modal .modal-title:contains("${texts.title}")`,
        },
        {
            trigger: `.modal .o_statusbar_status .o_arrow_button_current:contains("${texts.screens[index]}")`,
        },
    ];
}

registry.category("web_tour.tours").add("octopus_grant_tour", {
    url: "/odoo",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            ...openGestionSteps(),
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
            ...onScreen(texts, 0),
            {
                content: "Screen 1, the dossier: next",
                trigger: ".modal .o_field_widget[name=dossier_ids]:contains(TOUR-A)",
            },
            {
                trigger: ".modal-footer button[name=action_next]",
                run: "click",
            },
            ...onScreen(texts, 1),
            {
                content: "Screen 2, the office e-mail, defaults to mine: next",
                trigger: ".modal .o_field_widget[name=office_email] input:value(tour@fiduciaire.example.be)",
            },
            {
                trigger: ".modal-footer button[name=action_next]",
                run: "click",
            },
            ...onScreen(texts, 2),
            {
                content: "Screen 3, the client e-mail, defaults to the client's: next",
                trigger: `.modal .o_field_widget[name=client_email] input:value(${texts.client})`,
            },
            {
                content: "Screen 3, the client's language: the client reads Dutch",
                trigger: ".modal .o_field_widget[name=lang] select",
                run: "selectByLabel Nederlands",
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
            ...onScreen(texts, 3),
            {
                trigger: ".modal-footer button[name=action_next]",
                run: "click",
            },
            ...onScreen(texts, 4),
            ...texts.recap.map((text) => ({
                content: `Screen 5 recaps what the password confirms: ${text}`,
                trigger: `.modal .o_octopus_grant_recap:contains("${text}")`,
            })),
            {
                trigger: ".modal .o_octopus_grant_recap:contains(TOUR-A)",
            },
            {
                content: "Screen 5 recaps the client's language",
                trigger: '.modal .o_octopus_recap_lang:contains("Nederlands (BE)")',
            },
            {
                content: "Screen 5 names the office holder, whose password confirms",
                trigger: `.modal .o_octopus_confirmation_text:contains("${texts.holder}"):contains("${user.name}")`,
            },
            {
                content: "Screen 5, the holder's password (mine), in a visible input",
                trigger: ".modal .o_field_widget[name=password] input[type=password]:visible",
                run: "edit tour-b-password",
            },
            {
                trigger: ".modal-footer button[name=action_confirm]",
                run: "click",
            },
            ...onScreen(texts, 5),
            {
                content: "Done: the new K login is shown, with the mails and where they went",
                trigger: `.modal .o_octopus_grant_done:contains("${texts.done}") .o_octopus_granted_login:contains(K)`,
            },
            {
                trigger: ".modal .o_octopus_grant_mails .o_octopus_mail_to:contains(tour@fiduciaire.example.be)",
            },
            {
                content: "The portal invitation went to the client's address, not the office's",
                trigger: `.modal .o_octopus_grant_mails tr:last-child .o_octopus_mail_to:contains(${texts.client})`,
            },
            {
                content: "The invitation goes out in Dutch, the client's language",
                trigger: '.modal .o_octopus_grant_mails tr:last-child td:last-child:contains("Nederlands (BE)")',
            },
            {
                trigger: `.modal .o_octopus_client_mail:contains(${texts.client}):contains("${texts.clientMail}")`,
            },
            {
                trigger: `.modal-footer button:contains(${texts.close})`,
                run: "click",
            },
            {
                content: "The dossier is now in category C with its K login",
                trigger: ".o_form_view .o_field_widget[name=access_category]:contains(C)",
            },
            {
                trigger: ".o_form_view .o_field_widget[name=client_user_id]:contains(K)",
            },
        ];
    },
});
