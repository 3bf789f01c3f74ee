"""The package list: the one part of the build that pyproject.toml cannot say alone.

The process templates have one source, the top-level ``workflows/`` folder, where people read
and copy them. The built package carries that folder as ``engine/shipped_workflows`` (see
``engine.workflows.loader.shipped_workflows_dir``), so an installed Verbinding finds its
templates without a copy of them in the source tree. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["engine", "engine.*", "web", "web.*"]),
        "engine.shipped_workflows",
    ],
    package_dir={"engine.shipped_workflows": "workflows"},
)
