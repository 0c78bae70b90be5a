"""The page<->Python boundary is written down once (web/js/python.js): main.py hands over exactly
those names, and every export kind Python offers has its button on the page, and no other."""

import ast
import re
from html.parser import HTMLParser

from faceparts import export
from server import ROOT


def documented_names() -> set[str]:
    source = (ROOT / "web" / "js" / "python.js").read_text()
    listed = re.search(r"PYTHON_API = Object\.freeze\(\[([^\]]*)\]\)", source, re.S).group(1)
    return set(re.findall(r"'(\w+)'", listed))


def names_main_py_hands_over() -> set[str]:
    tree = ast.parse((ROOT / "web" / "python" / "main.py").read_text())
    api = next(node.value for node in ast.walk(tree)
               if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "API" for t in node.targets))
    return {key.value for key in api.keys}


def test_main_py_hands_over_exactly_the_documented_names():
    documented = documented_names()
    assert {"planCrops", "postprocess", "exportParse", "exportKinds"} <= documented
    assert names_main_py_hands_over() == documented


def test_every_function_handed_over_is_defined_in_main_py():
    tree = ast.parse((ROOT / "web" / "python" / "main.py").read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    proxied = {node.args[0].id for node in ast.walk(tree)
               if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "create_proxy"}
    assert proxied and proxied <= defined, proxied - defined


def test_every_export_kind_has_one_button_and_every_button_a_kind():
    class Buttons(HTMLParser):
        kinds: list[str] = []

        def handle_starttag(self, tag, attrs):
            if "data-export" in dict(attrs):
                self.kinds.append(dict(attrs)["data-export"])

    page = Buttons()
    page.feed((ROOT / "web" / "index.html").read_text())
    assert sorted(page.kinds) == sorted(export.EXPORTS)
