"""Short answers to a question about a given context.

`keyword` answers with the context sentence that shares the most words with the question;
`rules` answers with the context's first sentence (a lead bias), right only when the answer
happens to come first.
"""

from __future__ import annotations

from evaltui.providers.demo.reading import content_words, labelled_block, sentences

CAUSAL = ("because", "since", "due to", "so that", "which is why", "as a result")
NO_CONTEXT = "I don't know: the prompt gives me no context to answer from."


def keyword_answer(prompt: str) -> str:
    context, question = labelled_block(prompt, "context"), labelled_block(prompt, "question")
    candidates = sentences(context)
    if not candidates:
        return NO_CONTEXT
    asked = content_words(question)
    wants_reason = question.lower().startswith("why")

    def overlap(sentence: str) -> float:
        bonus = 0.5 if wants_reason and any(cue in sentence.lower() for cue in CAUSAL) else 0.0
        return len(asked & content_words(sentence)) + bonus

    return max(candidates, key=overlap)


def rules_answer(prompt: str) -> str:
    candidates = sentences(labelled_block(prompt, "context"))
    return candidates[0] if candidates else NO_CONTEXT
