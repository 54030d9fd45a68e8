"""Sign-in, sign-out and password change, and the helpers every staff view uses.

Helpers: ``login_required``, ``permission_required(action)``, ``current_user()`` (a dict
without the password hash, or None) and the lookups ``get_ward_or_404`` /
``get_point_or_404`` which answer 404 for anything outside the user's scope, so that its
existence is not revealed either. The decisions themselves are ``survey.access``'s.
"""

import functools
import string
import time
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from survey import access, accounts, points, units
from survey.webdb import get_db

bp = Blueprint("auth", __name__, url_prefix="/staff")
# Sessions end after a working day even when nobody signs out.
SESSION_MAX_SECONDS = 12 * 3600
# "version" is accounts.session_version at sign-in: a new password or a sign-out changes it.
_SESSION_KEYS = ("user_id", "version", "login_at")


def password_length() -> Length:
    """Return the validator of the account password policy (its length), for every form."""
    return Length(
        min=accounts.MIN_PASSWORD_LENGTH,
        max=accounts.MAX_PASSWORD_LENGTH,
        message=_l("The password must have between %(min)d and %(max)d characters."),
    )


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(
        _l("Username"), validators=[DataRequired(message=_l("Enter your username."))]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password."))]
    )


class PasswordForm(FlaskForm):
    """Current password, and the new one twice."""

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Enter a new password.")),
            password_length(),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two new passwords are not the same."))],
    )


def current_user() -> dict | None:
    """Return the signed-in, active user of this request (without password hash), or None."""
    if "staff_user" in g:
        return g.staff_user
    user, user_id = None, session.get("user_id")
    if user_id is not None:
        user = accounts.get_user(get_db(), user_id)
        fresh = time.time() - session.get("login_at", 0) < SESSION_MAX_SECONDS
        if (
            user is None
            or not user["active"]
            or not fresh
            or session.get("version") != accounts.session_version(user)
        ):
            _forget_login()
            user = None
        else:
            user.pop("password_hash")
    g.staff_user = user
    return user


def _forget_login() -> None:
    """Remove the sign-in from the session, keeping the language choice."""
    for key in _SESSION_KEYS:
        session.pop(key, None)


def login_required(view):
    """Send anonymous visitors to the sign-in page (back here afterwards for a GET)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target))
        return view(*args, **kwargs)

    return wrapped


def permission_required(action: str):
    """Require sign-in and a role that ``access.can`` do the action; other roles get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not access.can(current_user(), action):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator


def get_ward_or_404(code: str) -> dict:
    """Return the ward if it exists and the user may see it; 404 otherwise."""
    ward = units.get_ward(get_db(), code)
    if ward is None or not access.can_see_ward(current_user(), ward):
        abort(404)
    return ward


def get_point_or_404(point_id: int) -> dict:
    """Return the collection point if the user may see its ward; 404 otherwise."""
    point = points.get_point(get_db(), point_id)
    if point is None or not access.can_see_row(current_user(), point):
        abort(404)
    return point


def form_status() -> int:
    """Return 422 for a submitted form being shown again (it had errors), else 200."""
    return 422 if request.method == "POST" else 200


def _safe_next(target: str | None) -> str:
    """Return target if it is a path on this site (non-ASCII percent-encoded), else the dashboard.

    Only ``/`` followed by anything but a second ``/`` is a path without scheme or host. But
    browsers drop tabs and newlines inside a URL and read a backslash as a slash, so that
    ``/%09/evil.example`` and ``/\\evil.example`` lead to another site, and a newline cannot go
    into a Location header at all: any control character, space or backslash is refused too.
    """
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or any(c <= " " or c in "\\\x7f" for c in target)
    ):
        return url_for("dashboard.index")
    return quote(target, safe=string.punctuation)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in with throttling and one generic failure message."""
    form = LoginForm()
    status = form_status()
    if form.validate_on_submit():
        db = get_db()
        keys = accounts.throttle_keys(
            form.username.data, request.remote_addr, current_app.config["SECRET_KEY"]
        )
        wait = accounts.take_attempt(db, keys)
        if wait:
            minutes = (wait + 59) // 60
            flash(
                ngettext(
                    "Too many failed attempts. Please wait %(num)d minute and try again.",
                    "Too many failed attempts. Please wait %(num)d minutes and try again.",
                    minutes,
                ),
                "error",
            )
            status = 429
        else:
            user = accounts.authenticate(db, form.username.data, form.password.data)
            if user is not None:
                return _sign_in(db, user, keys)
            flash(
                _("The username or password is not correct, or the account is disabled."), "error"
            )
            status = 401
    return render_template("staff/login.html", form=form), status


def _sign_in(db, user: dict, keys: list[str]):
    """Start a fresh session for the user (no fixation), audit it, go where they were going."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.update(user_id=user["id"], version=accounts.session_version(user), login_at=time.time())
    accounts.record_login(db, user, keys)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: the account's sessions end on the server, so a copied cookie dies too.

    A POST with the form token, so that no link can sign anyone out.
    """
    accounts.end_sessions(get_db(), current_user()["id"])
    _forget_login()
    flash(_("You are signed out, on this device and on every other one."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        db = get_db()
        user = current_user()
        try:
            changed = accounts.change_password(db, user, form.current.data, form.new.data)
        except accounts.AccountError:
            form.current.errors.append(_("The current password is not correct."))
        else:
            session["version"] = accounts.session_version(changed)
            flash(
                _(
                    "Your password has been changed. Other sessions of this account have "
                    "been signed out."
                ),
                "info",
            )
            return redirect(url_for("dashboard.index"))
    return render_template(
        "staff/password.html", form=form, min_length=accounts.MIN_PASSWORD_LENGTH
    ), form_status()


def init_app(app) -> None:
    """Make the signed-in user, ``can`` and the role names available to templates."""
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["can"] = access.can
    app.jinja_env.globals["role_label"] = role_label


def role_label(role: str) -> str:
    """Return the translated name of a role."""
    labels = {
        accounts.ADMINISTRATOR: _("Administrator"),
        accounts.PROVINCE_MANAGER: _("Province manager"),
        accounts.WARD_STAFF: _("Ward staff"),
        accounts.ANALYST: _("Analyst"),
    }
    return labels.get(role, role)
