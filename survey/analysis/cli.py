"""Commands: margins, baselines and targets load, the leaders' reports, export estimates."""

import itertools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from survey import (
    access,
    baselines,
    crosswalk,
    csvout,
    exportfiles,
    exports,
    margins,
    responses,
    targets,
    units,
)
from survey import estimation as estimates
from survey.analysis import overview_pdf, present, ward_report
from survey.estimation import names as estimate_names
from survey.exports_cli import cannot_write, format_option, write_file
from survey.locales import LOCALES
from survey.periods import PeriodError
from survey.questionnaire import catalogue
from survey.webdb import get_db


@click.group("margins")
def margins_cli():
    """Population margins used for weighting."""


def _load(file, load, error, sep="\n"):
    """Return what ``load`` made of the file's bytes, or stop with why it was not loaded."""
    try:
        return load(get_db(), None, file.read_bytes(), file.name)
    except error as exc:
        raise click.ClickException(f"{file.name} was not loaded:{sep}{exc}") from None


_file_argument = click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)


@margins_cli.command("load")
@_file_argument
@with_appcontext
def margins_load(file):
    """Load a margins CSV (unit_code,variable,category,population); it replaces the set in force."""
    loaded = _load(file, margins.upload, margins.MarginError)
    click.echo(f"Loaded margin set {loaded['id']} from {file.name}.")


@click.group("baselines")
def baselines_cli():
    """Official PAPI scores shown beside the estimates."""


@baselines_cli.command("load")
@_file_argument
@with_appcontext
def baselines_load(file):
    """Load official PAPI scores (the format of survey/data/papi_official_scores.csv)."""
    count = _load(file, baselines.upload, baselines.BaselineError, sep=" ")
    click.echo(f"Loaded {count} baseline values from {file.name}.")


@click.group("targets")
def targets_cli():
    """Provinces' PAPI plan targets, shown as progress beside the estimates."""


@targets_cli.command("load")
@_file_argument
@with_appcontext
def targets_load(file):
    """Load plan targets (province_code,year,dimension,target); all rows or none."""
    loaded = _load(file, targets.load, targets.TargetError)
    click.echo(f"Loaded {loaded['rows']} targets from {file.name} (set {loaded['id']}).")


@click.group("report")
def report_cli():
    """One-page reports for leaders (A4 PDF, Vietnamese unless --lang en)."""


def _report_period(text):
    """Return the period of --period, or stop with one line."""
    try:
        return estimates.parse_periods(text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None


def _report_options(command):
    """Give a report command its CODE argument and its --period and --lang options."""
    command = click.option("--lang", type=click.Choice(LOCALES), default="vi", show_default=True)(
        command
    )
    command = click.option(
        "--period", "period_text", required=True, help="2026-Q1, 2026-03, 2026, ..."
    )(command)
    return click.argument("code")(command)


@report_cli.command("ward")
@_report_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="PDF file.")
@with_appcontext
def report_ward(code, period_text, lang, output):
    """Write the one-page report of a ward or commune as an A4 PDF."""
    period = _report_period(period_text)
    if units.get_ward(get_db(), code) is None:
        raise click.ClickException(f"There is no ward or commune with code {code}.")
    data = ward_report.gather(get_db(), current_app.config, "ward", code, period, lang)
    _write(output, ward_report.render(data))
    click.echo(f"Wrote {output}.")


@report_cli.command("province")
@_report_options
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder.")
@with_appcontext
def report_province(code, period_text, lang, output):
    """Write the province's report, its overview of wards and one report per ward with answers."""
    period = _report_period(period_text)
    db = get_db()
    if units.get_province(db, code) is None:
        raise click.ClickException(f"There is no province with code {code}.")
    folder = Path(output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"Cannot write to {output}: {exc.strerror}.") from None
    config = current_app.config
    # The version most answered in the province that quarter, for the province and every ward.
    shown = ward_report.shown_questionnaire(db, config, period, code)
    key = (shown.id, shown.version)
    wards = responses.wards_with_responses(db, period, key, *access.within_province(code))
    # One engine run for the province and all its wards: a run per ward would read and
    # weight the province's answers 168 times over.
    found = ward_report.province_rows(db, config, code, period, shown)
    rows = found.get(("province", code), [])
    data = ward_report.gather(db, config, "province", code, period, lang, rows, shown)
    _write(folder / f"province-{code}-{period.label}.pdf", ward_report.render(data))
    every = [row for unit_rows in found.values() for row in unit_rows]
    data = overview_pdf.gather(db, code, period, every, lang)
    _write(folder / f"overview-{code}-{period.label}.pdf", overview_pdf.render(data))
    with click.progressbar(wards, label="Ward reports", file=sys.stderr) as bar:
        for ward in bar:
            rows = found.get(("ward", ward["code"]), [])
            data = ward_report.gather(db, config, "ward", ward["code"], period, lang, rows, shown)
            _write(folder / f"ward-{ward['code']}-{period.label}.pdf", ward_report.render(data))
    click.echo(
        f"Wrote the province report, its overview and {len(wards)} ward report(s) to {output}."
    )


def _write(path, data: bytes) -> None:
    """Write bytes to a file, or stop with one line."""
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror}.") from None


def questionnaire_option(text):
    """Return the questionnaire named ID:VERSION or ID (its current version); none: current."""
    try:
        return catalogue.current_questionnaire(text or current_app.config["QUESTIONNAIRE"])
    except KeyError:
        raise click.BadParameter(f"no shipped questionnaire {text!r}") from None


