"""运维工作台 OM Workbench — Qt-free domain core, services and command line."""

__version__ = "0.1.0"
