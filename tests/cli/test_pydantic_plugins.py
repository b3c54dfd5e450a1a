"""pydantic's plugins (a distribution's `pydantic` entry point, such as logfire's) are not looked
for while evaltui builds its own models, and still apply to the models of a user's Python
component (suites/plugins_off.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.conftest import EVALTUI

from evaltui.suites.plugins_off import VARIABLE, plugins_off

PLUGIN = """
import os

class Recorder:
    def new_schema_validator(self, schema, schema_type, path, kind, config, settings):
        with open(os.environ["PLUGIN_LOG"], "a") as log:
            log.write(path.name + "\\n")
        return None, None, None

plugin = Recorder()
"""

COMPONENT = """
from pydantic import BaseModel

class Answer(BaseModel):
    text: str

def answer(messages, vars):
    return Answer(text=vars["input"]).text
"""


def install_plugin(folder: Path) -> None:
    """A distribution `recorder-plugin` on the path, whose pydantic plugin logs each model it sees."""
    (folder / "recorder_plugin.py").write_text(PLUGIN)
    info = folder / "recorder_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: recorder-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nrecorder = recorder_plugin:plugin\n")


def test_a_users_component_gets_the_installed_plugin_and_evaltuis_own_models_do_not(tmp_path: Path) -> None:
    install_plugin(tmp_path)
    (tmp_path / "evaltui_components.py").write_text(COMPONENT)
    (tmp_path / "s.yaml").write_text(
        "name: p\nmodels:\n  - provider: python\n    model: evaltui_components:answer\n"
        "scorers: [equals]\ncases:\n  - {id: a, input: one, expected: one}\n"
    )
    log = tmp_path / "plugin.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "PLUGIN_LOG": str(log),
        "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"),
        "EVALTUI_DB": str(tmp_path / "r.db"),
    }
    env.pop(VARIABLE, None)
    done = subprocess.run(
        [EVALTUI, "run", "s.yaml", "-q"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert set(log.read_text().split()) == {"Answer"}  # not Suite, Case, Config, the scorer's options...


@pytest.mark.parametrize("before", [None, "", "logfire"])
def test_the_variable_is_as_it_was_after_evaltui_built_its_models(
    monkeypatch: pytest.MonkeyPatch, before: str | None
) -> None:
    if before is None:
        monkeypatch.delenv(VARIABLE, raising=False)
    else:
        monkeypatch.setenv(VARIABLE, before)
    with plugins_off():
        assert os.environ[VARIABLE] == ("__all__" if before is None else before)
    assert os.environ.get(VARIABLE) == before


def test_the_plugin_loader_stand_in_gives_no_plugin_and_hands_any_other_name_to_the_real_one() -> None:
    """While evaltui builds its models, pydantic's plugin loader (whose import would bring in
    importlib.metadata) is a stand-in; what pydantic may ask of it beyond `get_plugins` is the real
    loader's, and afterwards the real loader is imported as usual."""
    code = (
        "import sys\n"
        "from evaltui.suites.plugins_off import LOADER, plugins_off\n"
        "with plugins_off():\n"
        "    from pydantic.plugin._loader import get_plugins\n"
        "    assert tuple(get_plugins()) == () and 'importlib.metadata' not in sys.modules\n"
        "    from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\n"
        "    assert PYDANTIC_ENTRY_POINT_GROUP == 'pydantic' and 'importlib.metadata' in sys.modules\n"
        "with plugins_off():\n"
        "    pass\n"
        "import pydantic.plugin._loader as loader\n"
        "assert loader.__file__.endswith('_loader.py') and sys.modules[LOADER] is loader\n"
    )
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
