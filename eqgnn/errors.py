"""The one exception type for problems with what a user gave us."""


class InputError(ValueError):
    """Bad user input: an unknown format, a broken file, an impossible option.

    The message is one line that names the source and the problem, so the CLI
    can print it as is (exit code 2) and a page can show it in an error box.
    """
