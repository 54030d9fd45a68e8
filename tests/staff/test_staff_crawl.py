"""Every staff and analyst page, for each role, in real Chromium: reachable, accessible, valid.

One crawl serves three checks. For each role it signs in through the form, then follows only
links from the staff home, breadth first, one URL per route and set of query names (a GET form
sent as it stands, nothing typed, counts as a link: it is how the responses download is
reached); then it opens every GET route of tests/staff_matrix.py with the matrix world's
parameters, and sends each form of the matrix the role may send empty, to show its errors.
Every HTML page is checked by axe-core (no serious or critical violation) and saved; the Nu
HTML checker then reads all saved pages in one Java run (no error). Every GET route a role may
open must be reached through links alone. A few citizen pages go through the same checks.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from survey.webdb import open_db
from tests import page_checks
from tests.browser_support import chromium, live_app, tap_and_wait
from tests.factories import PASSWORD, make_flagged_response, make_responses, make_world
from tests.staff_matrix import ROUTES, add_matrix_data, fill

pytestmark = pytest.mark.browser

ROLES = ("administrator", "province_manager", "ward_staff", "analyst")
# Areas the crawler stays in: staff and analyst pages (citizen pages are opened by name).
AREAS = ("/staff/", "/analysis/")


@dataclass
class Page:
    """One page shown in Chromium: who saw it, how it was reached, its HTML and axe findings."""

    role: str
    how: str
    method: str
    path: str
    status: int
    html: bytes
    violations: list = field(default_factory=list)
    sent: int | None = None  # status of the POST when the page answers a form sent empty


@dataclass
class RoleCrawl:
    """What the crawl of one role found."""

    role: str
    reached: dict = field(default_factory=dict)  # rule -> first path reached by links
    broken: list = field(default_factory=list)  # (from, link, status) of links that fail
    unsent: list = field(default_factory=list)  # form pages whose form was not found
    pages: list = field(default_factory=list)


class Crawler:
    """Drive one Chromium over a live app, keeping every HTML page it is shown."""

    def __init__(self, driver, app, base, recorder):
        self.driver, self.app, self.base, self.recorder = driver, app, base, recorder
        self.adapter = app.url_map.bind("127.0.0.1")

    def rule(self, path: str, method: str = "GET") -> str | None:
        """Return the URL rule a path is served by, or None if it is not a route."""
        try:
            rule, _args = self.adapter.match(urlsplit(path).path, method=method, return_rule=True)
        except RequestRedirect as redirect:
            return self.rule(urlsplit(redirect.new_url).path, method)
        except (NotFound, MethodNotAllowed):
            return None
        return rule.rule

    def key(self, path: str, choice: str = "") -> tuple:
        """Return what makes a link new to the crawl: its route, query names, option picked."""
        parts = urlsplit(path)
        names = frozenset(name for name, _value in parse_qsl(parts.query, keep_blank_values=True))
        return self.rule(path) or parts.path, names, choice

    def here(self) -> str:
        """Return the path and query of the page shown."""
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def open(self, path: str):
        """Open a path; return (responses to it and its redirects, HTML page shown or None).

        None is returned for the page when the last response is a download (Chromium
        refuses it and stays where it was) or when the server did not answer.
        """
        mark = len(self.recorder.seen)
        self.driver.get(self.base + path)
        chain = [self.recorder.first_since(mark, "GET", path)]
        while chain[-1] is not None and 300 <= chain[-1]["status"] < 400:
            chain.append(self.recorder.first_since(mark, "GET", chain[-1]["location"]))
        last = chain[-1]
        shown = last if last is not None and last["html"] is not None else None
        return [answer for answer in chain if answer is not None], shown

    def check(self, crawl: RoleCrawl, how: str, shown: dict) -> Page:
        """Run axe over the page shown and keep it with its HTML."""
        page = Page(crawl.role, how, shown["method"], shown["path"], shown["status"], shown["html"])
        page.violations = page_checks.run_axe(self.driver)
        crawl.pages.append(page)
        return page

    def links(self) -> list[tuple[str, str, str]]:
        """Return the staff-area links and GET forms of the page shown (see LINKS)."""
        found = self.driver.execute_script(LINKS)
        paths = []
        for url, kind, choice in found:
            parts = urlsplit(url)
            if url.startswith(self.base) and parts.path.startswith(AREAS):
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                paths.append((path, kind, choice))
        return paths

    def follow_links(self, crawl: RoleCrawl, start: str) -> None:
        """Visit, breadth first, every new kind of link reachable from start.

        A page reached by picking another option of a form is followed, not checked: the
        same page as it stands was (reviews and audit filters alone offer dozens of options).
        """
        queue, seen, urls = [(None, start, "link", "")], {self.key(start)}, {start}
        while queue:
            origin, path, kind, choice = queue.pop(0)
            chain, shown = self.open(path)
            status = chain[-1]["status"] if chain else None
            # A link must work; a form sent as it stands may say what is missing or not found.
            if status is None or status >= 500 or kind == "link" and status >= 400:
                crawl.broken.append((origin, path, status))
            for answer in chain:
                if answer["status"] < 400 and (rule := self.rule(answer["path"])) is not None:
                    crawl.reached.setdefault(rule, answer["path"])
            if shown is None:
                continue
            if not choice:
                self.check(crawl, f"link from {origin}", shown)
            for link, kind, choice in self.links():
                if self.key(link, choice) not in seen and link not in urls:
                    seen.add(self.key(link, choice))
                    urls.add(link)
                    queue.append((path, link, kind, choice))

    def submit_empty(self, crawl: RoleCrawl, page_path: str, action: str) -> Page | None:
        """Open a form page, empty its fields, submit it; check the page that answers.

        Return None, sending nothing, if the form has no field a person fills: it confirms an
        action (replace a code, deactivate), and sending it would act. Raise LookupError if
        the page has no such form.
        """
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        _chain, shown = self.open(page_path)
        forms = [
            form
            for form in self.driver.find_elements(By.CSS_SELECTOR, "main form[method=post]")
            if urlsplit(self.action(form)).path == urlsplit(action).path
        ]
        if shown is None or shown["status"] != 200 or not forms:
            raise LookupError(f"no form posting to {action} on {page_path}")
        if not self.driver.execute_script(HAS_FIELDS, forms[0]):
            return None
        old = self.driver.find_element(By.TAG_NAME, "html")
        mark = len(self.recorder.seen)
        self.driver.execute_script(EMPTY_AND_SUBMIT, forms[0])
        WebDriverWait(self.driver, 15).until(expected_conditions.staleness_of(old))
        WebDriverWait(self.driver, 15).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        posted = self.recorder.first_since(mark, "POST", urlsplit(action).path)
        shown = self.recorder.first_since(mark, None, self.here(), html=True)
        page = self.check(crawl, f"{page_path} submitted empty", shown)
        page.sent = posted["status"]
        return page

    def action(self, form) -> str:
        """Return the URL a form posts to (a field named "action" hides the DOM property)."""
        return self.driver.execute_script(
            "return new URL(arguments[0].getAttribute('action') || '', document.baseURI).href",
            form,
        )

    def sign_in(self, username: str) -> None:
        """Sign out whoever was signed in, and sign in through the form."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.delete_all_cookies()
        self.driver.get(f"{self.base}/staff/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(self.driver, 15).until(lambda d: "/staff/login" not in d.current_url)


# Every link but the language switch, as [url, "link", ""]; and each GET form as sent by each
# of its buttons, first with the values it shows (nothing typed), then with each other option of
# each of its lists and radio groups in turn, as [url, "form", "name=value" or ""]. Pressing
# such a button is following a link; picking an offered option is too.
LINKS = """
const links = document.querySelectorAll("a[href]:not([hreflang])");
const found = [...links].map(a => [a.href, "link", ""]);
for (const form of document.querySelectorAll("form")) {
  if ((form.getAttribute("method") || "get").toLowerCase() !== "get") continue;
  const buttons = [...form.querySelectorAll("button:not([type=button]), input[type=submit]")];
  const choices = [];
  for (const select of form.querySelectorAll("select:not([multiple])")) {
    for (const option of select.options) {
      if (!option.selected) choices.push([select.name, option.value]);
    }
  }
  for (const radio of form.querySelectorAll("input[type=radio]:not(:checked)")) {
    choices.push([radio.name, radio.value]);
  }
  for (const button of buttons.length ? buttons : [null]) {
    for (const choice of [null, ...choices]) {
      const data = new FormData(form, button);
      if (choice) data.set(choice[0], choice[1]);
      const url = new URL(form.getAttribute("action") || document.location.href, document.baseURI);
      url.search = new URLSearchParams(data).toString();
      found.push([url.href, "form", choice ? choice.join("=") : ""]);
    }
  }
}
return found;
"""

# Whether a form has a field a person fills (not only hidden fields and buttons).
HAS_FIELDS = """
return [...arguments[0].elements].some(
  el => !["hidden", "submit", "button", "reset"].includes(el.type) && el.tagName !== "FIELDSET");
"""

# Empty every field a person can change, then submit without the browser's own checks.
EMPTY_AND_SUBMIT = """
const form = arguments[0];
for (const el of form.elements) {
  if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
  if (el.type === "checkbox" || el.type === "radio") el.checked = false;
  else if (el.tagName === "SELECT") el.selectedIndex = -1;
  else el.value = "";
}
form.noValidate = true;
form.submit();
"""


def seed(db) -> dict:
    """Seed the matrix world, its flagged answer, and an answer of today (for the estimates)."""
    world = add_matrix_data(db, make_world(db))
    now = datetime.now(UTC)
    make_flagged_response(
        db,
        world["point"],
        "c0ffeec0ffeec0ffeec0ffeec0ffee00",
        started_at=(now - timedelta(minutes=6)).isoformat(timespec="seconds"),
        submitted_at=now.isoformat(timespec="seconds"),
        duration_seconds=360,
        flags=[],
    )
    # The pages read the current questionnaire: one answer of it, yesterday, so that ward
    # staff find their ward among those with answers and reach its estimates' links.
    make_responses(db, world["point"], 1, day=(now - timedelta(days=1)).date().isoformat())
    return world


def crawl_role(crawler: Crawler, world: dict, role: str) -> RoleCrawl:
    """Crawl everything one role can open: by links, by the matrix, and forms sent empty."""
    crawl = RoleCrawl(role)
    crawler.sign_in(world["users"][role]["username"])
    crawler.follow_links(crawl, "/staff/")
    visited = {(page.method, page.path) for page in crawl.pages}
    for route in ROUTES:
        path = fill(route.url, world)
        if route.method == "GET" and ("GET", path) not in visited:
            _chain, shown = crawler.open(path)
            if shown is not None:
                crawler.check(crawl, "matrix", shown)
    gets = [fill(r.url, world) for r in ROUTES if r.method == "GET"]
    sent = set()
    for route in ROUTES:
        action = fill(route.url, world)
        if route.method != "POST" or action in sent or route.expected[role] in (403, 404):
            continue
        sent.add(action)
        # The form is on a GET page of the same address (paper entry's is on ?form_number=1);
        # an action without such a page (sign out, reactivate) is a button, not a form.
        pages = [get for get in gets if urlsplit(get).path == urlsplit(action).path]
        for page in pages:
            try:
                crawler.submit_empty(crawl, page, action)
                break
            except LookupError:
                continue
        else:
            if pages:
                crawl.unsent.append(action)
    return crawl


def citizen_pages(crawler: Crawler, world: dict) -> RoleCrawl:
    """Check the citizen pages a phone meets first, including a page sent with no answer."""
    from selenium.webdriver.common.by import By

    crawl = RoleCrawl("citizen")
    crawler.driver.delete_all_cookies()
    token = world["point"]["token"]
    for path in (f"/s/{token}", "/privacy", "/s/NOSUCHTOKEN0"):
        _chain, shown = crawler.open(path)
        crawler.check(crawl, "citizen", shown)
    crawler.open(f"/s/{token}")
    mark = len(crawler.recorder.seen)
    tap_and_wait(crawler.driver, "main form[method=post] button[type=submit]")
    first = crawler.here()
    crawler.check(crawl, "citizen", crawler.recorder.first_since(mark, None, first, html=True))
    action = crawler.action(crawler.driver.find_element(By.CSS_SELECTOR, "main form[method=post]"))
    assert crawler.submit_empty(crawl, first, action) is not None
    return crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Crawl every role once with one Chromium; return the crawls, saved files and seconds."""
    page_checks.need_checkers()
    tmp = tmp_path_factory.mktemp("crawl")
    began = time.monotonic()
    with live_app(tmp / "instance") as (app, base):
        recorder = page_checks.Recorder(app.wsgi_app)
        app.wsgi_app = recorder
        db = open_db(app)
        try:
            world = seed(db)
        finally:
            db.close()
        with chromium(tmp / "chromium", size=(1280, 1000)) as driver:
            # Downloads (CSV, PDF, PNG, SVG) are recorded by the server, not saved by Chromium.
            driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "deny"})
            crawler = Crawler(driver, app, base, recorder)
            crawls = {role: crawl_role(crawler, world, role) for role in ROLES}
            crawls["citizen"] = citizen_pages(crawler, world)
            allowed = {role: allowed_rules(crawler, world, role) for role in ROLES}
            csp_blocks_inline = csp_blocks_inline_script(driver)
    saved = save_pages(tmp / "html", [p for c in crawls.values() for p in c.pages])
    validity = page_checks.run_vnu(list(saved))
    seconds = time.monotonic() - began
    counts = ", ".join(f"{role} {len(crawl.pages)}" for role, crawl in crawls.items())
    print(f"crawled {len(saved)} pages ({counts}) in {seconds:.0f} s")
    return {
        "crawls": crawls,
        "saved": saved,
        "validity": validity,
        "inline": csp_blocks_inline,
        "allowed": allowed,
    }


def allowed_rules(crawler: Crawler, world: dict, role: str) -> set[str]:
    """Return the URL rules of the matrix's GET routes the role may open."""
    return {
        crawler.rule(fill(route.url, world))
        for route in ROUTES
        if route.method == "GET" and route.expected[role] == 200
    }


def csp_blocks_inline_script(driver) -> bool:
    """Tell whether the page's CSP stops a script the page adds itself (axe ran regardless)."""
    return driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__inlineRan = true';"
        "document.head.appendChild(s);"
        "return window.__inlineRan !== true;"
    )


