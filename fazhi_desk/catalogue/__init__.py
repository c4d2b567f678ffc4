"""Catalogues: the canonical JSON format, the loader that validates it, the Excel template, diffs between versions."""

from fazhi_desk.lazy import lazy_exports

# re-exported when first asked for: importing the package imports none of its modules (see fazhi_desk.lazy)
__getattr__, __dir__ = lazy_exports(__name__, {
    "fazhi_desk.catalogue.diff": ("CatalogueDiff", "DocumentDiff", "ItemChange", "diff",),
    "fazhi_desk.catalogue.schema": ("Catalogue", "bundled_catalogues", "dump_catalogue_json", "load_catalogue_json", "parse_catalogue_dict",),
})


__all__ = [
    "Catalogue",
    "CatalogueDiff",
    "DocumentDiff",
    "ItemChange",
    "diff",
    "read_catalogue_file",
    "bundled_catalogues",
    "dump_catalogue_json",
    "load_catalogue_json",
    "parse_catalogue_dict",
]


def read_catalogue_file(path):  # noqa: ANN001, ANN201
    """Read and validate an .xlsx template or .json catalogue (see :mod:`fazhi_desk.catalogue.reader`)."""
    from fazhi_desk.catalogue.reader import read_catalogue_file as read

    return read(path)
