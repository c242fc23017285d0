"""Every user-visible sentence, by key, per language; zh_CN is the fallback."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.errors import FlowError
from bot.yamlfile import LINE, load_yaml

DEFAULT_LANG = "zh_CN"
LANGS = ("zh_CN", "en")


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class I18n:
    def __init__(self, catalogs: Mapping[str, Mapping[str, str]], origins: Mapping[str, str]):
        self.catalogs = catalogs
        self.origins = origins  # "lang:key" -> "file:line", for lint messages

    @classmethod
    def load(cls, root: Path) -> I18n:
        catalogs: dict[str, dict[str, str]] = {}
        origins: dict[str, str] = {}
        for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            catalog: dict[str, str] = {}
            for path in sorted(lang_dir.glob("*.yaml")):
                data = load_yaml(path) or {}
                if not isinstance(data, dict):
                    raise FlowError(f"{path}: a locale file must be a mapping of keys to text")
                _flatten(data, "", catalog, origins, lang_dir.name, path)
            catalogs[lang_dir.name] = catalog
        if DEFAULT_LANG not in catalogs:
            raise FlowError(f"{root}: missing the {DEFAULT_LANG} locale")
        return cls(catalogs, origins)

    def has(self, lang: str, key: str) -> bool:
        return key in self.catalogs.get(lang, {})

    def text(self, lang: str, key: str, **params: Any) -> str:
        return self.texts(lang)(key, **params)

    def texts(self, lang: str) -> Callable[..., str]:
        """text(key, **params) in one language: what a screen calls a few hundred times while it
        renders, so the catalogs are looked up once and each call is one dict lookup."""
        own = self.catalogs.get(lang, {})
        fallback = self.catalogs[DEFAULT_LANG]

        def text(key: str, **params: Any) -> str:
            template = own.get(key)
            if template is None:
                template = fallback.get(key, key)
            if not params:
                return template
            return template.format_map(_Params(params))

        return text


def _flatten(
    node: dict[str, Any],
    prefix: str,
    out: dict[str, str],
    origins: dict[str, str],
    lang: str,
    path: Path,
) -> None:
    for key, value in node.items():
        if key == LINE:
            continue
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, full + ".", out, origins, lang, path)
        elif isinstance(value, str):
            if full in out:
                raise FlowError(f"{path}:{node.get(LINE)}: duplicate locale key {full!r}")
            out[full] = value.strip("\n")
            origins[f"{lang}:{full}"] = f"{path}:{node.get(LINE)}"
        else:
            raise FlowError(f"{path}:{node.get(LINE)}: {full!r} must be text")
