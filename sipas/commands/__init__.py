"""Sub-commands of ``sipas``, one module per group; :data:`sipas.cli.COMMANDS` lists them.

A command module imports only Typer at the top and the reading engine, pandas or the web app inside
its functions, so that ``sipas <command> --help`` starts at once.
"""
