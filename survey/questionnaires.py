"""Which questionnaires exist and which one citizens get; ``papi-pulse questionnaire ...``.

``init_app`` loads the instance's questionnaires (``instance/questionnaires/``, see
``survey.questionnaire.instance``) beside the shipped ones, refuses to start when one is
wrong or when the ``QUESTIONNAIRE`` setting names none, and adds the commands: ``import``
(an XLSForm file becomes an instance module), ``list`` and ``export --xlsform``.
"""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey.config import ConfigError
from survey.questionnaire import QuestionnaireError, catalogue
from survey.questionnaire import instance as instance_files
from survey.questionnaire.tomlout import dumps_module
from survey.xlsform.reader import check_with, read_form
from survey.xlsform.workbook import FormRefused
from survey.xlsform.writer import ExportRefused, write_form

questionnaire_cli = AppGroup("questionnaire", help="Questionnaires and instance modules.")


def folder_of(app) -> Path:
    """Return the instance folder of the app's own questionnaires and modules."""
    return Path(app.instance_path) / "questionnaires"


def init_app(app) -> None:
    """Load the instance's questionnaires, check the QUESTIONNAIRE setting, add the commands."""
    try:
        catalogue.use_instance(folder_of(app))
    except QuestionnaireError as exc:
        raise ConfigError(str(exc)) from exc
    name = app.config["QUESTIONNAIRE"]
    try:
        catalogue.current_questionnaire(name)
    except KeyError:
        known = ", ".join(f"{qid}:{v}" for qid, v in sorted(catalogue.available()))
        raise ConfigError(
            f"QUESTIONNAIRE {name!r} names no questionnaire (give an id or id:version of: {known})"
        ) from None
    app.cli.add_command(questionnaire_cli)


def current_questionnaire():
    """Return the app's current questionnaire (the QUESTIONNAIRE setting's; see catalogue)."""
    return catalogue.current_questionnaire(current_app.config["QUESTIONNAIRE"])


def _refuse(problems) -> None:
    """Print one line per problem and stop with a non-zero exit."""
    for problem in problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(f"Nothing was written: {len(problems)} problem(s).")


@questionnaire_cli.command("import")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the form and say what would be written.")
@click.option("--id", "module_id", help="Module id (default: the form_id setting, or file name).")
@click.option("--core", is_flag=True, help="Ask the module of everyone (default: it rotates).")
@click.option("--replace", is_flag=True, help="Replace a module that no questionnaire includes.")
def import_command(form, dry_run, module_id, core, replace):
    """Read an XLSForm (.xlsx) into an instance module that a new questionnaire can include."""
    folder, base = folder_of(current_app), current_questionnaire()
    try:
        read = read_form(form, module_id, base=base, core=core)
        check_with(read, catalogue.table(base.id, base.version), f"{base.id} v{base.version}")
    except FormRefused as exc:
        _refuse(exc.problems)
    module_id = read.module["id"]
    target = instance_files.modules_folder(folder) / f"{module_id}.toml"
    users = instance_files.including(folder, module_id)
    if users:
        _refuse([f"module {module_id} is included by {', '.join(users)}: a questionnaire that "
                 "may have answers never changes; import it under another --id"])  # fmt: skip
    if target.exists() and not replace:
        _refuse([f"module {module_id} already exists ({target}): give --replace or another --id"])
    for warning in read.warnings:
        click.echo(f"note: {warning}", err=True)
    pages = read.module["pages"]
    count = sum(len(page["items"]) for page in pages)
    summary = f"module {module_id}: {count} question(s) on {len(pages)} page(s)"
    if dry_run:
        click.echo(f"{form.name}: {summary}; nothing written (--dry-run) to {target}.")
        return
    comment = (
        f"Imported from {form.name} by `papi-pulse questionnaire import`.\n"
        "Once a questionnaire includes this module, never edit it (see QUESTIONNAIRE_FORMAT.md)."
    )
    instance_files.write_module(folder, module_id, dumps_module(read.module, comment))
    catalogue.use_instance(folder)
    click.echo(f"Wrote {summary} to {target}.")


@questionnaire_cli.command("list")
def list_command():
    """List the questionnaires (the active one marked *) and the instance's modules."""
    folder, current = folder_of(current_app), current_questionnaire()
    click.echo("Questionnaires:")
    for (qid, version), q in sorted(catalogue.available().items()):
        mark = "*" if (qid, version) == (current.id, current.version) else " "
        where = "shipped" if catalogue.is_shipped(qid, version) else q.source
        modules = ", ".join(m.id for m in q.modules)
        click.echo(f"{mark} {qid} v{version}  {len(q.items)} questions  {where}  ({modules})")
    click.echo("* new respondents get this one (setting QUESTIONNAIRE).")
    try:
        modules = instance_files.read_modules(folder)
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from None
    if not modules:
        click.echo(f"No instance modules in {instance_files.modules_folder(folder)}.")
        return
    click.echo(f"Modules in {instance_files.modules_folder(folder)}:")
    for module_id, raw in modules.items():
        count = sum(len(p.get("items", [])) for p in raw.get("pages", []))
        users = ", ".join(instance_files.including(folder, module_id)) or "not included yet"
        kind = "core" if raw.get("core") else "rotating"
        click.echo(f"  {module_id}  {kind}  {count} questions  {raw.get('title_vi', '')}  "
                   f"included by: {users}")  # fmt: skip


@questionnaire_cli.command("export")
@click.option("--xlsform", is_flag=True, help="Write an XLSForm workbook (Kobo, ODK).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--questionnaire", "name", help="id or id:version (default: the active one).")
@click.option("--module", "module_id", help="Only this module.")
def export_command(xlsform, output, name, module_id):
    """Write the active questionnaire (or one module) as an XLSForm for face-to-face use."""
    if not xlsform:
        raise click.UsageError("Choose the format: --xlsform.")
    questionnaire = current_questionnaire()
    if name:
        try:
            questionnaire = catalogue.current_questionnaire(name)
        except KeyError:
            raise click.UsageError(f"There is no questionnaire {name!r}.") from None
    if module_id and module_id not in {m.id for m in questionnaire.modules}:
        raise click.UsageError(f"{questionnaire.id} v{questionnaire.version} has no module "
                               f"{module_id!r}.")  # fmt: skip
    try:
        count = write_form(output, questionnaire, module_id)
    except ExportRefused as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}.") from None
    what = f"module {module_id}" if module_id else f"{questionnaire.id} v{questionnaire.version}"
    click.echo(f"Wrote {what} ({count} questions) to {output}.")
