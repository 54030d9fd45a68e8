"""Load a questionnaire TOML file into the model, reporting every problem at once."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from . import amounts, placewords
from ._fields import QUESTIONNAIRE_ID, Report, Table, check_nfc
from .conditions import Scope
from .items import build_item
from .model import LoadError, Module, Page, Questionnaire, QuestionnaireError, Rules

TOP_KEYS = {
    "id", "version", "title_vi", "title_en", "intro_vi", "intro_en", "organiser_vi",
    "organiser_en", "rotating_modules_per_response", "modules", "rules",
}  # fmt: skip
RULE_KEYS = {"papi_mapping", "complete_subdimensions", "perception_shares", "residents_item"}
MODULE_KEYS = {"id", "title_vi", "title_en", "core", "pages"}
PAGE_KEYS = {"id", "title_vi", "title_en", "items"}


def load(path: str | Path) -> Questionnaire:
    """Load and validate the questionnaire file at path."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QuestionnaireError([LoadError(None, f"file is not UTF-8: {exc}")], str(path)) from exc
    return loads(text, source=str(path))


def loads(text: str, source: str = "<string>") -> Questionnaire:
    """Parse and validate questionnaire TOML text; raise QuestionnaireError listing all errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError([LoadError(None, f"TOML syntax error: {exc}")], source) from exc
    return from_raw(raw, source)


def from_raw(raw: dict, source: str = "<string>") -> Questionnaire:
    """Validate a parsed questionnaire table; raise QuestionnaireError listing all errors."""
    report = Report()
    check_nfc(raw, report)
    _check_placeholders(raw, report)
    questionnaire = _Builder(raw, report).build()
    if report.errors:
        raise QuestionnaireError(report.errors, source)
    return replace(questionnaire, source=source)


class _Builder:
    """Build the model page by page, so conditions can only see items on earlier pages."""

    def __init__(self, raw: dict, report: Report):
        self.raw, self.report = raw, report
        self.items: dict = {}  # items on completed pages, in order
        self.seen: set[str] = set()  # every item id met so far (for duplicates)
        self.module_ids: set[str] = set()
        self.page_ids: set[str] = set()
        self.weighting: set[str] = set()
        self.page_item_ids: list[set[str]] = []  # item ids of each page, from a first pass
        self.rotating: set[str] = set()
        self.page_index = 0

    def build(self) -> Questionnaire:
        """Return the questionnaire (meaningful only if no error was reported)."""
        t = Table(self.raw, self.report, where="questionnaire")
        t.check_keys(TOP_KEYS)
        qid = t.ident("id", QUESTIONNAIRE_ID)
        version = t.get("version", int, True, 0)
        if "version" in self.raw and version < 1:
            t.error("version must be a whole number from 1")
        texts = [*t.pair("title"), *t.pair("intro"), *t.pair("organiser")]
        per_response = t.get("rotating_modules_per_response", int, True, 0)
        raw_modules = t.get("modules", list, True, [])
        if "modules" in self.raw and not raw_modules:
            t.error("needs at least one [[modules]]")
        self._first_pass(raw_modules)
        modules = tuple(
            m for i, raw in enumerate(raw_modules) if (m := self._module(raw, i)) is not None
        )
        if not 0 <= per_response <= len(self.rotating):
            t.error(
                f"rotating_modules_per_response is {per_response}, but there are "
                f"{len(self.rotating)} rotating modules"
            )
        self._check_indicators()
        self._check_amount_read_back(modules)
        rules = self._rules()
        return Questionnaire(
            qid, version, *texts, per_response, modules, dict(self.items), rules=rules
        )

    def _rules(self) -> Rules:
        """Return the version's scoring rules, checking every scored item keeps them."""
        raw = Table(self.raw, self.report, where="questionnaire").get("rules", dict, False, {})
        t = Table(raw, self.report, where="rules")
        t.check_keys(RULE_KEYS)
        rules = Rules(
            bool(t.flag("papi_mapping", False)),
            bool(t.flag("complete_subdimensions", False)),
            bool(t.flag("perception_shares", False)),
            t.get("residents_item", str, False, None),
        )
        scored = [i for i in self.items.values() if i.scoring is not None]
        for item in scored:
            if rules.papi_mapping and item.scoring.papi is None:
                self.report.add(
                    item.id,
                    "scoring: this version declares rules.papi_mapping, so every scored item "
                    "names the PAPI indicator it measures: papi = { id, name_vi, source }",
                )
            scale = item.type in ("likert5", "rating10") and item.role == "perception"
            if rules.perception_shares and scale and item.scoring.share_of is None:
                self.report.add(
                    item.id,
                    "scoring: this version declares rules.perception_shares, so a perception "
                    "scale says which points count: share_of = [...]",
                )
        resident = self.items.get(rules.residents_item) if rules.residents_item else None
        if rules.residents_item and (resident is None or resident.type != "yes_no"):
            t.error(f"residents_item {rules.residents_item!r} must name a yes_no item")
        elif resident is not None and (resident.show_if is not None or not self._is_core(resident)):
            t.error("residents_item must be asked of everyone: a core item without show_if")
        if any(i.scoring.place_based for i in scored) and resident is None:
            t.error("place_based indicators need rules.residents_item (who lives here)")
        return rules

    def _is_core(self, item) -> bool:
        """Tell whether the item's module is shown to every respondent."""
        return item.module_id not in self.rotating

    def _check_amount_read_back(self, modules: tuple[Module, ...]) -> None:
        """Require an always-shown page after each amount: that is where it is read back."""
        pages = [(module, page) for module in modules for page in module.pages]
        for index, (_, page) in enumerate(pages):
            amount_items = [i for i in page.items if amounts.item_unit(i) is not None]
            later = pages[index + 1 :]
            if amount_items and not any(
                m.core and any(i.show_if is None for i in p.items) for m, p in later
            ):
                self.report.add(
                    amount_items[0].id,
                    "an amount is read back on the next page, so a page of a core module "
                    "with an item that has no show_if must come after it",
                )

    def _first_pass(self, raw_modules: list) -> None:
        """Note each page's item ids and the rotating modules, to tell 'later' from 'unknown'."""
        for module in raw_modules:
            if not isinstance(module, dict):
                continue
            if module.get("core") is False and isinstance(module.get("id"), str):
                self.rotating.add(module["id"])
            for page in module.get("pages", []) if isinstance(module.get("pages"), list) else []:
                items = page.get("items", []) if isinstance(page, dict) else []
                items = items if isinstance(items, list) else []
                ids = {i.get("id") for i in items if isinstance(i, dict)}
                self.page_item_ids.append({i for i in ids if isinstance(i, str)})

    def _module(self, raw: object, index: int) -> Module | None:
        """Build one module and its pages."""
        opened = self._open(raw, "module", index, "", MODULE_KEYS, self.module_ids)
        if opened is None:
            return None
        t, module_id, title = opened
        core = t.flag("core")
        raw_pages = _children(t, raw, "pages", "modules.pages")
        pages = tuple(
            p for j, raw_page in enumerate(raw_pages)
            if (p := self._page(raw_page, module_id, j)) is not None
        )  # fmt: skip
        return Module(module_id, *title, bool(core), pages)

    def _page(self, raw: object, module_id: str, index: int) -> Page | None:
        """Build one page; its items become visible to conditions only after it."""
        opened = self._open(raw, "page", index, f" of module {module_id}", PAGE_KEYS, self.page_ids)
        if opened is None:
            return None
        t, page_id, title = opened
        raw_items = _children(t, raw, "items", "modules.pages.items")
        later = set().union(*self.page_item_ids[self.page_index + 1 :])
        on_page = self.page_item_ids[self.page_index] if self.page_item_ids else set()
        self.page_index += 1
        built = []
        for k, raw_item in enumerate(raw_items):
            scope = Scope(None, module_id, self.items, on_page, later, self.rotating, self.report)
            item = self._item(raw_item, module_id, page_id, k, scope)
            if item is not None:
                built.append(item)
        for item in built:
            self.items.setdefault(item.id, item)
        return Page(page_id, module_id, *title, tuple(built))

    def _open(self, raw: object, kind: str, index: int, of: str, keys, seen: set[str]):
        """Return a module's or page's (table, unique id, title), or None if it is no table."""
        if not isinstance(raw, dict):
            self.report.add(None, f"{kind} #{index + 1}{of} must be a table")
            return None
        t = Table(raw, self.report, where=f"{kind} {raw.get('id') or '#' + str(index + 1)}")
        t.check_keys(keys)
        return t, _unique(t, kind, seen), t.pair("title")

    def _item(self, raw: object, module_id: str, page_id: str, index: int, scope: Scope):
        """Build one item, checking its id is unique."""
        where = f"item #{index + 1} on page {page_id}"
        if not isinstance(raw, dict):
            self.report.add(None, f"{where} must be a table")
            return None
        item_id = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else None
        t = Table(raw, self.report, item_id, where)
        if item_id in self.seen:
            t.error(f"duplicate item id '{item_id}'")
        self.seen.add(item_id)
        scope.owner = item_id
        item = build_item(t, module_id, page_id, scope, self.weighting)
        return item if item_id else None

    def _check_indicators(self) -> None:
        """Report an indicator id used for two different sub-dimensions."""
        homes: dict[str, str] = {}
        for item in self.items.values():
            if item.scoring is None:
                continue
            home = homes.setdefault(item.scoring.indicator, item.scoring.subdimension)
            if home != item.scoring.subdimension:
                self.report.add(
                    item.id,
                    f"indicator '{item.scoring.indicator}' already belongs to subdimension {home}",
                )


def _check_placeholders(value: object, report: Report, item_id: str | None = None) -> None:
    """Report a {placeholder} in any text other than the place words {xa} and {thon}."""
    if isinstance(value, str):
        for found in placewords.unknown(value):
            report.add(item_id, f"unknown placeholder {found} (only {{xa}}, {{thon}}, {{truong}})")
    elif isinstance(value, dict):
        child_id = value.get("id") if isinstance(value.get("id"), str) else item_id
        for child in value.values():
            _check_placeholders(child, report, child_id if "type" in value else item_id)
    elif isinstance(value, list):
        for child in value:
            _check_placeholders(child, report, item_id)


def _children(t: Table, raw: dict, key: str, array: str) -> list:
    """Return a table's list of child tables; given but empty is an error."""
    children = t.get(key, list, True, [])
    if key in raw and not children:
        t.error(f"needs at least one [[{array}]]")
    return children


def _unique(t: Table, kind: str, seen: set[str]) -> str:
    """Return the table's id, reporting a duplicate among ids of the same kind."""
    value = t.ident("id")
    if value in seen:
        t.error(f"duplicate {kind} id '{value}'")
    seen.add(value)
    return value
