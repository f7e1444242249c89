from __future__ import annotations

import textwrap

from gates.checks.mutation.locate import mutated_line, summarize

SOURCE = textwrap.dedent(
    """\
    # prices
    def clamp(x, lo, hi):
        if x < lo:
            return lo
        return x


    class Cart:
        # a comment above the method
        def add(self, item):
            self.items.append(item)
            return len(self.items)
    """
)

FUNCTION_DIFF = """\
--- m.py
+++ m.py
@@ -1,4 +1,4 @@
 def clamp(x, lo, hi):
-    if x < lo:
+    if x <= lo:
         return lo
     return x"""

# mutmut diffs a method on its own, dedented, with the comment above it.
METHOD_DIFF = """\
--- m.py
+++ m.py
@@ -1,4 +1,4 @@
 # a comment above the method
 def add(self, item):
-    self.items.append(item)
+    self.items.append(None)
     return len(self.items)"""


def test_the_line_of_a_function_mutation() -> None:
    assert mutated_line(SOURCE, "x_clamp", FUNCTION_DIFF) == 3


def test_the_line_of_a_dedented_method_mutation() -> None:
    assert mutated_line(SOURCE, "xǁCartǁadd", METHOD_DIFF) == 11


def test_unknown_function_has_no_line() -> None:
    assert mutated_line(SOURCE, "x_gone", FUNCTION_DIFF) is None


def test_summary_shows_the_changed_line_pair() -> None:
    assert summarize(FUNCTION_DIFF) == "`if x < lo:` -> `if x <= lo:`"
    assert summarize("") == ""
