"""Packages that gather one module per entity and offer every public name at the top.

`services/` is one module per entity (`appointments.py`, `careplans.py`, ...) and callers
write `from casemanagement import services` or `from casemanagement.services import x`.
Listing each name twice, once imported and once in `__all__`, in every package, is what
`reexport` does away with: the package's `__init__.py` says

    __all__ = reexport(__name__)

and receives, from each of its modules whose name does not start with an underscore, the
names that module itself defines at its top level: its functions, its classes and its
upper-case constants (`REMINDER_BEFORE`). What a module only imports from elsewhere is
not offered again; a package that offers such a name imports it itself and lists it.
Two modules defining the same public name is refused at import, naming both."""

import ast
import importlib
import pkgutil
import sys
from pathlib import Path


def _defined_names(path: str) -> list[str]:
    names = []
    for node in ast.parse(Path(path).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend(t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper())
    return [name for name in names if not name.startswith("_")]


def public_names(module) -> list[str]:
    """The public names `module` defines itself, in the order it defines them."""
    return _defined_names(module.__file__)


def reexport(package_name: str) -> list[str]:
    """Import every public module of the package `package_name`, bind the names each
    defines on the package, and return them sorted, for the package's `__all__`."""
    package = sys.modules[package_name]
    offered_by: dict[str, str] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package_name}.{info.name}")
        for name in public_names(module):
            if name in offered_by:
                raise ImportError(
                    f"{package_name}: {name} is defined in both {offered_by[name]} and "
                    f"{module.__name__}; rename one or make it private (_{name})."
                )
            offered_by[name] = module.__name__
            setattr(package, name, getattr(module, name))
    return sorted(offered_by)
