"""The `papi-pulse export ...` and `papi-pulse import ...` commands.

Other areas add their own exports to the ``export`` group (``export estimates``), with
``format_option`` and ``write_file`` for the formats other than CSV.
"""

import shutil
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey import csvout, exportfiles, exports, importer, statout, xlsxout
from survey.locales import LOCALES
from survey.periods import PeriodError, parse_period
from survey.webdb import get_db


@click.group("export")
def export_group():
    """Write data for analysts: CSV (the default), Excel, SPSS or Stata files."""


def format_option(command):
    """Add the --format option (csv, xlsx, sav, dta) to an export command."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(exportfiles.FORMATS),
        default="csv",
        show_default=True,
        help="csv; xlsx (Excel, with a codebook sheet); sav (SPSS) or dta (Stata), which need"
        f" the stats extra: {statout.INSTALL_HINT}.",
    )(command)


def write_file(write, fmt: str, output: str | None, excel: bool = False) -> int:
    """Run write(path) for a non-CSV format into the output (a file, or standard output).

    Every refusal is one line and a non-zero exit: a format whose package is missing, a
    CSV-only option, more rows than an Excel sheet holds.
    """
    if excel:
        raise click.UsageError("--excel applies to CSV only; leave it out with --format " + fmt)
    try:
        exportfiles.check_format(fmt)
        if output not in (None, "-"):
            try:
                return write(output)
            except OSError as exc:
                raise cannot_write(output, exc) from None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export.{fmt}"
            result = write(path)
            with open(path, "rb") as data:
                sys.stdout.flush()
                shutil.copyfileobj(data, sys.stdout.buffer)
            return result
    except statout.StatsUnavailable:
        raise click.ClickException(
            f"SPSS and Stata files need the optional package pyreadstat: {statout.INSTALL_HINT}"
        ) from None
    except xlsxout.TooManyRows as exc:
        raise click.ClickException(_too_many_rows(exc)) from None
    except exports.ExportError as exc:
        raise click.UsageError(str(exc)) from None


def _too_many_rows(exc: xlsxout.TooManyRows) -> str:
    """Say that an export does not fit in an Excel sheet, and what to do."""
    size = f"{exc.rows:,} rows" if exc.rows is not None else "more rows"
    return (
        f"This export has {size}, more than the {exc.limit:,} an Excel sheet holds below its"
        " header: filter it (for example --unit or --period) or use --format csv, sav or dta."
    )


@click.group("import")
def import_group():
    """Read data exported by this or another installation."""


def cannot_write(path, exc: OSError) -> click.ClickException:
    """Say in one line that a file could not be written, and the system's reason."""
    return click.ClickException(f"Cannot write {path}: {exc.strerror}.")


def _open_output(path: str | None):
    """Return the binary stream to write to: the file, or standard output for '-' or none."""
    if path in (None, "-"):
        return click.get_binary_stream("stdout"), False
    try:
        return open(path, "wb"), True  # noqa: SIM115 (closed by the caller)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def _write(table, excel: bool, output: str | None) -> int:
    """Stream a table as CSV to the output; return the bytes written."""
    stream, close = _open_output(output)
    try:
        return csvout.write(stream, table.header, table.rows, "excel" if excel else "plain",
                            prepared=True)  # fmt: skip
    finally:
        if close:
            stream.close()


def _filters(
    unit, period, questionnaire, include_excluded, exclude_flagged, mode=None
) -> exports.Filters:
    """Build export filters from command-line options, or fail with a clear message."""
    try:
        return exports.Filters(
            questionnaire=_questionnaire_key(questionnaire),
            unit=exports.parse_unit(unit) if unit else None,
            period=parse_period(period) if period else None,
            include_excluded=include_excluded,
            include_flagged=not exclude_flagged,
            mode=mode,
        )
    except (exports.ExportError, PeriodError) as exc:
        raise click.UsageError(str(exc)) from None


