"""Read an XLSForm (survey, choices, settings) into one questionnaire module, or refuse it.

The subset, and how it maps (docs/QUESTIONNAIRE_FORMAT.md, "XLSForm modules"): a group is a
page and a question outside groups is a page of its own; ``select_one`` is ``single``,
``select_multiple`` is ``multiple``, ``integer``, ``decimal`` and ``text`` keep their names
(a decimal's places come from its constraint's bounds: ``. <= 99.5`` gives one); a ``note`` is
the help text of the question after it; choices named ``dont_know`` and ``refused`` are the
special answers. Every problem is collected with its sheet, row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from survey.questionnaire import QuestionnaireError
from survey.questionnaire._fields import CODE, SNAKE
from survey.questionnaire.loader import from_raw

from .expressions import ExpressionError, read_constraint, read_relevant
from .workbook import FormRefused, Problem, Sheet, read_sheets

SPECIAL = ("dont_know", "refused")
TEXT_BASES = ("label", "hint", "constraint_message", "required_message")
SURVEY_COLUMNS = {"type", "name", "required", "relevant", "constraint", "appearance"}
# Read but not used: the app draws every question its own way, for phones without JavaScript,
# and words its own translated messages.
IGNORED = ("appearance", "constraint_message", "required_message")
CHOICE_COLUMNS = {"list_name", "name"}
SETTINGS_COLUMNS = {"form_title", "form_id", "version", "default_language", "style"}
LANGUAGES = {
    "vi": "vi", "vietnamese": "vi", "tiếng việt": "vi", "tieng viet": "vi",
    "en": "en", "english": "en", "tiếng anh": "en", "tieng anh": "en",
}  # fmt: skip
METADATA = {
    "start", "end", "today", "deviceid", "username", "simserial", "subscriberid",
    "phonenumber", "audit", "email", "start-geopoint",
}  # fmt: skip
TYPE_ALIASES = {
    "select one from": "select_one", "select one": "select_one", "select_one": "select_one",
    "select all that apply from": "select_multiple", "select all that apply": "select_multiple",
    "select multiple": "select_multiple", "select_multiple": "select_multiple",
}  # fmt: skip
# Types followed by a choice list or file, named without it in messages.
LIST_TYPES = {"rank", "select_one_from_file", "select_multiple_from_file", "select_one_external"}
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0", ""}


@dataclass
class Form:
    """A form read into a module table, with the sheet row of each item and page."""

    module: dict
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def split_header(header: str) -> tuple[str, str | None]:
    """Return (column, language) of a header such as "label::Vietnamese (vi)" or "label:english"."""
    base, sep, language = header.partition("::")
    if not sep:
        base, sep, language = header.partition(":")
    base = base.strip().replace(" ", "_")
    if not sep:
        return base, None
    language = language.strip().lower()
    code = re.search(r"\(([a-z]{2,3})\)\s*$", language)
    return base, LANGUAGES.get(code.group(1) if code else language, "?" + language)


class _Reader:
    """One pass over the sheets, collecting problems instead of stopping at the first."""

    def __init__(self, sheets: dict[str, Sheet], module_id: str, base, core: bool):
        self.sheets, self.base, self.core = sheets, base, core
        self.problems: list[Problem] = []
        self.fallback: set[str] = set()
        self.module_id = module_id

    def add(self, sheet, row, column, reason) -> None:
        """Record a problem."""
        self.problems.append(Problem(sheet, row, column, reason))

    def read(self) -> Form:
        """Return the form, or raise FormRefused with every problem."""
        survey = self.sheets.get("survey")
        if survey is None:
            names = ", ".join(sorted(self.sheets)) or "none"
            reason = f"the workbook has no sheet named survey (its sheets: {names})"
            raise FormRefused([Problem(None, None, None, reason)])
        self._check_columns(survey, SURVEY_COLUMNS)
        lists = self._choices()
        title = self._settings()
        form = Form({"id": self.module_id, "title_vi": title, "title_en": title,
                     "core": self.core, "pages": []})  # fmt: skip
        self.title = title
        self._survey(survey, lists, form)
        if not form.module["pages"] and not self.problems:
            self.add("survey", None, None, "the form has no question")
        if self.problems:
            raise FormRefused(self.problems)
        for language in sorted(self.fallback):
            other = "English" if language == "vi" else "Vietnamese"
            name = "Vietnamese" if language == "vi" else "English"
            form.warnings.append(f"no {name} labels: the {other} or default ones are used")
        return form

    def _check_columns(self, sheet: Sheet, allowed: set[str]) -> None:
        """Report duplicate columns, unknown languages and unsupported columns that hold values."""
        seen = set()
        for header in sheet.headers:
            if not header:
                continue
            base, language = split_header(header)
            if header in seen:
                self.add(sheet.name, 1, header, "this column appears twice")
            seen.add(header)
            used = sheet.used(header)
            if not used:
                continue
            if base in ("label", "hint") and language and language.startswith("?"):
                reason = "only Vietnamese (vi) and English (en) texts are supported"
                self.add(sheet.name, used[0], header, reason)
            elif base not in allowed | {"label", "hint"} and base not in IGNORED:
                count = f" (used in {len(used)} row{'s' if len(used) > 1 else ''})"
                self.add(sheet.name, used[0], header, f"column '{base}' is not supported{count}")

    def _texts(self, sheet: str, number: int, row: dict, base: str, required: bool):
        """Return the (Vietnamese, English) texts of a column, falling back as XLSForm does."""
        values = {}
        for header, value in row.items():
            column, language = split_header(header)
            if column == base:
                values[language] = value
        vi = values.get("vi") or values.get(None) or values.get("en") or ""
        en = values.get("en") or values.get(None) or values.get("vi") or ""
        if vi and not values.get("vi"):
            self.fallback.add("vi")
        if en and not values.get("en"):
            self.fallback.add("en")
        if required and not vi:
            self.add(sheet, number, base, f"the {base} is empty")
        for text in (vi, en):
            if "${" in text:
                self.add(sheet, number, base, f"a {base} cannot show an answer (${{...}})")
                break
        return vi, en

    def _choices(self) -> dict[str, list]:
        """Return each choice list as [(row, code, vi, en)]."""
        sheet = self.sheets.get("choices")
        if sheet is None:
            return {}
        headers = {h.replace(" ", "_") for h in sheet.headers}
        self._check_columns(sheet, CHOICE_COLUMNS)
        lists: dict[str, list] = {}
        for number, raw in sheet.rows:
            row = {k.replace(" ", "_") if k == "list name" else k: v for k, v in raw.items()}
            list_name, code = row.get("list_name", ""), row.get("name", "")
            if not list_name or not code:
                column = "list_name" if not list_name else "name"
                if "list_name" in headers or column == "name":
                    self.add("choices", number, column, f"the {column} is empty")
                continue
            if not CODE.match(code):
                reason = f"'{code}' is not a valid choice name: use a-z, 0-9 and _"
                self.add("choices", number, "name", reason)
            choices = lists.setdefault(list_name, [])
            if code in [c[1] for c in choices]:
                self.add("choices", number, "name", f"'{code}' appears twice in list {list_name}")
            vi, en = self._texts("choices", number, row, "label", code not in SPECIAL)
            choices.append((number, code, vi, en))
        return lists

    def _settings(self) -> str:
        """Check the settings sheet; return the form title (the module id when none)."""
        sheet = self.sheets.get("settings")
        if sheet is None or not sheet.rows:
            return self.module_id
        self._check_columns(sheet, SETTINGS_COLUMNS)
        number, row = sheet.rows[0]
        style = row.get("style", "pages")
        if style not in ("pages", "field-list"):
            self.add("settings", number, "style", f"style '{style}' is not supported")
        return row.get("form_title") or self.module_id

    def _survey(self, sheet: Sheet, lists: dict, form: Form) -> None:
        """Walk the survey rows: groups become pages, notes join the next question's hint."""
        self.names = self._names(sheet)
        done: dict[str, tuple[str, tuple]] = {}  # items on finished pages: name -> kind
        page, note = None, None
        for number, row in sheet.rows:
            kind, list_name = self._type(number, row)
            name = row.get("name", "")
            if kind == "begin_group":
                if page is not None:
                    self.add("survey", number, "type", "a group inside a group is not supported")
                    continue
                title = self._texts("survey", number, row, "label", False)
                page = self._page(name, title, number, form)
                page["condition"] = self._relevant(number, row, done, set())
                page["open"] = True
            elif kind == "end_group":
                if page is None or not page.get("open"):
                    self.add("survey", number, "type", "end_group without a begin_group")
                    continue
                self._close(page, note, number, form, done)
                page, note = None, None
            elif kind == "note":
                vi, en = self._texts("survey", number, row, "label", True)
                if row.get("relevant"):
                    self.add("survey", number, "relevant", "a note cannot have a condition")
                note = (note or (number, "", ""))[:1] + (
                    _join(note[1] if note else "", vi),
                    _join(note[2] if note else "", en),
                )
            elif kind is not None or row.get("type"):
                if page is not None:
                    page["questions"] = True
                if kind is None:
                    continue
                own = page is None
                if own:
                    page = self._page(f"{name}_page", None, number, form)
                on_page = {i["id"] for i in page["items"]}
                item = self._item(number, row, kind, list_name, lists, done, on_page)
                if item is not None:
                    form.rows[name] = number
                    if note:
                        item["hint_vi"] = _join(note[1], item.get("hint_vi", ""))
                        item["hint_en"] = _join(note[2], item.get("hint_en", ""))
                        note = None
                    page["items"].append(item)
                if own:
                    self._close(page, note, number, form, done)
                    page = None
        if page is not None:
            self.add("survey", page["row"], "type", "this group has no end_group")
        if note is not None:
            self.add("survey", note[0], "type", "a note must come before a question of its page")

    def _names(self, sheet: Sheet) -> dict[str, int]:
        """Return every name with its first row, reporting invalid and repeated names."""
        names: dict[str, int] = {}
        for number, row in sheet.rows:
            name = row.get("name", "")
            kind = row.get("type", "").strip().lower().replace(" ", "_")
            if kind == "end_group":
                continue
            if not name:
                self.add("survey", number, "name", "the name is empty")
            elif not SNAKE.match(name):
                reason = f"'{name}' is not a valid name: use a-z, 0-9 and _, starting with a letter"
                self.add("survey", number, "name", reason)
            elif name in names:
                self.add("survey", number, "name", f"'{name}' is used twice (row {names[name]})")
            else:
                names[name] = number
                self._check_base(number, name, kind)
        return names

    def _check_base(self, number: int, name: str, kind: str) -> None:
        """Report a name the questionnaire the module joins already uses."""
        if self.base is None:
            return
        where = f"{self.base.id} v{self.base.version}"
        pages = {page.id for page in self.base.pages}
        if kind == "begin_group" and name in pages:
            self.add("survey", number, "name", f"'{name}' is already a page of {where}")
        elif kind not in ("begin_group", "note") and name in self.base.items:
            self.add("survey", number, "name", f"'{name}' is already a question of {where}")
        elif kind not in ("begin_group", "note") and f"{name}_page" in pages:
            self.add("survey", number, "name", f"'{name}_page' is already a page of {where}")

    def _type(self, number: int, row: dict) -> tuple[str | None, str | None]:
        """Return (kind, choice list) of a row, or (None, None) after reporting why not."""
        raw = " ".join(row.get("type", "").split())
        lowered = raw.lower()
        if not raw:
            self.add("survey", number, "type", "the type is empty")
            return None, None
        if lowered in ("begin group", "begin_group", "end group", "end_group"):
            return lowered.replace(" ", "_"), None
        if lowered in ("integer", "decimal", "text", "note"):
            return lowered, None
        for alias in sorted(TYPE_ALIASES, key=len, reverse=True):
            if lowered.startswith(alias + " "):
                rest = raw[len(alias) :].split()
                if len(rest) != 1:
                    extra = " ".join(rest[1:])
                    self.add("survey", number, "type", f"'{extra}' after the list is not supported")
                    return None, None
                return TYPE_ALIASES[alias], rest[0]
        self.add("survey", number, "type", _unsupported(lowered))
        return None, None

    def _page(self, page_id: str, title, number: int, form: Form) -> dict:
        """Start a page (a group, or one question outside groups)."""
        vi, en = title if title and title[0] else (self.title, self.title)
        form.rows[f"page:{page_id}"] = number
        return {"id": page_id, "title_vi": vi, "title_en": en, "items": [], "row": number}

    def _close(self, page: dict, note, number: int, form: Form, done: dict) -> None:
        """Finish a page: apply the group's condition to its items and add it to the module."""
        if note is not None:
            self.add("survey", note[0], "type", "a note must come before a question of its page")
        if not page["items"]:
            if page.get("open") and not page.get("questions"):
                self.add("survey", page["row"], "type", "this group has no question")
            return
        condition = page.pop("condition", None)
        for item in page["items"]:
            if condition:
                own = item.get("show_if")
                item["show_if"] = {"all": [condition, own]} if own else condition
            done[item["id"]] = (item["type"], tuple(_codes(item)))
        form.module["pages"].append(
            {key: page[key] for key in ("id", "title_vi", "title_en", "items")}
        )

    def _relevant(self, number, row, done, on_page) -> dict | None:
        """Return the show_if of a row's relevant, or None (reporting an expression problem)."""
        text = row.get("relevant", "")
        if not text:
            return None

        def kind_of(name):
            if name in on_page:
                raise ExpressionError(
                    f"${{{name}}} is on the same page (group): a follow-up question goes in a "
                    "later group, so that the page works without JavaScript"
                )
            if name in done:
                return done[name]
            if self.base is not None and name in self.base.items:
                item = self.base.items[name]
                return item.type, item.all_codes()
            if name in self.names:
                raise ExpressionError(f"${{{name}}} comes later: a condition looks back only")
            raise ExpressionError(f"there is no question named {name} before this one")

        try:
            return read_relevant(text, kind_of)
        except ExpressionError as exc:
            self.add("survey", number, "relevant", f"{exc} (in {text!r})")
            return None

    def _item(self, number, row, kind, list_name, lists, done, on_page) -> dict | None:
        """Return one question's table, or None when it has problems."""
        before = len(self.problems)
        name = row.get("name", "")
        vi, en = self._texts("survey", number, row, "label", True)
        hint_vi, hint_en = self._texts("survey", number, row, "hint", False)
        model_type = {"select_one": "single", "select_multiple": "multiple"}.get(kind, kind)
        item = {"id": name, "type": model_type, "role": "open" if kind == "text" else "perception",
                "required": self._required(number, row), "text_vi": vi, "text_en": en}  # fmt: skip
        if hint_vi:
            item |= {"hint_vi": hint_vi, "hint_en": hint_en}
        if list_name is not None:
            self._options(number, item, lists, list_name)
        constraint = row.get("constraint", "")
        number_kind = {"integer": "number", "decimal": "decimal", "text": "text",
                       "select_multiple": "multiple"}  # fmt: skip
        if constraint:
            try:
                fields = read_constraint(constraint, number_kind.get(kind, kind))
            except ExpressionError as exc:
                self.add("survey", number, "constraint", f"{exc} (in {constraint!r})")
            else:
                self._constrain(number, item, fields)
        elif kind in ("integer", "decimal"):
            reason = f"an {kind} needs a range, e.g. '. >= 0 and . <= 100'"
            if kind == "decimal":
                reason = "a decimal needs a range, e.g. '. >= 0 and . <= 99.5'"
            self.add("survey", number, "constraint", reason)
        show_if = self._relevant(number, row, done, on_page | {name})
        if show_if:
            item["show_if"] = show_if
        return item if len(self.problems) == before else None

    def _required(self, number: int, row: dict) -> bool:
        """Return the required flag (XLSForm's default: not required)."""
        value = row.get("required", "").lower()
        if value not in YES | NO:
            self.add("survey", number, "required", f"required must be yes or no, not {value!r}")
        return value in YES

    def _options(self, number: int, item: dict, lists: dict, list_name: str) -> None:
        """Fill a choice question's options and special answers from its list."""
        if list_name not in lists:
            where = "" if "choices" in self.sheets else " (the workbook has no choices sheet)"
            reason = f"there is no choice list '{list_name}' on the choices sheet{where}"
            self.add("survey", number, "type", reason)
            return
        choices = lists[list_name]
        item["options"] = [
            {"code": code, "vi": vi, "en": en} for _, code, vi, en in choices if code not in SPECIAL
        ]
        special = [code for _, code, _, _ in choices if code in SPECIAL]
        if special:
            item["special"] = special
        if len(item["options"]) < 2:
            self.add("survey", number, "type", f"list '{list_name}' needs at least two choices")

    def _constrain(self, number: int, item: dict, fields: dict) -> None:
        """Apply a constraint's fields: range, length, exclusive options."""
        for code in fields.pop("exclusive", []):
            option = next((o for o in item.get("options", []) if o["code"] == code), None)
            if option is None:
                self.add("survey", number, "constraint", f"the list has no choice '{code}'")
            else:
                option["exclusive"] = True
        item.update(fields)


