"""The front door of cathodetwin.analysis: every name imports, every function is documented
(numpydoc sections with a runnable example) and its examples give what they show."""

from __future__ import annotations

import doctest
import importlib
import inspect
import re

import pytest

import cathodetwin.analysis as analysis

FUNCTIONS = sorted(n for n in analysis.__all__ if inspect.isfunction(getattr(analysis, n)))
SECTIONS = ("Parameters", "Returns", "Examples")


def test_every_exported_name_imports():
    for name in analysis.__all__:
        obj = getattr(analysis, name)
        assert obj.__module__.startswith("cathodetwin.analysis."), name
        module = importlib.import_module(obj.__module__)
        assert getattr(module, name) is obj  # exported from its home module, not a copy
    assert len(set(analysis.__all__)) == len(analysis.__all__)
    assert {"measure_structure", "measure_transport", "analyze_microstructure_breathing",
            "tortuosity_factor"} <= set(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_exported_function_follows_the_public_rule(name):
    func = getattr(analysis, name)
    doc = inspect.getdoc(func) or ""
    summary = doc.splitlines()[0] if doc else ""
    assert summary.endswith("."), f"{name}: no one-line summary"
    for section in SECTIONS:
        assert re.search(rf"^{section}\n-{{{len(section)}}}$", doc, re.MULTILINE), \
            f"{name}: no numpydoc {section!r} section"
    assert ">>> " in doc.split("Examples", 1)[1], f"{name}: no example"
    documented = set()
    for line in doc.split("Parameters", 1)[1].split("Returns", 1)[0].splitlines():
        if " : " in line and not line.startswith(" "):
            documented.update(n.strip() for n in line.split(" : ", 1)[0].split(","))
    for p in inspect.signature(func).parameters.values():
        assert p.name in documented, f"{name}: parameter {p.name} undocumented"
        # the data first; every option (a parameter with a default) keyword-only
        if p.default is not inspect.Parameter.empty and p.name != "packing":
            assert p.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: option {p.name} positional"


def test_examples_of_exported_functions_run():
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(analysis, "cathodetwin.analysis", globs={})
    for name in FUNCTIONS:
        tests += finder.find(getattr(analysis, name), name, globs={})
    assert sum(len(t.examples) for t in tests) > 3 * len(FUNCTIONS)
    report: list[str] = []
    failed = [t.name for t in tests if runner.run(t, out=report.append).failed]
    assert not failed, f"doctests failing: {failed}\n" + "".join(report)
