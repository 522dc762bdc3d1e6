import { registry } from "@web/core/registry";
import { openGestionSteps } from "./octopus_tour_steps";
import { user } from "@web/core/user";

// The office holds one active login, REM-TOUR's, whose client has not
// confirmed on the portal yet.
const NOTIFICATIONS = {
    fr: "1 rappel mis en file d'envoi.",
    nl: "1 herinnering klaargezet voor verzending.",
    en: "1 reminder queued.",
};

registry.category("web_tour.tours").add("octopus_consent_reminder_tour", {
    url: "/odoo",
    steps: () => [
        ...openGestionSteps(),
        {
            content: "Click the logins without consent",
            trigger: ".o_octopus_dashboard .o_octopus_dashboard_without_consent:contains(1)",
            run: "click",
        },
        {
            content: "The list of the logins without consent, with the client's",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=partner_id]:contains(Client Rappel)",
        },
        {
            content: "Select every login of the list",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Remind their clients",
            trigger: ".o_control_panel button[name=action_remind_consent]",
            run: "click",
        },
        {
            content: "The office is told the reminder is queued",
            trigger: `.o_notification:contains("${NOTIFICATIONS[user.lang.slice(0, 2)]}")`,
        },
    ],
});
