"""kehoach for notebooks: run the extraction and get the contract's tables as pandas DataFrames.

    import kehoach
    r = kehoach.extract(["archive/"], workers=2)
    r.flags[r.flags.severity == "error"]
    r.report("out/report")

The command line is `kehoach extract`; see the README.
"""
from kehoach.api import TABLES, Extraction, extract

__all__ = ["extract", "Extraction", "TABLES"]
