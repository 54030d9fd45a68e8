"""Which pages a respondent sees, in order, given the modules drawn and the answers so far.

Pure functions over the questionnaire model. A page counts when one of its items is shown.
Pages up to the current one are judged on the answers given; later pages whose conditions
read answers not given yet are counted as coming, so the page total never grows at the end.
"""

from survey.questionnaire.logic import is_answered, is_shown, visible_items
from survey.questionnaire.rotation import pages_for


def might_show(item, answers: dict) -> bool:
    """Tell whether an item is or may yet be shown: unknown until its conditions are answered."""
    if item.show_if is None:
        return True
    if all(is_answered(answers.get(ref)) for ref in item.show_if.item_ids()):
        return is_shown(item, answers)
    return True


def route(questionnaire, modules, answers: dict, current_id: str | None = None) -> list:
    """Return the pages this respondent sees; pages after current_id may be provisional."""
    pages = pages_for(questionnaire, modules)
    shown, passed_current = [], current_id is None
    for page in pages:
        if passed_current:
            keep = any(might_show(item, answers) for item in page.items)
        else:
            keep = bool(visible_items(page, answers))
        if keep:
            shown.append(page)
        if page.id == current_id:
            passed_current = True
    return shown


def next_page(questionnaire, modules, answers: dict, current_id: str):
    """Return the first page after current_id that has a shown item, or None at the end."""
    pages = pages_for(questionnaire, modules)
    ids = [page.id for page in pages]
    for page in pages[ids.index(current_id) + 1 :]:
        if visible_items(page, answers):
            return page
    return None


def previous_page(questionnaire, modules, answers: dict, current_id: str):
    """Return the last page before current_id that has a shown item, or None at the start."""
    pages = pages_for(questionnaire, modules)
    ids = [page.id for page in pages]
    for page in reversed(pages[: ids.index(current_id)]):
        if visible_items(page, answers):
            return page
    return None


def first_incomplete(questionnaire, modules, answers: dict):
    """Return the first page with a required, shown item left unanswered, or None."""
    for page in pages_for(questionnaire, modules):
        for item in visible_items(page, answers):
            if item.required and not is_answered(answers.get(item.id)):
                return page
    return None
