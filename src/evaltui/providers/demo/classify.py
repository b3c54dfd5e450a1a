"""Ticket routing: pick one of the labels the prompt lists.

`keyword` weighs a lexicon per label and takes the strongest; `rules` walks a short ordered
rule list and stops at the first hit (bug reports first), so the two disagree on tickets that
mention several things, like a double charge caused by an error.
"""

from __future__ import annotations

from evaltui.providers.demo.reading import listed_words, split_subject, stem, words

DEFAULT_LABELS = ["billing", "bug", "account", "other"]


def weights(spec: str) -> dict[str, float]:
    """`"refund=3 card=2"` -> {"refund": 3.0, "card": 2.0}: lexicons stay one line per few terms."""
    return {term: float(weight) for term, weight in (item.split("=") for item in spec.split())}


LEXICON: dict[str, dict[str, float]] = {
    "billing": weights(
        "charge=3 charged=3 refund=3 invoice=3 receipt=2 payment=3 paid=2 pay=1 card=2 "
        "subscription=2 plan=1 price=2 pricing=2 bill=3 billed=3 billing=3 fee=2 overcharged=4 "
        "discount=2 coupon=2 vat=2 tax=1 credit=1 renewal=2 renew=2 trial=1 money=2 cost=1 annual=1 "
        "twice=1 upgrade=1 downgrade=2 prorated=3 chargeback=3 "
    ),
    "bug": weights(
        "error=2 crash=3 crashes=3 crashed=3 broken=2 bug=3 fails=2 failed=1 failing=2 freeze=3 "
        "freezes=3 frozen=2 exception=3 glitch=3 blank=2 stuck=1 spinner=2 timeout=2 500=2 404=2 "
        "sync=1 upload=1 export=1 button=1 nothing=1 loads=1 loading=1 wrong=1 disappeared=2 "
        "duplicate=1 garbled=2 render=2 misaligned=2 works=1 work=1 "
    ),
    "account": weights(
        "login=3 log=1 sign=1 password=3 reset=2 2fa=3 authenticator=3 username=3 email=1 locked=3 "
        "lockout=3 delete=1 profile=2 verify=2 verification=2 sso=3 permissions=2 permission=2 "
        "seat=1 invite=2 access=1 account=1 owner=2 transfer=1 admin=1 "
    ),
    "other": weights(
        "feature=2 suggestion=2 request=1 partnership=3 partner=2 hiring=3 job=2 feedback=2 "
        "roadmap=2 love=1 thanks=1 press=2 interview=2 webinar=2 conference=2 donate=2 sponsor=2 "
        "wishlist=2 idea=2 "
    ),
}

RULES: list[tuple[str, frozenset[str]]] = [
    ("bug", frozenset({"error", "crash", "crashes", "bug", "broken", "freezes", "exception", "glitch"})),
    ("billing", frozenset({"refund", "charged", "invoice", "payment", "card", "billing", "price"})),
    ("account", frozenset({"password", "login", "locked", "2fa", "username"})),
]


def labels_in(instructions: str) -> list[str]:
    listed = listed_words(instructions)
    return listed or DEFAULT_LABELS


def keyword_label(prompt: str) -> str:
    instructions, ticket = split_subject(prompt)
    labels = labels_in(instructions)
    tokens = words(ticket)
    stems = {stem(token) for token in tokens}
    best, best_score = "", 0.0
    for label in labels:
        lexicon = LEXICON.get(label, {label: 3.0})
        score = sum(weight for term, weight in lexicon.items() if term in tokens or stem(term) in stems)
        if score > best_score:
            best, best_score = label, score
    if best:
        return best
    return "other" if "other" in labels else labels[-1]


def rules_label(prompt: str) -> str:
    instructions, ticket = split_subject(prompt)
    labels = labels_in(instructions)
    tokens = set(words(ticket))
    for label, triggers in RULES:
        if label in labels and tokens & triggers:
            return label.capitalize()
    fallback = "other" if "other" in labels else labels[-1]
    return fallback.capitalize()
