"""The questionnaire model: frozen dataclasses built and validated by the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from survey.locales import LOCALES

# PAPI's eight dimensions and their current (2021 onwards) sub-dimensions; 5.2 was dropped in 2021.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "d1": ("1.1", "1.2", "1.3", "1.4"),
    "d2": ("2.1", "2.2", "2.3", "2.4"),
    "d3": ("3.1", "3.2", "3.3"),
    "d4": ("4.1", "4.2", "4.3", "4.4"),
    "d5": ("5.1", "5.3", "5.4"),
    "d6": ("6.1", "6.2", "6.3", "6.4"),
    "d7": ("7.1", "7.2", "7.3"),
    "d8": ("8.1", "8.2", "8.3"),
}

ITEM_TYPES = ("yes_no", "single", "multiple", "likert5", "rating10", "integer", "decimal", "text")
ROLES = ("respondent", "weighting", "experience", "perception", "knowledge", "sipas", "open")
SPECIAL_CODES = ("dont_know", "refused")


def _pick(obj: object, name: str, lang: str) -> str:
    """Return the `name_<lang>` attribute of obj, refusing unknown languages."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LOCALES}")
    return getattr(obj, f"{name}_{lang}")


@dataclass(frozen=True)
class LoadError:
    """One problem found while loading a questionnaire file."""

    item_id: str | None
    message: str

    def __str__(self) -> str:
        return self.message


class QuestionnaireError(Exception):
    """Every problem found in a questionnaire file, reported together."""

    def __init__(self, errors: list[LoadError], source: str = "<string>"):
        self.errors = list(errors)
        self.source = source
        lines = "\n".join(f"- {e}" for e in self.errors)
        super().__init__(f"{source}: {len(self.errors)} error(s)\n{lines}")


@dataclass(frozen=True)
class Option:
    """One answer option; `special` options (don't know, refused) sit after a divider."""

    code: str
    vi: str
    en: str
    exclusive: bool = False
    special: bool = False

    def label(self, lang: str = "vi") -> str:
        """Return the option's label in lang."""
        if lang not in LOCALES:
            raise ValueError(f"unknown language {lang!r}; expected one of {LOCALES}")
        return getattr(self, lang)


@dataclass(frozen=True)
class Condition:
    """A parsed show_if/eligibility condition; leaves point back to an earlier item."""

    op: str  # leaves: in, not_in, answered, gte, lte; combinators: all, any, not
    item_id: str | None = None
    values: tuple = ()
    children: tuple[Condition, ...] = ()
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    item: Item | None = field(default=None, compare=False, hash=False, repr=False)

    def item_ids(self) -> set[str]:
        """Return the ids of every item this condition reads."""
        ids = {self.item_id} if self.item_id else set()
        for child in self.children:
            ids |= child.item_ids()
        return ids


@dataclass(frozen=True)
class PapiIndicator:
    """The PAPI indicator an item measures: its id, PAPI's Vietnamese name and the source."""

    id: str
    name_vi: str
    source: str


@dataclass(frozen=True)
class Scoring:
    """How an item feeds a PAPI-style indicator; see docs/QUESTIONNAIRE_FORMAT.md."""

    dimension: str
    subdimension: str
    indicator: str
    direction: str  # higher_better | lower_better
    score: dict[str, float] | None = field(default=None, hash=False)
    anchors: tuple[float, float] | None = None
    dont_know: str = "exclude"  # exclude | as_zero
    eligibility: Condition | None = None
    share_of: tuple[str, ...] | None = None  # scale items: 1 for these points, else 0
    place_based: bool = False  # about the place where the respondent lives
    papi: PapiIndicator | None = None
    exclude: tuple[str, ...] = ()  # options left out of the denominator ("still waiting")


@dataclass(frozen=True)
class Rules:
    """Scoring rules a questionnaire version declares; all off is v1's behaviour."""

    papi_mapping: bool = False  # every scored item names its PAPI indicator
    complete_subdimensions: bool = False  # a sub-dimension needs all its indicators
    perception_shares: bool = False  # scored perception scales say which points count
    residents_item: str | None = None  # yes_no item: place-based indicators need "yes"


