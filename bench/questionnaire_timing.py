"""Print estimated completion times of the shipped questionnaires.

Run from the project root: `.venv/bin/python bench/questionnaire_timing.py`.
"""

from survey.locales import LOCALES
from survey.questionnaire import shipped
from survey.questionnaire.timing import (
    SECONDS_PER_ANSWER,
    WORDS_PER_MINUTE,
    items_seconds,
    path_extremes,
)


def minutes(seconds: float) -> str:
    """Format seconds as minutes and seconds."""
    return f"{int(seconds // 60)} min {round(seconds % 60):02d} s"


def main() -> None:
    """Print, for each questionnaire, each module's full length and the path extremes."""
    print(f"{WORDS_PER_MINUTE} words a minute, {SECONDS_PER_ANSWER} s an answer")
    for (qid, version), questionnaire in sorted(shipped().items()):
        print(
            f"\n{qid} v{version}: {len(questionnaire.items)} items, "
            f"{questionnaire.rotating_modules_per_response} rotating module(s) per response"
        )
        for module in questionnaire.modules:
            full = sum(items_seconds(page.items) for page in module.pages)
            kind = "core" if module.core else "rotating"
            print(
                f"  {module.id:<16} {kind:<8} {len(module.pages)} pages "
                f"{len(module.items):>2} items  up to {minutes(full)}"
            )
        for lang in LOCALES:
            shortest, longest = path_extremes(questionnaire, lang)
            print(f"  [{lang}] shortest {minutes(shortest)}, longest {minutes(longest)}")


if __name__ == "__main__":
    main()
