"""A contract type for import-linter (``lint-imports``, configured in pyproject.toml).

``stdlib_only``: the source modules (and their descendants) import nothing outside themselves
but the standard library, as ``sys.stdlib_module_names`` knows it. import-linter's
``forbidden`` type needs every forbidden package named, so a new dependency would slip past it.
"""

from __future__ import annotations

import sys
from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class StdlibOnlyContract(Contract):
    type_name = "stdlib_only"

    source_modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        illegal: list[tuple[str, str, tuple[int, ...]]] = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            inside = {source.name, *graph.find_descendants(source.name)}
            for importer in sorted(inside):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    root = imported.split(".")[0]
                    if imported in inside or root in sys.stdlib_module_names:
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(detail["line_number"] for detail in details)
                    illegal.append((importer, imported, lines))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["illegal"]:
            where = ", ".join(map(str, lines))
            output.print_error(f"- {importer} -> {imported} (l.{where})", bold=False)
            output.new_line()
