"""Which files the package holds; everything else is declared in pyproject.toml.

The wheel carries the top-level ``resources/`` folder (contract profiles, form
templates, the chart font, translations, icons) as ``app/resources``, where
:func:`app.storage.paths.resources_root` finds it; a source checkout keeps it at
the top (``<repo>/resources``) and the PyInstaller bundle at
``sys._MEIPASS/resources``. pyproject.toml cannot map a folder into a package
while also discovering the packages, so that one mapping is made here. Alembic's
migration scripts are data of the ``db`` package (Alembic reads them as files), and so
is the head's schema script a new store is made from (``db/migrations/head.sql``).
"""

from setuptools import find_namespace_packages, setup

#: The package name the top-level resources/ folder is installed as.
RESOURCES = "app.resources"
#: resources/ and its folders (profiles, templates…), as packages of data files.
RESOURCE_PACKAGES = [
    RESOURCES,
    *(f"{RESOURCES}.{name}" for name in find_namespace_packages(where="resources")),
]

setup(
    packages=[*find_namespace_packages(include=["app*", "db*", "ui*"]), *RESOURCE_PACKAGES],
    package_dir={RESOURCES: "resources"},
    package_data={
        **{package: ["*"] for package in RESOURCE_PACKAGES},
        "db": [
            "migrations/*.py",
            "migrations/*.mako",
            "migrations/*.sql",
            "migrations/versions/*.py",
        ],
    },
)