@click.command("estimates")
@format_option
@click.option(
    "--unit-type",
    type=click.Choice(["point", "ward", "province", "all"]),
    default="all",
    help="Units to report; 'all' means every kind.",
)
@click.option(
    "--period",
    "period_text",
    required=True,
    help="2026-Q1, 2026-03, 2026, rolling:2026-Q3 or 2026-01-01..2026-02-15.",
)
@click.option(
    "--unit",
    "unit_text",
    help="ward:CODE or province:CODE: only that unit (with --unit-type: its wards or points).",
)
@click.option("--questionnaire", help="ID or ID:VERSION (default: the current one).")
@click.option("--exclude-flagged", is_flag=True, help="Leave out responses with quality flags.")
@click.option(
    "--mode", type=click.Choice(["web", "paper"]), help="Only answers on a phone or on paper."
)
@click.option("--all-intervals", is_flag=True, help="Also compute intervals of suppressed cells.")
@click.option("--processes", default=1, show_default=True, help="Worker processes.")
@click.option("--excel", is_flag=True, help="Excel preset: byte-order mark and CRLF.")
@click.option("--labels", type=click.Choice(LOCALES), help="sav, dta: label language (vi).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default stdout).")
@with_appcontext
def export_estimates(
    fmt, unit_type, period_text, unit_text, questionnaire, exclude_flagged, mode, all_intervals,
    processes, excel, labels, output,
):  # fmt: skip
    """Export the long table of estimates with their method columns (CSV unless --format)."""
    try:
        period = estimates.parse_periods(period_text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    types = estimates.UNIT_TYPES if unit_type == "all" else (unit_type,)
    provinces = ward_scope = None
    if unit_text:
        types, provinces, ward_scope = _estimates_unit(get_db(), unit_text, unit_type)
    rows = estimates.run(
        get_db(),
        questionnaire_option(questionnaire),
        [period],
        types,
        include_flagged=not exclude_flagged,
        all_intervals=all_intervals,
        processes=processes,
        mode=mode,
        ward_scope=ward_scope,
        provinces=provinces,
    )
    if unit_text:
        first = next(rows, None)
        if first is None:
            raise click.ClickException(
                f"{unit_text} has no answers in {period.label}: there are no estimates to export."
            )
        rows = itertools.chain([first], rows)
    if fmt != "csv":
        write_file(lambda path: exportfiles.write_estimates(rows, path, fmt, labels), fmt, output,
                   excel)  # fmt: skip
        if output:
            click.echo(f"Wrote {output}.")
        return
    dialect = "excel" if excel else "plain"
    target = output or sys.stdout.buffer
    with force_locale("vi"):
        words = present.name_words()
    named = estimate_names.with_names(
        rows, get_db(), questionnaire_option(questionnaire), "vi", words
    )
    try:
        size = csvout.write(target, estimate_names.NAMED_COLUMNS, named, dialect)
    except OSError as exc:
        raise cannot_write(output, exc) from None
    if output:
        click.echo(f"Wrote {size} bytes to {output}.")


# The unit types an --unit of each kind contains, itself first.
_WITHIN = {"ward": ("ward", "point"), "province": ("province", "ward", "point")}


def _estimates_unit(db, text, unit_type):
    """Return (unit types, provinces, ward scope) of an --unit, or fail in one line."""
    try:
        kind, code = exports.parse_unit(text)
    except exports.ExportError as exc:
        raise click.ClickException(str(exc)) from None
    if kind not in _WITHIN:
        raise click.ClickException(
            f"--unit {text}: estimates are made for ward:CODE or province:CODE."
        )
    if unit_type != "all" and unit_type not in _WITHIN[kind]:
        raise click.ClickException(f"--unit {text} has no {unit_type} estimates inside it.")
    types = (kind,) if unit_type == "all" else (unit_type,)
    if kind == "ward":
        ward = units.get_ward(db, code)
        if ward is None:
            raise click.ClickException(f"There is no ward {code}.")
        return types, [ward["province_code"]], {code}
    if units.get_province(db, code) is None:
        raise click.ClickException(f"There is no province {code}.")
    return types, [code], None


@click.command("trend")
@click.option(
    "--from", "earlier", required=True, help="ID:VERSION@PERIOD, e.g. papi-pulse-core:1@2026-Q1."
)
@click.option(
    "--to", "later", required=True, help="ID:VERSION@PERIOD, e.g. papi-pulse-core:2@2026-Q2."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default stdout).")
@with_appcontext
def export_trend(earlier, later, output):
    """Export a trend between two periods, joined where the versions measure the same thing."""
    (q1, p1), (q2, p2) = _version_period(earlier, "--from"), _version_period(later, "--to")
    if q1.id != q2.id:
        raise click.BadParameter("both ends must be the same questionnaire", param_hint="--to")
    rows = crosswalk.trend(get_db(), q1, p1, q2, p2)
    try:
        size = csvout.write(output or sys.stdout.buffer, crosswalk.TREND_COLUMNS, rows, "plain")
    except OSError as exc:
        raise cannot_write(output, exc) from None
    if output:
        click.echo(f"Wrote {size} bytes to {output}.")


def _version_period(text, hint):
    """Return (questionnaire, period) of ID:VERSION@PERIOD."""
    name, _, period_text = text.partition("@")
    try:
        return questionnaire_option(name), estimates.parse_periods(period_text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None


def init_app(app) -> None:
    """Add the commands; `export estimates`, `export trend` join the `export` group."""
    app.cli.add_command(margins_cli)
    app.cli.add_command(baselines_cli)
    app.cli.add_command(targets_cli)
    app.cli.add_command(report_cli)
    group = app.cli.commands.get("export")
    if group is None:
        group = click.Group("export", help="Export data as CSV.")
        app.cli.add_command(group)
    group.add_command(export_estimates)
    group.add_command(export_trend)
