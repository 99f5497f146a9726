"""Readers of official (and user-supplied) source files, one module per source.

Every reader takes a path (or an open binary file), reads code columns as text, validates,
and raises `SourceInvalide` with a French message naming the file, the line/column and what
was expected. `python -m etl build` turns it into exit status 2, the database untouched.
"""


class SourceInvalide(ValueError):
    """A source file that does not match its expected format (message in French)."""
