"""Administrators manage staff accounts: create, edit, deactivate, assign scopes."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from survey import accounts
from survey.staff import auth
from survey.staff.auth import current_user, form_status, permission_required, role_label
from survey.webdb import get_db

bp = Blueprint("users", __name__, url_prefix="/staff/users")


class UserForm(FlaskForm):
    """An account: username (new only), name, role, scopes, active, password."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(message=_l("Enter a username.")),
            Regexp(
                accounts.USERNAME_PATTERN.pattern,
                message=_l(
                    "Use 3 to 40 lower-case letters, digits, dots, dashes or underscores, "
                    "starting with a letter or digit."
                ),
            ),
        ],
    )
    display_name = StringField(
        _l("Full name"),
        validators=[Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))],
    )
    role = SelectField(
        _l("Role"), validate_choice=False, validators=[DataRequired(message=_l("Choose a role."))]
    )
    scopes = StringField(
        _l("Area (unit codes)"),
        validators=[Optional(), Length(max=20000, message=_l("Use at most %(max)d characters."))],
    )
    active = BooleanField(_l("Account active"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[
            Optional(),
            auth.password_length(),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )


def _prepare(form: UserForm) -> UserForm:
    """Fill the role choices."""
    form.role.choices = [SelectChoice(role, role_label(role)) for role in accounts.ROLES]
    return form


def _scope_codes(text: str | None) -> list[str]:
    """Split the scope field on commas, semicolons and spaces."""
    return [code for code in re.split(r"[\s,;]+", text or "") if code]


def account_error(exc: accounts.AccountError) -> str:
    """Return the translated explanation of an account problem."""
    return {
        "username_taken": _("This username is already used."),
        "bad_username": _("This username cannot be used."),
        "bad_role": _("Choose a role."),
        "scope_required": _(
            "A province manager needs province codes and ward staff need ward codes."
        ),
        "scope_not_allowed": _(
            "Administrators and analysts see the whole country: leave the area empty."
        ),
        "unknown_scope": _(
            "These codes do not fit the role (province codes for a province "
            "manager, ward codes for ward staff): %(codes)s",
            codes=exc.detail,
        ),
        "password_too_short": _("The password is too short."),
        "password_too_long": _("The password is too long."),
        "own_access": _("You cannot remove your own administrator access."),
    }.get(exc.code, exc.code)


@bp.get("/")
@permission_required("manage_users")
def index():
    """List every account."""
    return render_template("staff/users/index.html", users=accounts.list_users(get_db()))


@bp.route("/new", methods=["GET", "POST"])
@permission_required("manage_users")
def create():
    """Create an account with a first password."""
    form = _prepare(UserForm())
    del form.active
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Enter a first password."))
        else:
            try:
                accounts.create(
                    get_db(),
                    current_user(),
                    form.username.data,
                    form.password.data,
                    form.role.data,
                    form.display_name.data or "",
                    _scope_codes(form.scopes.data),
                )
            except accounts.AccountError as exc:
                form.scopes.errors.append(account_error(exc))
            else:
                flash(_("The account has been created."), "info")
                return redirect(url_for("users.index"))
    return render_template(
        "staff/users/form.html", form=form, user=None, min_length=accounts.MIN_PASSWORD_LENGTH
    ), form_status()


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required("manage_users")
def edit(user_id):
    """Change an account's role, name, scopes and active flag, or set a new password."""
    db = get_db()
    user = accounts.get_user(db, user_id) or abort(404)
    form = _prepare(
        UserForm(data=user | {"scopes": " ".join(user["scopes"]), "active": bool(user["active"])})
    )
    del form.username
    if form.validate_on_submit():
        try:
            accounts.update(
                db,
                current_user(),
                user_id,
                form.role.data,
                form.display_name.data or "",
                form.active.data,
                _scope_codes(form.scopes.data),
                form.password.data,
            )
        except accounts.AccountError as exc:
            field = form.role if exc.code == "own_access" else form.scopes
            field.errors.append(account_error(exc))
        else:
            flash(_("The changes have been saved."), "info")
            return redirect(url_for("users.index"))
    return render_template("staff/users/form.html", form=form, user=user), form_status()
