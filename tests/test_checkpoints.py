"""Checkpoint questions test reasoning, not the shape of the options (issue 17 part 3).

Static checks on every lesson's text source: at least two checkpoints, answer letters spread (no letter
for more than half of a lesson's checkpoints), and the right option not given away by being the longest.
The answers themselves never reach the student's kernel: each checkpoint's hidden test is a probe
judged against the reference run outside the sandbox (tests/test_lesson_contract.py checks that).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pytest

from tradeoffs.instructor.sources import text_source
from tradeoffs.lessons import all_lessons

ANSWER = re.compile(r'^(checkpoint_\w+) = "([a-d])"$', re.M)
OPTION = re.compile(r"^# - \*\*\(([a-d])\)\*\*\s*(.*)$")


@dataclass
class Checkpoint:
    name: str
    answer: str
    options: dict[str, str]


def checkpoints(lesson: str) -> list[Checkpoint]:
    """Each checkpoint's answer and the text of its options (the list just above its answer cell)."""
    text = text_source(lesson).read_text(encoding="utf-8")
    found = []
    for match in ANSWER.finditer(text):
        before = text[:match.start()]
        question = before[before.rindex("# %% [markdown]"):].splitlines()[1:]  # the last markdown cell above
        options: dict[str, str] = {}
        current = None
        for line in question:
            if line.startswith("# %%"):
                break
            opt = OPTION.match(line)
            if opt:
                current = opt.group(1)
                options[current] = opt.group(2)
            elif current and line.startswith("#   "):
                options[current] += " " + line[1:].strip()
            else:
                current = None
        found.append(Checkpoint(match.group(1), match.group(2), options))
    return found


@pytest.mark.parametrize("lesson", all_lessons())
def test_checkpoints_have_four_options_and_spread_answers(lesson):
    found = checkpoints(lesson)
    assert len(found) >= 2, f"{lesson}: give the lesson at least two checkpoints (one applying it to a new case)"
    for cp in found:
        assert sorted(cp.options) == ["a", "b", "c", "d"], f"{lesson}: {cp.name} options found: {sorted(cp.options)}"
    letters = Counter(cp.answer for cp in found)
    letter, count = letters.most_common(1)[0]
    assert count <= len(found) / 2, f"{lesson}: {count} of {len(found)} checkpoint answers are {letter!r}"


def test_the_right_option_is_not_the_longest():
    """Across the course, the right option is the single longest in at most a quarter of checkpoints."""
    found = [cp for lesson in all_lessons() for cp in checkpoints(lesson)]
    longest = [cp.name for cp in found
               if len(cp.options[cp.answer]) > max(len(t) for k, t in cp.options.items() if k != cp.answer)]
    assert len(longest) <= len(found) / 4, f"the right option is the longest in {longest}"


def test_answer_letters_are_spread_over_the_course():
    letters = Counter(cp.answer for lesson in all_lessons() for cp in checkpoints(lesson))
    total = sum(letters.values())
    assert all(letters[x] >= total / 8 for x in "abcd"), f"answer letters over the course: {dict(letters)}"


SEED_QUESTIONS = {  # the study guide's four checkpoint questions (docs/cloud-map.md) and where they are graded
    "02-metrics": "checkpoint_imbalance",
    "04-early-stopping": "checkpoint_bill",
    "06-distributed": "checkpoint_money",
    "09-capstone": "checkpoint_dilemma",
}


@pytest.mark.parametrize("lesson,name", SEED_QUESTIONS.items())
def test_the_seed_questions_are_graded_checkpoints(lesson, name):
    assert name in {cp.name for cp in checkpoints(lesson)}, f"{lesson} lost the seed's checkpoint {name}"
    cells = [line for line in text_source(lesson).read_text(encoding="utf-8").splitlines()
             if f'"grade_id": "test_{name}"' in line]
    assert len(cells) == 1 and '"grade": true' in cells[0] and '"points": 1.0' in cells[0], \
        f"{lesson}: {name} has no graded one-point test cell"
