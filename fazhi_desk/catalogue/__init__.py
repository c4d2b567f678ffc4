"""Catalogues: the canonical JSON format, the loader that validates it, the Excel template, diffs between versions."""

from fazhi_desk.catalogue.schema import (
    Catalogue,
    bundled_catalogues,
    dump_catalogue_json,
    load_catalogue_json,
    parse_catalogue_dict,
)

__all__ = [
    "Catalogue",
    "bundled_catalogues",
    "dump_catalogue_json",
    "load_catalogue_json",
    "parse_catalogue_dict",
]
