import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

// An additional dossier of a second company added to the K login of the
// first: the dialog names both clients before the password.
const TEXTS = {
    en: { several: "These dossiers belong to", added: "added by this grant" },
    fr: { several: "Ces dossiers appartiennent à", added: "ajouté par cet accès" },
    nl: { several: "Deze dossiers horen bij", added: "toegevoegd door deze toegang" },
};

function next() {
    return { trigger: ".modal-footer button[name=action_next]", run: "click" };
}

registry.category("web_tour.tours").add("octopus_additional_dossier_tour", {
    url: "/odoo/octopus-dossiers",
    steps: () => {
        const texts = TEXTS[user.lang.slice(0, 2)];
        return [
            {
                content: "Open the management company's dossier",
                trigger: ".o_data_row .o_data_cell[name=code]:contains(TOUR-ADD)",
                run: "click",
            },
            {
                trigger: ".o_form_view button[name=action_grant_access]",
                run: "click",
            },
            {
                content: "Screen 1: choose the K login of the person's other company",
                trigger: ".modal .o_field_widget[name=client_user_id] input",
                run: "edit K",
            },
            {
                trigger: ".o-autocomplete--dropdown-item:contains(K):not(:contains(TOUR))",
                run: "click",
            },
            {
                content: "Screen 1 lists both dossiers with their clients, and says they are two",
                trigger: `.modal .o_octopus_grant_login_dossiers:contains("${texts.several}"):contains(Holding Tour):contains(Client Tour)`,
            },
            {
                trigger: `.modal .o_octopus_login_dossier_added:contains(TOUR-ADD):contains("${texts.added}")`,
            },
            next(),
            {
                trigger: ".modal .o_field_widget[name=office_email] input",
            },
            next(),
            {
                trigger: ".modal .o_field_widget[name=client_email] input",
            },
            next(),
            {
                trigger: ".modal .o_field_widget[name=module_ids]",
            },
            next(),
            {
                content: "The recap names both clients before the password",
                trigger: `.modal .o_octopus_grant_recap:contains("${texts.several}"):contains(Holding Tour):contains(Client Tour)`,
            },
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
                trigger: ".modal .o_octopus_grant_done .o_octopus_granted_login:contains(K)",
            },
        ];
    },
});
