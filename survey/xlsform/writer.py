"""Write a questionnaire (or one module) as an XLSForm that Kobo or ODK can run face to face.

Each page becomes a group shown as one screen (``appearance = field-list``), in questionnaire
order, every module included (an interviewer asks them all: rotation is not carried). What
XLSForm cannot carry is left out: scoring and roles, units (the core says them in its hints),
the special answers of number questions. ``reader.read_form`` reads the file back to the same
questions, choices, conditions and ranges.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from survey.questionnaire.decimals import stored
from survey.questionnaire.items import SPECIAL_LABELS

from .expressions import write_condition, write_constraint

SURVEY_HEADER = [
    "type", "name", "label::Vietnamese (vi)", "label::English (en)", "hint::Vietnamese (vi)",
    "hint::English (en)", "required", "relevant", "constraint", "appearance",
]  # fmt: skip
CHOICES_HEADER = ["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"]
SETTINGS_HEADER = ["form_title", "form_id", "version", "default_language"]
SELECT_ONE = ("yes_no", "single", "likert5", "rating10")


class ExportRefused(ValueError):
    """The questionnaire or module cannot be written as asked."""


def option_label(item, option, lang: str) -> str:
    """Return an answer's label as the citizen page shows it (a bare scale point: its number)."""
    label = option.label(lang)
    if item.type in ("likert5", "rating10") and label == option.code:
        if option is item.options[0]:
            return f"{label} – {item.low(lang)}"
        if option is item.options[-1]:
            return f"{label} – {item.high(lang)}"
    return label


def rows(questionnaire, module_id: str | None = None) -> tuple[list, list, list]:
    """Return the survey, choices and settings rows of the questionnaire or one module."""
    modules = [questionnaire.module(module_id)] if module_id else list(questionnaire.modules)
    items = {item.id: item for module in modules for item in module.items}
    outside = sorted(
        {ref for item in items.values() if item.show_if for ref in item.show_if.item_ids()}
        - set(items)
    )
    if outside:
        raise ExportRefused(
            f"module {module_id} refers to questions outside it ({', '.join(outside)}): "
            "export the whole questionnaire instead"
        )

    def kind_of(name):
        item = questionnaire.items[name]
        return item.type, item.all_codes()

    survey, choices = [SURVEY_HEADER], [CHOICES_HEADER]
    for module in modules:
        for page in module.pages:
            survey.append(["begin_group", page.id, page.title_vi, page.title_en] + [""] * 5
                          + ["field-list"])  # fmt: skip
            for item in page.items:
                survey.append(_item_row(item, kind_of))
                choices += _choice_rows(item)
            survey.append(["end_group"] + [""] * (len(SURVEY_HEADER) - 1))
    if module_id:
        title, form_id = modules[0].title_vi, module_id
    else:
        title = questionnaire.title_vi
        form_id = f"{questionnaire.id.replace('-', '_')}_v{questionnaire.version}"
    settings = [SETTINGS_HEADER, [title, form_id, str(questionnaire.version), "Vietnamese (vi)"]]
    return survey, choices, settings


def _item_row(item, kind_of) -> list:
    """Return the survey row of one question."""
    if item.type in SELECT_ONE:
        kind = f"select_one {item.id}"
    elif item.type == "multiple":
        kind = f"select_multiple {item.id}"
    else:
        kind = item.type
    relevant = write_condition(item.show_if.raw, kind_of) if item.show_if else ""
    constraint = ""
    if item.type == "integer":
        constraint = write_constraint({"min": item.min, "max": item.max})
    elif item.type == "decimal":
        # Bounds with every declared place, so that the places are read back from them.
        low, high = (stored(v, item.decimals) for v in (item.min, item.max))
        constraint = write_constraint({"min": low, "max": high})
    elif item.type == "text":
        constraint = write_constraint({"max_length": item.max_length})
    elif item.type == "multiple" and any(o.exclusive for o in item.options):
        constraint = write_constraint({"exclusive": [o.code for o in item.options if o.exclusive]})
    required = "yes" if item.required else ""
    return [kind, item.id, item.text_vi, item.text_en, item.hint_vi, item.hint_en, required,
            relevant, constraint, ""]  # fmt: skip


def _choice_rows(item) -> list:
    """Return the choices rows of a choice question (its own list, named after it)."""
    if item.type not in (*SELECT_ONE, "multiple"):
        return []
    found = [
        [item.id, o.code, option_label(item, o, "vi"), option_label(item, o, "en")]
        for o in item.options
    ]
    return found + [[item.id, o.code, *SPECIAL_LABELS[o.code]] for o in item.special]


def write_form(path: Path, questionnaire, module_id: str | None = None) -> int:
    """Write the XLSForm workbook; return the number of questions written."""
    survey, choices, settings = rows(questionnaire, module_id)
    book = openpyxl.Workbook()
    for index, (name, data) in enumerate(
        (("survey", survey), ("choices", choices), ("settings", settings))
    ):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name
        for r, row in enumerate(data, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value or None)
                # Text starting with "=" stays text: no cell of the form is a formula.
                if value and value.startswith("="):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    book.save(path)
    return sum(1 for row in survey[1:] if row[0] not in ("begin_group", "end_group"))
