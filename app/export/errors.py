"""Errors of exporting, with Chinese messages shown as is by the window and ``omw``."""

from app.errors import DomainError


class ExportError(DomainError):
    """An export could not be made; nothing was written at the target."""


class ExportCancelled(ExportError):
    """The user cancelled; partial output was removed."""

    def __init__(self, message: str = "导出已取消，未留下任何文件。") -> None:
        super().__init__(message)


class TemplateError(ExportError):
    """A template is broken, unsafe, or uses fields the form does not have."""
