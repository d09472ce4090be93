"""The conformance kit (an extra: ``pip install xueji[conformance]``).

Districts and vendors run the tests the project runs.  This subpackage is the
one part of the kernel allowed to import pytest and a YAML parser.
"""