def _codes(item: dict) -> list[str]:
    """Return an item table's answer codes."""
    return [o["code"] for o in item.get("options", [])] + list(item.get("special", []))


def _join(first: str, second: str) -> str:
    """Join two texts with a space (either may be empty)."""
    return " ".join(part for part in (first, second) if part)


def _unsupported(kind: str) -> str:
    """Say why a type is refused."""
    word = kind.split()[0] if kind else kind
    if word in METADATA:
        return f"type '{word}' is not supported: no device data is collected; delete the row"
    if word in ("begin_repeat", "begin") and "repeat" in kind:
        return "repeats are not supported: write each question once"
    if word in LIST_TYPES:
        kind = word  # the rest is its list
    return f"type '{kind}' is not supported"


def read_form(path: Path, module_id: str | None = None, base=None, core=False) -> Form:
    """Read an XLSForm file into a module table; raise FormRefused listing every problem.

    ``base`` is the questionnaire the module will join: its questions may be referred to.
    """
    sheets = read_sheets(path)
    settings = sheets.get("settings")
    form_id = settings.rows[0][1].get("form_id", "") if settings and settings.rows else ""
    module_id = module_id or form_id or path.stem
    problems = []
    if not SNAKE.match(module_id):
        where = ("settings", 2, "form_id") if form_id and module_id == form_id else (None,) * 3
        reason = f"'{module_id}' cannot be a module id: use a-z, 0-9 and _ (or give --id)"
        problems.append(Problem(*where, reason))
    elif base is not None and module_id in {m.id for m in base.modules}:
        reason = f"'{module_id}' is already a module of {base.id} v{base.version}"
        problems.append(Problem(None, None, None, reason + " (give another --id)"))
    reader = _Reader(sheets, module_id, base, core)
    try:
        form = reader.read()
    except FormRefused as exc:
        raise FormRefused(problems + exc.problems) from None
    if problems:
        raise FormRefused(problems)
    return form


def check_with(form: Form, base_table: dict, source: str):
    """Return the questionnaire of the base with the module added, checked by the loader.

    Raises FormRefused with the loader's problems, placed on the form's rows where it can.
    """
    table = dict(base_table)
    others = [m for m in table.get("modules", []) if m.get("id") != form.module["id"]]
    table["modules"] = others + [form.module]
    try:
        return from_raw(table, source)
    except QuestionnaireError as exc:
        raise FormRefused([_placed(error, form) for error in exc.errors]) from None


def _placed(error, form: Form) -> Problem:
    """Return a loader error as a problem on the form's row of its item or page."""
    message = error.message
    if error.item_id and error.item_id in form.rows:
        reason = message.removeprefix(f"item {error.item_id}: ")
        return Problem("survey", form.rows[error.item_id], None, reason)
    match = re.match(r"page (\w+): (.*)", message)
    if match and f"page:{match.group(1)}" in form.rows:
        return Problem("survey", form.rows[f"page:{match.group(1)}"], None, match.group(2))
    return Problem(None, None, None, message)
