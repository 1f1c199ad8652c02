"""The ``framewise`` command line: parse, validate, call the library, map errors to exit codes."""
