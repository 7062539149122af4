"""`python -m ispnoc` runs the command line."""

from ispnoc.cli import app

if __name__ == "__main__":
    app()
