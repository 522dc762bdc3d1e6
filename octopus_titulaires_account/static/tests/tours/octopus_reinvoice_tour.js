import { registry } from "@web/core/registry";
import { openGestionSteps } from "@octopus_titulaires/../tests/tours/octopus_tour_steps";

// A B user who invoices and reads French re-invoices the last quarter of its
// office from the dashboard: the preview names the client, the dialog creates
// its draft invoice, and the invoice list shows it.
const card = ".o_octopus_dashboard .o_kanban_record";

registry.category("web_tour.tours").add("octopus_reinvoice_tour", {
    url: "/odoo",
    steps: () => [
        ...openGestionSteps(),
        {
            content: "Re-invoice the modules from the office's card",
            trigger: `${card} .o_octopus_dashboard_reinvoice:contains(Refacturer les modules)`,
            run: "click",
        },
        {
            content: "The dialog is in French",
            trigger: ".modal .modal-title:contains(Refacturer les modules)",
        },
        {
            content: "The preview names the client, its dossier and the module",
            trigger: ".modal .o_octopus_reinvoice_preview_table td.o_octopus_reinvoice_client:contains(Boulangerie Tournee)",
        },
        {
            trigger: ".modal .o_octopus_reinvoice_preview_table td:contains(TOUR-R1)",
        },
        {
            trigger: ".modal .o_octopus_reinvoice_preview_table th:contains(Jours)",
        },
        {
            content: "Create the draft invoices",
            trigger: ".modal .o_octopus_reinvoice_confirm:contains(Créer les factures brouillon)",
            run: "click",
        },
        {
            content: "A notification says how many clients the run invoiced, and that none is left",
            trigger: ".o_notification:contains(Facture brouillon créée pour 1 client.):contains(Tous les clients de la période sont facturés.)",
        },
        {
            content: "The invoice list shows the client's draft invoice, and only it",
            trigger: ".o_list_view .o_data_row:contains(Boulangerie Tournee):contains(Brouillon)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:eq(1)))",
        },
    ],
});
