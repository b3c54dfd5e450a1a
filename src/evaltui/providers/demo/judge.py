"""An offline judge for `llm-judge` and `factuality`: reads the rubric, the question, the
reference answer and the answer under review from the judge prompt and returns the JSON verdict
`{"pass": ..., "score": ..., "reasoning": ...}` from word overlap. Deterministic, and crude in
the ways a reader can predict: it rewards shared key terms and penalises rambling.
"""

from __future__ import annotations

import json
import re

from evaltui.providers.demo.reading import content_words, last_user_message

SECTION_NAMES = {
    "rubric": ("rubric", "criteria", "criterion", "instructions for grading"),
    "question": ("question", "input", "task", "prompt"),
    "expected": ("expected", "expected answer", "expected output", "reference", "reference answer",
                 "ideal", "ideal answer", "correct answer", "expert answer"),
    "output": ("output", "answer", "response", "submission", "submitted answer", "model output",
               "answer to grade", "actual output", "completion"),
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
    rest = prompt[match.end() :]
    end = re.search(r"\n[ \t]*(?:\[[A-Za-z ]+\]|#+ |[A-Z][A-Za-z ]{1,30}:|<[a-z_]+>|\*{3}|-{3})", rest)
    return (rest[: end.start()] if end else rest).strip()


def sections(prompt: str) -> dict[str, str]:
    return {key: find_section(prompt, names) for key, names in SECTION_NAMES.items()}


def verdict(prompt: str) -> dict[str, object]:
    parts = sections(prompt)
    output, expected = parts["output"], parts["expected"]
    if not output or REFUSAL.search(output):
        return {"pass": False, "score": 0.0, "reasoning": "The answer is empty or declines to answer."}
    said = content_words(output)
    reference = expected or parts["question"]
    wanted = content_words(reference)
    covered = sorted(wanted & said)
    missing = sorted(wanted - said)
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
    score = round(score, 2)
    return {"pass": score >= PASS_AT, "score": score, "reasoning": "The answer " + "; ".join(notes) + "."}


def judge_answer(messages: list[dict[str, str]]) -> str:
    prompt = "\n\n".join(message.get("content", "") for message in messages)
    if not last_user_message(messages).strip():
        return json.dumps({"pass": False, "score": 0.0, "reasoning": "The judge prompt is empty."})
    return json.dumps(verdict(prompt))
