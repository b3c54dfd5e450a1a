"""One configuration object, loaded once at start-up.

Precedence, lowest first: defaults in code, the user's config file
(`$EVALTUI_CONFIG`, else `<user config dir>/evaltui/config.yaml`), the environment
(`EVALTUI_DB`, `EVALTUI_THEME`), then command-line flags. `Config.sources` says where each value
came from; `evaltui config` prints it (`describe`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evaltui.errors import EvaltuiError
from evaltui.records import Price
from evaltui.suites.plugins_off import plugins_off
from evaltui.text import make_visible

APP_NAME = "evaltui"


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built below, without pydantic's plugins

    db_path: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)) / "evaltui.db")
    theme: str = "evaltui-dark"
    suite_dirs: list[Path] = Field(default_factory=lambda: [])  # searched in addition to the defaults
    keymap: dict[str, str] = Field(default_factory=lambda: {})  # binding id -> keys (Textual's set_keymap)
    prices: dict[str, Price] = Field(default_factory=lambda: {})  # model name prefix -> USD per Mtok
    concurrency: int = Field(default=16, ge=1, le=4096)
    sources: dict[str, str] = Field(default_factory=lambda: {}, exclude=True)


with plugins_off():  # suites/plugins_off.py
    Config.model_rebuild()


def describe(config: Config) -> list[str]:
    """`key = value  (where it came from)` for each setting, values as a config file would hold
    them: a path or a name as itself, lists and mappings as JSON (never a Python repr such as
    `PosixPath('…')`), control characters made visible."""
    lines = []
    for key, value in config.model_dump(mode="json").items():
        plain = isinstance(value, str) and value.strip() == value != ""  # needs no quotes to read right
        shown = value if plain else json.dumps(value, ensure_ascii=False)
        lines.append(make_visible(f"{key} = {shown}  ({config.sources.get(key, 'default')})"))
    return lines


def config_file() -> Path:
    env = os.environ.get("EVALTUI_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME)) / "config.yaml"


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise _located(path) or EvaltuiError(f"{path}: cannot read the config file: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaltuiError(f"{path}: cannot read the config file: {exc}") from exc
    if not isinstance(data, dict):
        raise EvaltuiError(f"{path}: the config file must be a mapping of settings")
    return data


def _located(path: Path) -> EvaltuiError | None:
    """The config file's first problem as a suite's are said, `file:line: field: why`: read again
    with the suite reader, which keeps lines (only on this error path: start-up stays as fast)."""
    from evaltui.errors import SuiteError
    from evaltui.suites.validation import validate
    from evaltui.suites.yamlnodes import read_yaml

    try:
        doc = read_yaml(path, str(path))
        validate(Config, doc.data or {}, doc, ())
    except SuiteError as exc:
        return exc
    return None


def load_config(**overrides: Any) -> Config:
    """Build the config; `overrides` are command-line values (None means "not given")."""
    path = config_file()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, value in _read_file(path).items():
        values[key] = value
        sources[key] = str(path)
    for env, key in (("EVALTUI_DB", "db_path"), ("EVALTUI_THEME", "theme")):
        if os.environ.get(env):
            values[key] = os.environ[env]
            sources[key] = f"${env}"
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
            sources[key] = "command line"
    try:
        config = Config(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "setting"
        located = _located(path) if sources.get(key) == str(path) else None
        raise located or EvaltuiError(f"{sources.get(key, path)}: {key}: {first['msg']}") from exc
    for key in Config.model_fields:
        if key != "sources":
            sources.setdefault(key, "default")
    config.sources = sources
    return config


def save_user_setting(key: str, value: Any) -> Path:
    """Persist one setting (the TUI's theme choice) in the user's config file, keeping the rest."""
    if key not in Config.model_fields or key == "sources":
        raise EvaltuiError(f"unknown setting {key!r}")
    path = config_file()
    data = _read_file(path)
    data[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def packaged_dir(name: str) -> Path | None:
    """`samples` or `themes` shipped with evaltui: inside the wheel, or the checkout's folder
    when installed editable."""
    inside = Path(__file__).parent / f"_{name}"
    if inside.is_dir():
        return inside
    checkout = Path(__file__).resolve().parents[2] / {"samples": "sample_suites", "themes": "themes"}[name]
    return checkout if checkout.is_dir() else None


def default_suite_dirs(config: Config, extra: list[Path] | None = None) -> list[Path]:
    """Where suites are looked for: flags and config first, then ./evals, ./sample_suites and the
    packaged samples; each folder once."""
    candidates = [*(extra or []), *config.suite_dirs, Path("evals"), Path("sample_suites")]
    samples = packaged_dir("samples")
    if samples:
        candidates.append(samples)
    seen: set[Path] = set()
    dirs: list[Path] = []
    for folder in candidates:
        resolved = folder.resolve()
        if resolved.is_dir() and resolved not in seen:
            seen.add(resolved)
            dirs.append(folder)
    return dirs
