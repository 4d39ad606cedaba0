#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# penguin-loader.py: what penguin's config loader makes of the kmods
# plugin's settings, modelled in Python from penguin's own sources
# (src/penguin/penguin_config/__init__.py load_config(), common.py
# patch_config(), structure.py Plugin, the kmods plugin's Args), so that
# tests/config.sh can hold igloo-kmods-config's output against it. It
# shares no code with igloo-kmods-config.
#
#   - YAML 1.2 core schema, as yamlcore's CoreLoader: bool is only
#     true/false in three spellings, no yes/on/dates, no merge keys,
#     duplicate keys refused, unknown tags refused
#   - the deprecated top-level kmods moved under plugins (both: refused)
#   - patches: entries, then patch_*.yaml, then patches/*.yaml (unless
#     core.auto_patching is false), merged as patch_config() merges:
#     lists appended, null keeps the value before, a scalar replaces
#   - each layer's plugin keys typed by pydantic (lax), the merged extras
#     by the plugin's Args; enabled: false skips them
#
# Usage: penguin-loader.py CONFIG|- [PROJECT_DIR]
# Prints one JSON object: {"ok": true, "allow": [...], "deny": [...],
# "quiet": bool, "enabled": bool} or {"ok": false, "why": "..."}.

import json
import os
import re
import sys
from pathlib import Path
from typing import List, Optional

import yaml
from pydantic import BaseModel, ConfigDict


class CoreLoader(yaml.SafeLoader):
    pass


CoreLoader.yaml_implicit_resolvers = {}
for tag, regexp, first in [
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$",
         "-+0123456789"),
        ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)"
         r"(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         "-+0123456789."),
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])]:
    CoreLoader.add_implicit_resolver("tag:yaml.org,2002:" + tag,
                                     re.compile(regexp), list(first))


def _int(loader, node):
    v = loader.construct_scalar(node)
    sign = -1 if v[0] == "-" else 1
    v = v.lstrip("+-")
    if v.startswith("0o"):
        return sign * int(v[2:], 8)
    if v.startswith("0x"):
        return sign * int(v[2:], 16)
    return sign * int(v)


def _float(loader, node):
    v = loader.construct_scalar(node).lower()
    if v.lstrip("+-") == ".inf":
        return float("-inf" if v[0] == "-" else "inf")
    if v == ".nan":
        return float("nan")
    return float(v)


def _bool(loader, node):
    return {"true": True, "True": True, "TRUE": True, "false": False,
            "False": False, "FALSE": False}[loader.construct_scalar(node)]


def _null(loader, node):
    v = loader.construct_scalar(node)
    if v not in ("", "~", "null", "Null", "NULL"):
        raise yaml.YAMLError("bad null %r" % v)
    return None


def _mapping(loader, node, deep=False):
    if not isinstance(node, yaml.MappingNode):
        raise yaml.YAMLError("expected a mapping")
    m = {}
    for k, v in node.value:
        key = loader.construct_object(k, deep=deep)
        if key in m:
            raise yaml.YAMLError("found duplicate key %r" % (key,))
        m[key] = loader.construct_object(v, deep=deep)
    return m


CoreLoader.yaml_constructors = {}
for tag, fn in [("str", yaml.constructor.SafeConstructor.construct_yaml_str),
                ("seq", yaml.constructor.SafeConstructor.construct_yaml_seq),
                ("map", yaml.constructor.SafeConstructor.construct_yaml_map),
                ("binary",
                 yaml.constructor.SafeConstructor.construct_yaml_binary),
                ("int", _int), ("float", _float), ("bool", _bool),
                ("null", _null)]:
    CoreLoader.add_constructor("tag:yaml.org,2002:" + tag, fn)
CoreLoader.add_constructor(
    None, yaml.constructor.SafeConstructor.construct_undefined)
CoreLoader.construct_mapping = _mapping


