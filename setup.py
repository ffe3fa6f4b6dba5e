"""The one thing pyproject.toml cannot say: the wheel's package list.

``eqgnn`` and every subpackage are found here (a new ``eqgnn/NAME/`` with an
``__init__.py`` ships without an edit), plus the repository's ``data/``
folders, which pyproject.toml's ``package-dir`` maps to ``eqgnn/data``.
Everything else (name, dependencies, the ``eqgnn`` command, which data files)
is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

DATA = ["eqgnn.data"] + [f"eqgnn.data.{folder}" for folder in find_namespace_packages("data")]

setup(packages=find_packages(include=["eqgnn", "eqgnn.*"]) + DATA)
