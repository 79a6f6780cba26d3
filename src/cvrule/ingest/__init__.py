"""Reading the files a compliance team has (SBOMs, HBOMs, ownership data, screening lists,
supplier registers, case files) into canonical facts with provenance.

`cvrule.ingest.load.ingest_paths` loads files into a workspace; `cvrule.ingest.detect.detect`
chooses a file's format by content; each format has its own module.
"""
