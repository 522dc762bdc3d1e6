# What Excel and Odoo call an .xlsx file: given with every download and
# attachment so that nobody has to guess it from the bytes.
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The context key of the day the next invoice is seen from, when it is not
# today (an export at a reference date): ``octopus.invoice.line`` reads it.
INVOICE_DATE_KEY = "octopus_invoice_date"