class Plugin(BaseModel):
    model_config = ConfigDict(extra="allow")
    description: Optional[str] = None
    depends_on: Optional[str] = None
    enabled: bool = True
    version: Optional[str] = None


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowlist: List[str] = []
    denylist: List[str] = []
    quiet: bool = False


RESERVED = {"enabled", "depends_on", "description", "version"}


class Refused(Exception):
    pass


def templated(v):
    if isinstance(v, str):
        return any(t in v for t in ("{{", "{%", "{#"))
    if isinstance(v, dict):
        return any(templated(k) or templated(x) for k, x in v.items())
    if isinstance(v, list):
        return any(templated(x) for x in v)
    return False


def load(path):
    with (sys.stdin if path == "-" else open(path)) as f:
        data = yaml.load(f, Loader=CoreLoader)
    if not isinstance(data, dict):
        raise Refused("%s: not a mapping" % path)
    return data


def kmods_section(data):
    """The layer's kmods section after first-class promotion, or None."""
    plugins = data.get("plugins")
    if "plugins" in data and not isinstance(plugins, (dict, type(None))):
        raise Refused("plugins is not a mapping")
    if "kmods" in data:
        if plugins is None and "plugins" in data:
            raise Refused("top-level kmods with plugins: null")
        if plugins and "kmods" in plugins:
            raise Refused("kmods both at the top level and under plugins")
        sec = data["kmods"]
    elif plugins and "kmods" in plugins:
        sec = plugins["kmods"]
    else:
        return None
    if not isinstance(sec, dict):
        raise Refused("kmods is not a mapping")
    if templated(sec):
        raise Refused("templated")
    Plugin(**sec)           # each layer is a structure.Patch
    if "enabled" in sec and sec["enabled"] is None:
        raise Refused("enabled: null")
    return sec


def merge(base, new):
    if base is None:
        return new
    if new is None:
        return base
    if isinstance(base, list):
        return base + new
    if isinstance(base, dict) and isinstance(new, dict):
        out = dict(base)
        for k, v in new.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    return new


def policy(path, proj):
    if proj and os.path.exists(os.path.join(proj, "plugins.d", "kmods.py")):
        raise Refused("a project kmods plugin")
    proj = proj and os.path.abspath(proj)   # penguin's project directory
    base = load(path)
    layers = [base]
    core = base.get("core") or {}
    auto = core.get("auto_patching", True) if isinstance(core, dict) else True
    if auto is None:
        raise Refused("auto_patching: null")
    class Core(BaseModel):
        auto_patching: bool = True
    auto = Core(auto_patching=auto).auto_patching
    names = list(base.get("patches") or [])
    if names and templated(names):
        raise Refused("templated patch name")
    if names and not proj:
        raise Refused("patches, no project directory")
    if proj and auto:
        names += [str(p) for p in sorted(Path(proj).glob("patch_*.yaml"))]
        if Path(proj, "patches").exists():
            names += [str(p) for p in
                      sorted(Path(proj, "patches").glob("*.yaml"))]
    for n in names:
        p = Path(proj, n)
        if p.exists():
            layers.append(load(str(p)))
    merged = None
    for layer in layers:
        sec = kmods_section(layer)
        if sec is not None:
            merged = merge(merged, sec) if merged is not None else dict(sec)
    merged = Plugin(**(merged or {})).model_dump(exclude_none=True)
    if not merged["enabled"]:
        return {"ok": True, "enabled": False}
    args = Args(**{k: v for k, v in merged.items() if k not in RESERVED})
    uniq = lambda l: list(dict.fromkeys(l))
    return {"ok": True, "enabled": True, "allow": uniq(args.allowlist),
            "deny": uniq(args.denylist), "quiet": args.quiet}


if __name__ == "__main__":
    try:
        out = policy(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    except Exception as e:  # penguin stops on every one of them
        out = {"ok": False, "why": "%s: %s" % (type(e).__name__,
                                              str(e).splitlines()[0]
                                              if str(e) else "")}
    print(json.dumps(out))
