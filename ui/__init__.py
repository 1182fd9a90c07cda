"""运维工作台 desktop window (PySide6): thin widgets over the services of ``app``."""
