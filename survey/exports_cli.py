"""The `papi-pulse export ...` and `papi-pulse import ...` commands.

Other areas add their own exports to the ``export`` group (``export estimates``).
"""

import sys

import click
from flask.cli import with_appcontext

from survey import csvout, exports, importer
from survey.periods import PeriodError, parse_period
from survey.webdb import get_db


@click.group("export")
def export_group():
    """Write data for analysts as CSV (UTF-8; --excel adds the byte-order mark and CRLF)."""


@click.group("import")
def import_group():
    """Read data exported by this or another installation."""


def _open_output(path: str | None):
    """Return the binary stream to write to: the file, or standard output for '-' or none."""
    if path in (None, "-"):
        return click.get_binary_stream("stdout"), False
    return open(path, "wb"), True  # noqa: SIM115 (closed by the caller)


def _write(table, excel: bool, output: str | None) -> int:
    """Stream a table as CSV to the output; return the bytes written."""
    stream, close = _open_output(output)
    try:
        return csvout.write(stream, table.header, table.rows, "excel" if excel else "plain",
                            prepared=True)  # fmt: skip
    finally:
        if close:
            stream.close()


def _filters(unit, period, questionnaire, include_excluded, exclude_flagged) -> exports.Filters:
    """Build export filters from command-line options, or fail with a clear message."""
    try:
        return exports.Filters(
            questionnaire=_questionnaire_key(questionnaire),
            unit=exports.parse_unit(unit) if unit else None,
            period=parse_period(period) if period else None,
            include_excluded=include_excluded,
            include_flagged=not exclude_flagged,
        )
    except (exports.ExportError, PeriodError) as exc:
        raise click.UsageError(str(exc)) from None


def _questionnaire_key(text: str | None) -> tuple[str, int] | None:
    """Return (id, version) of a --questionnaire option (None: the default questionnaire)."""
    if not text:
        return None
    found = exports.parse_questionnaire(text)
    return found.id, found.version


@export_group.command("responses")
@click.option("--labels", type=click.Choice(["vi", "en"]), help="Option labels, not codes.")
@click.option("--excel", is_flag=True, help="Byte-order mark and CRLF line ends, for Excel.")
@click.option("--unit", help="ward:CODE, province:CODE or point:ID (a bare code works too).")
@click.option("--period", help="2026, 2026-Q1, 2026-03 or 2026-01-01..2026-02-15 (local time).")
@click.option("--questionnaire", help="ID or ID:VERSION (default: the latest core version).")
@click.option("--include-excluded", is_flag=True, help="Also responses excluded in review.")
@click.option("--exclude-flagged", is_flag=True, help="Leave out responses with quality flags.")
@click.option("-o", "--output", help="File to write (default: standard output).")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes encoding the rows (1: none).")  # fmt: skip
@with_appcontext
def export_responses_command(labels, excel, unit, period, questionnaire, include_excluded,
                             exclude_flagged, output, processes):  # fmt: skip
    """Export responses: one row per response, one column per item (codes unless --labels)."""
    filters = _filters(unit, period, questionnaire, include_excluded, exclude_flagged)
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
    if output not in (None, "-"):
        click.echo(f"Wrote {output}.", err=True)


@export_group.command("codebook")
@click.option("--questionnaire", help="ID or ID:VERSION (default: the latest core version).")
@click.option("--excel", is_flag=True, help="Byte-order mark and CRLF line ends, for Excel.")
@click.option("-o", "--output", help="File to write (default: standard output).")
def export_codebook_command(questionnaire, excel, output):
    """Export the codebook: one row per item option, with wording, scoring and skip logic."""
    try:
        found = exports.parse_questionnaire(questionnaire)
    except exports.ExportError as exc:
        raise click.UsageError(str(exc)) from None
    _write(exports.export_codebook(found), excel, output)
    if output not in (None, "-"):
        click.echo(f"Wrote {output}.", err=True)


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
