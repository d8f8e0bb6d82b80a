"""newscrawl: scraper and archiver for Chinese regional news portals."""

__version__ = "0.1.0"

#: Version of the extraction + normalisation code; bump it whenever a change
#: can alter an exported record, so old and new records can be told apart.
PARSER_VERSION = "1.0.0"

#: Version of the article record contract (docs/record.md, schema/article-record.schema.json).
SCHEMA_VERSION = 1
