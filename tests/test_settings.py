"""Settings have one home: ``settings.yaml`` and the pydantic models in ``config.py`` say the same thing.

Every key of ``settings.yaml`` must be a field of the models with the same default, every field of the
models must be in ``settings.yaml``, and every key (sections too) must carry a comment.
"""

from __future__ import annotations

import re

import pytest
import yaml
from pydantic import BaseModel

from xunjian.config import DEFAULTS_FILE, ConfigError, Settings, load_settings


def _walk(model: type[BaseModel], data: dict, prefix: str = ""):
    """(dotted key, yaml value, model default) for every field; yaml value ``KeyError`` when missing."""
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        key = f"{prefix}{name}"
        default = info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            assert isinstance(data.get(name), dict), f"section {key!r} missing from settings.yaml"
            yield from _walk(type(default), data[name], key + ".")
        else:
            yield key, data.get(name, KeyError), default


def test_settings_yaml_equals_the_model_defaults():
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    fields = list(_walk(Settings, data))
    assert len(fields) > 50
    missing = [k for k, v, _ in fields if v is KeyError]
    assert not missing, f"model fields absent from settings.yaml: {missing}"
    differ = {k: (v, d) for k, v, d in fields if v != d or isinstance(v, bool) != isinstance(d, bool)}
    assert not differ, f"settings.yaml and config.py disagree (yaml, model): {differ}"
    # and the other way round: no key of the file unknown to the models
    Settings.model_validate(data)


def test_unknown_key_in_the_defaults_would_be_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("crawl: {max_pagez: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="crawl.max_pagez"):
        load_settings(path, env={})


def test_every_key_has_a_comment():
    lines = DEFAULTS_FILE.read_text(encoding="utf-8").splitlines()
    uncommented = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)([A-Za-z_][\w]*):", line)
        if not m:
            continue
        inline = "#" in line.split(":", 1)[1]
        above = i > 0 and lines[i - 1].strip().startswith("#")
        if not (inline or above):
            uncommented.append(m.group(2))
    assert not uncommented, f"keys without a comment line in settings.yaml: {uncommented}"


def test_loaded_defaults_are_the_model_defaults():
    loaded = load_settings(env={})
    assert loaded.model_dump() == Settings().model_dump()
