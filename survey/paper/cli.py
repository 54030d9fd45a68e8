"""The ``papi-pulse print questionnaire`` command: the paper form as a PDF."""

import click
from flask import current_app
from flask.cli import with_appcontext

from survey import points
from survey.db import MAX_INTEGER
from survey.webdb import get_db

from . import pdf, store, wording


@click.group("print")
def print_group():
    """Print paper questionnaires for people who answer on paper."""


@print_group.command("questionnaire")
@click.option("--lang", type=click.Choice(wording.LANGS), default="vi", show_default=True,
              help="vi, or bilingual (English under the Vietnamese).")  # fmt: skip
@click.option(
    "--point",
    "point_id",
    type=click.IntRange(1, MAX_INTEGER),
    help="Collection point ID: its name and form numbers.",
)
@click.option(
    "--modules",
    type=click.Choice(["all", "drawn"]),
    default="all",
    show_default=True,
    help="all: every module on each form; drawn: the rotating modules drawn per form, as online"
    " (needs --point: each form's modules are kept with its number).",
)
@click.option("--copies", type=click.IntRange(1, store.MAX_COPIES), default=1, show_default=True,
              help="Forms to print; with --point, each gets the next form number.")  # fmt: skip
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The PDF file to write.")  # fmt: skip
@with_appcontext
def print_questionnaire(lang, point_id, modules, copies, output):
    """Write the current questionnaire as an A4 PDF in large type, skips written out.

    With --point, every copy carries the point's name and its own form number, reserved for
    data entry: numbers follow the highest one the point has used (--copies 20 after form 40
    prints forms 41 to 60), and the reservation is in the audit log. Without --point the form
    is blank: every module, the point and the number left to write by hand.
    """
    db = get_db()
    questionnaire = wording.current_questionnaire(current_app.config)
    point, forms = None, []
    if point_id is not None:
        point = points.get_point(db, point_id)
        if point is None:
            raise click.ClickException(f"There is no collection point {point_id}.")
        if not point["active"]:
            raise click.ClickException(
                f"Collection point {point_id} is inactive: reactivate it before printing forms."
            )
    elif modules == "drawn":
        raise click.UsageError(
            "--modules drawn needs --point: each form's drawn modules are kept with its number."
        )
    try:
        handle = open(output, "wb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}.") from None
    with handle:
        if point is not None:
            forms = store.reserve(db, point["id"], questionnaire, copies, modules == "drawn", None)
        sheets = wording.sheets(questionnaire, forms, lang, point)
        if point is None:
            sheets *= copies
        handle.write(pdf.pdf(sheets, questionnaire.title("vi")))
    if forms:
        click.echo(f"Wrote {output}: forms {forms[0].number} to {forms[-1].number}.")
    else:
        click.echo(f"Wrote {output}: {copies} blank form(s).")


def init_app(app) -> None:
    """Register the print command group."""
    app.cli.add_command(print_group)
