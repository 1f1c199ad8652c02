"""``python -m framewise``: the same as the ``framewise`` command."""

from framewise.cli.main import run

if __name__ == "__main__":
    run()
