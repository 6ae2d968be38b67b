"""`python -m kbtui` is the same as the `kbtui` console script."""

from kbtui.cli import main

if __name__ == "__main__":
    main()
