"""The one base error, carrying where it happened; the CLI prints it on one line and exits 2."""

from __future__ import annotations


class FacepolicyError(Exception):
    """Bad input or usage: a file, a place in it, and what is wrong (Chinese / English)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message

    def within(self, outer: str) -> "FacepolicyError":
        """The same error, with the location known by an outer layer put in front."""
        where = f"{outer}: {self.where}" if self.where else outer
        return FacepolicyError(where, self.message)


def bilingual(zh: str, en: str) -> str:
    return f"{zh} / {en}"
