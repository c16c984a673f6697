"""The build compiles the message catalogues, so an installed package shows Finnish and Swedish.

Everything else about the package is in pyproject.toml. The .mo files are built output (not
in git), so `pip install .` and the wheel would otherwise carry only the .po sources.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = "surveyapp/translations/*/LC_MESSAGES/messages.po"


class BuildWithCatalogues(build_py):
    """build_py, then each messages.po compiled to messages.mo beside its copy in the build."""

    def run(self) -> None:
        super().run()
        for po_path, mo_path in self._catalogues():
            self.mkpath(str(mo_path.parent))
            with po_path.open("rb") as po_file:
                catalogue = read_po(po_file, locale=po_path.parts[-3])
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalogue)  # fuzzy entries left out, as `pybabel compile` does

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        compiled = [str(mo_path) for _po_path, mo_path in self._catalogues()]
        return [*super().get_outputs(include_bytecode), *compiled]

    def _catalogues(self) -> list[tuple[Path, Path]]:
        sources = sorted(Path().glob(CATALOGUES))
        return [(po, Path(self.build_lib) / po.with_suffix(".mo")) for po in sources]


setup(cmdclass={"build_py": BuildWithCatalogues})