@dataclass(frozen=True)
class Item:
    """One question."""

    id: str
    type: str
    text_vi: str
    text_en: str
    hint_vi: str = ""
    hint_en: str = ""
    options: tuple[Option, ...] = ()
    special: tuple[Option, ...] = ()
    required: bool = True
    min: int | Decimal | None = None  # decimal items: a Decimal with `decimals` places
    max: int | Decimal | None = None
    decimals: int | None = None  # decimal items: the most decimal places an answer has
    unit_vi: str = ""
    unit_en: str = ""
    max_length: int | None = None
    show_if: Condition | None = None
    role: str = "perception"
    weighting_variable: str | None = None
    scoring: Scoring | None = None
    module_id: str = ""
    page_id: str = ""
    low_vi: str = ""
    low_en: str = ""
    high_vi: str = ""
    high_en: str = ""
    warning_vi: str = ""
    warning_en: str = ""

    def text(self, lang: str = "vi") -> str:
        """Return the question text in lang."""
        return _pick(self, "text", lang)

    def hint(self, lang: str = "vi") -> str:
        """Return the hint in lang ("" when none)."""
        return _pick(self, "hint", lang)

    def unit(self, lang: str = "vi") -> str:
        """Return the unit of an integer or decimal item in lang ("" when none)."""
        return _pick(self, "unit", lang)

    def low(self, lang: str = "vi") -> str:
        """Return the label of the low end of a likert5/rating10 scale."""
        return _pick(self, "low", lang)

    def high(self, lang: str = "vi") -> str:
        """Return the label of the high end of a likert5/rating10 scale."""
        return _pick(self, "high", lang)

    def warning(self, lang: str = "vi") -> str:
        """Return the privacy warning of a text item ("" for other types)."""
        return _pick(self, "warning", lang)

    def all_codes(self) -> tuple[str, ...]:
        """Return every valid answer code: options, then special codes."""
        return tuple(o.code for o in self.options) + tuple(o.code for o in self.special)

    def option(self, code: str) -> Option:
        """Return the option (ordinary or special) with this code; KeyError if none."""
        for opt in self.options + self.special:
            if opt.code == code:
                return opt
        raise KeyError(code)


@dataclass(frozen=True)
class Page:
    """A screen of a few related questions."""

    id: str
    module_id: str
    title_vi: str
    title_en: str
    items: tuple[Item, ...]

    def title(self, lang: str = "vi") -> str:
        """Return the page title in lang."""
        return _pick(self, "title", lang)


@dataclass(frozen=True)
class Module:
    """A group of pages, either always shown (core) or rotating."""

    id: str
    title_vi: str
    title_en: str
    core: bool
    pages: tuple[Page, ...]

    def title(self, lang: str = "vi") -> str:
        """Return the module title in lang."""
        return _pick(self, "title", lang)

    @property
    def items(self) -> tuple[Item, ...]:
        """Return the module's items in order."""
        return tuple(item for page in self.pages for item in page.items)


@dataclass(frozen=True)
class Questionnaire:
    """One version of a questionnaire."""

    id: str
    version: int
    title_vi: str
    title_en: str
    intro_vi: str
    intro_en: str
    organiser_vi: str
    organiser_en: str
    rotating_modules_per_response: int
    modules: tuple[Module, ...]
    items: dict[str, Item] = field(hash=False)
    source: str = field(default="<string>", compare=False)
    rules: Rules = field(default_factory=Rules)

    def title(self, lang: str = "vi") -> str:
        """Return the title in lang."""
        return _pick(self, "title", lang)

    def intro(self, lang: str = "vi") -> str:
        """Return the start-page introduction in lang."""
        return _pick(self, "intro", lang)

    def organiser(self, lang: str = "vi") -> str:
        """Return the organiser's name in lang."""
        return _pick(self, "organiser", lang)

    @property
    def pages(self) -> tuple[Page, ...]:
        """Return every page in order."""
        return tuple(page for module in self.modules for page in module.pages)

    @property
    def core_modules(self) -> tuple[Module, ...]:
        """Return the modules every respondent sees."""
        return tuple(m for m in self.modules if m.core)

    @property
    def rotating_modules(self) -> tuple[Module, ...]:
        """Return the modules shown to a share of respondents."""
        return tuple(m for m in self.modules if not m.core)

    def module(self, module_id: str) -> Module:
        """Return the module with this id; KeyError if none."""
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def page(self, page_id: str) -> Page:
        """Return the page with this id; KeyError if none."""
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def scored_items(self) -> list[Item]:
        """Return the items that feed an indicator, in order."""
        return [item for item in self.items.values() if item.scoring is not None]
