"""XLSForm in and out: a province's module from an Excel file, the questionnaire for Kobo/ODK.

``reader.read_form`` reads the subset in docs/QUESTIONNAIRE_FORMAT.md ("XLSForm modules") into
a module table or refuses it with every problem placed on its sheet, row and column;
``writer.write_form`` writes a questionnaire back. No Flask here.
"""