def _questionnaire_key(text: str | None) -> tuple[str, int]:
    """Return (id, version) of a --questionnaire option (none: the current questionnaire)."""
    found = _questionnaire(text)
    return found.id, found.version


def _questionnaire(text: str | None):
    """Return the questionnaire of a --questionnaire option (none: the current one)."""
    return exports.parse_questionnaire(text, current_app.config["QUESTIONNAIRE"])


@export_group.command("responses")
@format_option
@click.option(
    "--labels",
    type=click.Choice(LOCALES),
    help="csv, xlsx: option labels, not codes; sav, dta: the language of the labels (vi).",
)
@click.option("--excel", is_flag=True, help="Byte-order mark and CRLF line ends, for Excel.")
@click.option("--unit", help="ward:CODE, province:CODE or point:ID (a bare code works too).")
@click.option("--period", help="2026, 2026-Q1, 2026-03 or 2026-01-01..2026-02-15 (local time).")
@click.option("--questionnaire", help="ID or ID:VERSION (default: the current one).")
@click.option("--include-excluded", is_flag=True, help="Also responses excluded in review.")
@click.option("--exclude-flagged", is_flag=True, help="Leave out responses with quality flags.")
@click.option(
    "--mode", type=click.Choice(exports.MODES), help="Only answers on a phone or on paper."
)
@click.option("-o", "--output", help="File to write (default: standard output).")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes encoding the rows (1: none).")  # fmt: skip
@with_appcontext
def export_responses_command(fmt, labels, excel, unit, period, questionnaire, include_excluded,
                             exclude_flagged, mode, output, processes):  # fmt: skip
    """Export responses: one row per response, one column per item (codes unless --labels)."""
    filters = _filters(unit, period, questionnaire, include_excluded, exclude_flagged, mode)
    if fmt != "csv":
        write_file(
            lambda path: exportfiles.write_responses(get_db(), path, fmt, filters, labels),
            fmt, output, excel,
        )  # fmt: skip
        _wrote(output)
        return
    try:
        chunks = exports.stream_responses(
            get_db(), filters, labels, "excel" if excel else "plain", processes=processes
        )
    except exports.ExportError as exc:
        raise click.UsageError(str(exc)) from None
    stream, close = _open_output(output)
    try:
        for chunk in chunks:
            stream.write(chunk)
    finally:
        if close:
            stream.close()
    _wrote(output)


def _wrote(output: str | None) -> None:
    """Say which file was written (nothing when the export went to standard output)."""
    if output not in (None, "-"):
        click.echo(f"Wrote {output}.", err=True)


@export_group.command("codebook")
@format_option
@click.option("--labels", type=click.Choice(LOCALES), help="sav, dta: label language (vi).")
@click.option("--questionnaire", help="ID or ID:VERSION (default: the current one).")
@click.option("--excel", is_flag=True, help="Byte-order mark and CRLF line ends, for Excel.")
@click.option("-o", "--output", help="File to write (default: standard output).")
@with_appcontext
def export_codebook_command(fmt, labels, questionnaire, excel, output):
    """Export the codebook: one row per item option, with wording, scoring and skip logic."""
    try:
        found = _questionnaire(questionnaire)
    except exports.ExportError as exc:
        raise click.UsageError(str(exc)) from None
    if fmt != "csv":
        write_file(lambda path: exportfiles.write_codebook(found, path, fmt, labels), fmt, output,
                   excel)  # fmt: skip
    else:
        _write(exports.export_codebook(found), excel, output)
    _wrote(output)


@import_group.command("responses")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_responses_command(file):
    """Import responses from a responses export (codes): every row or none."""
    try:
        count = importer.import_responses(get_db(), file, filename=file.name)
    except importer.ImportFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Nothing was imported: {len(exc.problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo(f"Imported {count} response(s).")


def init_app(app) -> None:
    """Register the export and import command groups."""
    app.cli.add_command(export_group)
    app.cli.add_command(import_group)
