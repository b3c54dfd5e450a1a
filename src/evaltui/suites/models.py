"""Value objects of a suite: validated once at the boundary (the loader), trusted inside.

`loc` fields carry where an object was written (file and line) so that later checks
(scorer options, template rendering) can still name the place in their errors. They are
excluded from serialization, so a suite's definition JSON and content hash do not depend on them.
"""

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_serializer,
)

from evaltui.records import Price
from evaltui.suites.limits import MAX_EPOCHS
from evaltui.suites.plugins_off import plugins_off

# Each model's validator is built at the end of this module, without pydantic's plugins
# (suites/plugins_off.py): `defer_build` keeps the class statements from building them first.
# Field factories are lambdas, not `dict` or `list`: pydantic reads each factory's signature, and a
# builtin's is parsed from its text by the tokenizer (whose patterns compile on first use) at every
# start-up (tests/cli/test_startup_imports.py). No `from __future__ import annotations`: pydantic would
# evaluate each field's annotation from its text (a compile each); as objects, they are read as made.
ProviderName = Literal["openai", "anthropic", "ollama", "python", "demo", "recorded"]

DEFAULT_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "ollama": "http://localhost:11434",
}
DEFAULT_KEY_ENVS: dict[str, str] = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


class Location(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
    file: str
    line: int | None = None
    field: str | None = None  # where in the suite: "scorers[2]", "cases[4].scorers[0]", "cases[7]"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# Fields added after suites were first stored, left out of a dump while unset: a suite that does not
# use them keeps the definition JSON, and so the content hash and stored id, it always had.
_LATER_FIELDS = {
    "tools": [],
    "max_steps": 1,
    "response_format": None,
    "messages": None,
    "tool_results": {},
    "labels": [],
    "recorded": None,
    "prompts": None,
    "rpm": None,
    "tpm": None,
    "max_cost_usd": None,
}


def _without_unset_later_fields(model: BaseModel, handler: SerializerFunctionWrapHandler) -> Any:
    data = handler(model)
    if isinstance(data, dict):
        for name in type(model).LATER_FIELDS:  # type: ignore[attr-defined]
            if name in data and data[name] == _LATER_FIELDS[name]:
                del data[name]
    return data


def _header_text(text: str) -> str:
    """A header name or value that HTTP can carry as one header: a CR or LF would end it and start
    another (header injection), a NUL is refused by servers. The text itself is never echoed."""
    if any(c in text for c in "\r\n\0"):
        raise ValueError("a header name or value cannot hold a line break (CR, LF) or NUL")
    return text


HeaderText = Annotated[str, AfterValidator(_header_text)]
DEFAULT_MAX_RESPONSE_MB = 8.0


class ModelSpec(Strict):
    """One model to run a suite against. Secrets are never here: only the *name* of the
    environment variable that holds the key (`api_key_env`)."""

    id: str = ""  # display id, unique within a launch; defaults to "provider:model"
    provider: ProviderName
    model: str = ""  # model name; "module:function" for python; the demo model's name for demo
    base_url: str | None = None
    api_key_env: str | None = None
    params: dict[str, Any] = Field(default_factory=lambda: {})  # temperature, max_tokens, ...
    headers: dict[HeaderText, HeaderText] = Field(default_factory=lambda: {})  # extra non-secret headers
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    concurrency: int | None = Field(default=None, ge=1)  # per-model cap below the run's
    price: Price | None = None
    # The largest answer taken, counted after any Content-Encoding is decoded; past it, the case errors.
    max_response_mb: float = Field(default=DEFAULT_MAX_RESPONSE_MB, gt=0, le=1024)
    ca_file: str | None = None  # PEM CA certificates trusted for this model's endpoint, besides the system's
    rpm: float | None = Field(default=None, gt=0)  # requests a minute allowed, applied client-side
    tpm: float | None = Field(default=None, gt=0)  # tokens a minute allowed (estimated, then counted)

    LATER_FIELDS: ClassVar[tuple[str, ...]] = ("rpm", "tpm")

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without_unset_later_fields(self, handler)

    def model_post_init(self, __context: Any) -> None:
        if not self.id:
            self.id = f"{self.provider}:{self.model}" if self.model else self.provider

    def public_config(self) -> dict[str, Any]:
        """What may be stored in the database: everything but header values, which may hold secrets."""
        data = self.model_dump(exclude={"headers"})
        data["headers"] = sorted(self.headers)
        return data


class ScorerSpec(BaseModel):
    """A scorer as written: `type` picks the function from the registry; every other key is that
    scorer's option and is checked by the scorer's own options model when the suite is prepared."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    type: str
    name: str | None = None  # label shown in results; defaults to type
    weight: float = Field(default=1.0, ge=0)
    negate: bool = False  # written `not: {type: ...}` in YAML
    loc: Location | None = Field(default=None, exclude=True)

    @property
    def label(self) -> str:
        base = self.name or self.type
        return f"not {base}" if self.negate else base

    def options(self) -> dict[str, Any]:
        """The scorer-specific keys (everything that is not a common field)."""
        return dict(self.model_extra or {})


class Message(Strict):
    role: Literal["system", "user", "assistant"]
    content: str


TOOL_NAME = r"^[A-Za-z0-9_-]{1,64}$"  # what the vendors accept as a function name
MAX_STEPS = 100  # model turns of one case's agent loop


class ToolFunction(Strict):
    name: str = Field(pattern=TOOL_NAME)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None


class Tool(Strict):
    """A tool offered to the model, in OpenAI's function-tool format (each provider reshapes it)."""

    type: Literal["function"] = "function"
    function: ToolFunction

    def as_request(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class Recorded(Strict):
    """An answer given before evaltui saw the case (logged production traffic, another system's
    output, a stored run being rescored): the `recorded` model answers with it."""

    output: str
    latency_ms: float | None = Field(default=None, ge=0)
    tokens_in: int | None = Field(default=None, ge=0)
    tokens_out: int | None = Field(default=None, ge=0)
    cost_usd: float | None = Field(default=None, ge=0)
    model: str | None = None  # which model gave it, when known
    # The tool calls it made ({name, arguments, id?} each) and, for an agent, its steps as
    # evaltui stores them: scored as they were made, never asked again.
    tool_calls: list[dict[str, Any]] | None = None
    steps: list[dict[str, Any]] | None = None


RECORDED_KEYS = tuple(Recorded.model_fields)  # written on a case, they make its `recorded` answer


class Case(Strict):
    id: str  # stable: comparisons across runs key on it (given, or derived from content)
    input: Any = ""  # usually a string; any JSON value is allowed
    expected: Any = None
    vars: dict[str, Any] = Field(default_factory=lambda: {})
    tags: list[str] = Field(default_factory=lambda: [])
    cluster: str | None = None  # cases sharing a cluster are not independent (clustered std errors)
    scorers: list[ScorerSpec] | None = None  # replaces the suite's scorers for this case
    messages: list[Message] | None = None  # this case's own conversation (templates), in place of the prompt
    # Canned tool results the agent loop feeds back, by tool name: a string, any JSON value, or a
    # list of {when: {argument: value}, result: ...} matched on the call's arguments (suites/tools.py).
    tool_results: dict[str, Any] = Field(default_factory=lambda: {})
    # Written as `output:` (and `latency_ms:`, `tokens_in:`, … ) on the case: the `recorded` model's answer.
    recorded: Recorded | None = None
    loc: Location | None = Field(default=None, exclude=True)

    LATER_FIELDS: ClassVar[tuple[str, ...]] = ("messages", "tool_results", "recorded")

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without_unset_later_fields(self, handler)


class PromptVariant(Strict):
    """One of a suite's `prompts:`: a prompt (or chat list) under its own id. A launch runs every
    variant (or those picked with `-p`) on every model, as runs of one group."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    prompt: str | None = None
    messages: list[Message] | None = None


class Suite(Strict):
    name: str
    description: str = ""
    prompt: str | None = None  # Jinja2 template of one user message
    messages: list[Message] | None = None  # or a chat list of templates
    models: list[ModelSpec] = Field(default_factory=lambda: [])
    scorers: list[ScorerSpec] = Field(default_factory=lambda: [])
    cases: list[Case] = Field(default_factory=lambda: [])
    pass_threshold: float | None = Field(default=None, ge=0, le=1)  # weighted score needed to pass
    epochs: int = Field(default=1, ge=1, le=MAX_EPOCHS)
    max_cost_usd: float | None = Field(default=None, gt=0)  # a run stops when its spending reaches it
    tools: list[Tool] = Field(default_factory=lambda: [])  # also read from `tools_file:` by the loader
    max_steps: int = Field(default=1, ge=1, le=MAX_STEPS)  # >1: the agent loop (engine/agent.py)
    response_format: dict[str, Any] | None = None  # OpenAI's shape, passed through per provider
    labels: list[str] = Field(default_factory=lambda: [])  # a reviewer's labels (TUI `l`); else the defaults
    prompts: list[PromptVariant] | None = None  # prompt variants, in place of `prompt`/`messages`
    path: str = Field(default="", exclude=True)  # the YAML file it came from
    loc: Location | None = Field(default=None, exclude=True)

    LATER_FIELDS: ClassVar[tuple[str, ...]] = (
        "tools",
        "max_steps",
        "response_format",
        "labels",
        "prompts",
        "max_cost_usd",
    )

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without_unset_later_fields(self, handler)

    @field_serializer("cases", mode="wrap")
    def _dump_cases(self, value: Any, handler: SerializerFunctionWrapHandler) -> Any:
        """Cases read from files (suites/caselist.py) are walked: a dump of the whole suite holds them."""
        return handler(value if isinstance(value, list) else list(value))

    def scorers_for(self, case: Case) -> list[ScorerSpec]:
        return case.scorers if case.scorers is not None else self.scorers


# Each model after those it holds, whose validators it then reuses.
_MODELS = (Location, ModelSpec, ScorerSpec, Message, ToolFunction, Tool, Recorded, Case, PromptVariant, Suite)
with plugins_off():
    for _model in _MODELS:
        _model.model_rebuild()
