"""Seed the peer survey: 30 five-point radio questions and one text question, all on one page."""

import os

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "peerproj"
django.setup()
from survey.models import Question, Survey  # noqa: E402 - after django.setup()

s = Survey.objects.create(
    name="PAPI peer",
    description="bench",
    need_logged_user=False,
    display_method=Survey.ALL_IN_ONE_PAGE,
)
for i in range(30):
    Question.objects.create(
        text=f"Question {i}", order=i, required=True, survey=s, type="radio", choices="1,2,3,4,5"
    )
Question.objects.create(text="Comment", order=99, required=False, survey=s, type="text")
print(s.id)
