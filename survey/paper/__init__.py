"""Paper questionnaires: the printed form (numbers, boxes, skip instructions), its PDF, and the
form numbers reserved when printing, against which the paper answers are entered.

``layout`` builds a printed form from the questionnaire model (pure), ``skips`` derives its
skip instructions from the items' conditions (pure), ``pdf`` draws it with fpdf2 (pure),
``store`` reserves form numbers and stores an entered form (storage, ``db`` first). The web
pages are in ``survey/staff/paper.py``, the command in ``survey/paper/cli.py``.
"""
