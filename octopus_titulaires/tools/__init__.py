# What Excel and Odoo call an .xlsx file: given with every download and
# attachment so that nobody has to guess it from the bytes.
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
