# module-level code, __name__ == "__main__", docstrings in functions and classes, imports of the builtin modules
"""Module docstring: not printed."""
import sys
import gc
import weakref
import math
from math import sqrt, sin, cos


def documented():
    """A docstring is not a statement with output."""
    return "documented"


class Doc:
    """Class docstring."""

    def method(self):
        """Method docstring."""
        return "method"


def main():
    print(documented(), Doc().method())
    print("__name__ is", __name__)
    print("modules are objects:", type(sys).__name__, type(gc).__name__, type(weakref).__name__)
    print("from-import binds the same function:", sqrt is math.sqrt)


if __name__ == "__main__":
    main()
else:
    print("not reached")
