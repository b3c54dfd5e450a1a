"""An offline judge for `llm-judge` and `factuality`: reads the rubric, the question, the
reference answer and the answer under review from the judge prompt and returns the JSON verdict
`{"pass": ..., "score": ..., "reasoning": ...}` (or a factuality `{"verdict": ...}`) from word
overlap. Deterministic, and crude in
the ways a reader can predict: it rewards shared key terms and penalises rambling.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evaltui.providers.demo.reading import content_words

SECTION_NAMES = {
    "rubric": ("rubric", "criteria", "criterion", "instructions for grading"),
    "question": ("question", "input", "task", "prompt", "the question or input"),
    "expected": ("expected", "expected answer", "expected output", "reference", "reference answer",
                 "ideal", "ideal answer", "correct answer", "expert answer", "the expert answer"),
    "output": ("output", "answer", "response", "submission", "submitted answer", "model output",
               "answer to grade", "actual output", "completion", "the answer to grade",
               "the answer to compare"),
}  # fmt: skip
CONCISE = re.compile(r"\b(concise|brief|short|one sentence|one or two sentences|succinct)\b", re.I)
REFUSAL = re.compile(r"\b(i don't know|i do not know|cannot answer|not sure)\b", re.I)
PASS_AT = 0.5


def find_section(prompt: str, names: tuple[str, ...]) -> str:
    """The text of a section however the judge prompt marks it: <tag>, [TAG], ## Tag or Tag:."""
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"[ _]") for name in names)
    tagged = re.search(rf"<({alternatives})>\s*(.*?)\s*</\1>", prompt, re.I | re.S)
    if tagged:
        return tagged.group(2).strip()
    header = (
        rf"^[ \t]*(?:\[(?:{alternatives})\]|#+[ \t]*(?:{alternatives})[ \t]*:?|(?:{alternatives})[ \t]*:)"
        r"[ \t]*"
    )
    match = re.search(header, prompt, re.I | re.M)
    if match is None:
        return ""
    rest = prompt[match.end() :].lstrip("\n")
    end = re.search(r"\n[ \t]*(?:\[[A-Za-z ]+\]|#+ |[A-Z][A-Za-z ]{1,30}:|<[a-z_]+>|\*{3}|-{3})", rest)
    return (rest[: end.start()] if end else rest).strip()


def sections(prompt: str, facts: dict[str, Any]) -> dict[str, str]:
    """The parts of the question, from the prompt; the request's vars fill any the prompt hides."""
    found = {key: find_section(prompt, names) for key, names in SECTION_NAMES.items()}
    for key, fact in (
        ("rubric", "rubric"),
        ("question", "input"),
        ("expected", "expected"),
        ("output", "output"),
    ):
        if not found[key] and facts.get(fact) not in (None, ""):
            value = facts[fact]
            found[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return found


def grade(parts: dict[str, str]) -> tuple[float, list[str]]:
    """A 0..1 score and the notes that explain it."""
    output, expected = parts["output"], parts["expected"]
    if not output or REFUSAL.search(output):
        return 0.0, ["is empty or declines to answer"]
    wanted = content_words(expected or parts["question"])
    said = content_words(output)
    covered, missing = sorted(wanted & said), sorted(wanted - said)
    score = len(covered) / len(wanted) if wanted else 0.5
    if not expected:  # relevance to the question: an answer need not repeat every word of it
        score = min(1.0, score * 1.5)
    notes = [
        f"covers {len(covered)} of {len(wanted)} key terms of the {'reference' if expected else 'question'}"
    ]
    if missing:
        notes.append("missing: " + ", ".join(missing[:6]))
    if CONCISE.search(parts["rubric"]) and len(output.split()) > 45:
        score *= 0.6
        notes.append("longer than the rubric asks")
    return round(score, 2), notes


def rubric_verdict(parts: dict[str, str]) -> dict[str, Any]:
    score, notes = grade(parts)
    return {"pass": score >= PASS_AT, "score": score, "reasoning": "The answer " + "; ".join(notes) + "."}


def factuality_verdict(parts: dict[str, str]) -> dict[str, Any]:
    """agree / subset / superset / disagree from how the answer's terms and the expert's overlap."""
    said, wanted = content_words(parts["output"]), content_words(parts["expected"])
    if not said or not wanted:
        return {"verdict": "disagree", "reasoning": "There is nothing to compare."}
    recall, precision = len(said & wanted) / len(wanted), len(said & wanted) / len(said)
    if recall >= 0.7:
        said_verdict = "agree" if precision >= 0.5 else "superset"
    else:
        said_verdict = "subset" if recall >= 0.4 and precision >= 0.5 else "disagree"
    reasoning = (
        f"The answer shares {recall:.0%} of the expert answer's key terms ({precision:.0%} of its own)."
    )
    return {"verdict": said_verdict, "reasoning": reasoning}


def judge_answer(messages: list[dict[str, str]], facts: dict[str, Any]) -> str:
    prompt = "\n\n".join(message.get("content", "") for message in messages)
    if not prompt.strip():
        return json.dumps({"pass": False, "score": 0.0, "reasoning": "The judge prompt is empty."})
    parts = sections(prompt, facts)
    if facts.get("kind") == "factuality" or '"verdict"' in prompt:
        return json.dumps(factuality_verdict(parts))
    return json.dumps(rubric_verdict(parts))