def save_pages(folder, pages: list[Page]) -> dict:
    """Write each page's HTML to its own file; return {file: page}."""
    folder.mkdir()
    saved = {}
    for number, page in enumerate(pages):
        path = folder / f"{number:03d}-{page.role}.html"
        path.write_bytes(page.html)
        saved[path] = page
    return saved


def report(found: dict) -> str:
    """Return one line per problem of each page, for a failure message."""
    return "\n".join(
        f"{page}: {problem}" for page, problems in found.items() for problem in problems
    )


def describe(page: Page) -> str:
    """Name a page for a failure message."""
    return f"{page.method} {page.path} ({page.status}, {page.how})"


@pytest.mark.parametrize("role", [*ROLES, "citizen"])
def test_no_serious_or_critical_axe_violation(crawled, role):
    crawl = crawled["crawls"][role]
    found = {
        describe(page): [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}" for v in bad]
        for page in crawl.pages
        if (bad := page_checks.failing(page.violations))
    }
    assert found == {}, report(found)
    assert crawled["inline"], "axe was injected, yet the page's CSP let an inline script run"


def test_every_page_is_valid_html(crawled):
    errors = {
        describe(crawled["saved"][path]): problems
        for path, problems in crawled["validity"].items()
        if problems
    }
    assert errors == {}, report(errors)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_may_use_is_reachable_by_links(crawled, role):
    crawl = crawled["crawls"][role]
    unreached = sorted(set(crawled["allowed"][role]) - set(crawl.reached))
    assert unreached == [], "\n".join(unreached)
    assert crawl.broken == [], "\n".join(map(str, crawl.broken))


@pytest.mark.parametrize("role", ROLES)
def test_the_crawl_saw_the_error_pages(crawled, role):
    """Each form of the matrix the role may send was sent empty and showed its errors."""
    crawl = crawled["crawls"][role]
    assert crawl.unsent == []
    sent = [page for page in crawl.pages if page.sent is not None]
    # Sent empty, a form shows its errors (422), or its answers to check (paper entry, 200);
    # it never does anything (a redirect) and never fails.
    assert [f"{describe(page)}: {page.sent}" for page in sent if page.sent not in (200, 422)] == []
    assert [page for page in sent if page.sent == 422], "no form showed its errors"
