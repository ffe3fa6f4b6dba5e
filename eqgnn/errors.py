"""The one exception type for problems with what a user gave us, and how errors are
shown on one line."""


class InputError(ValueError):
    """Bad user input: an unknown format, a broken file, an impossible option.

    The message is one line that names the source and the problem, so the CLI
    can print it as is (exit code 2) and a page can show it in an error box.
    Messages quote what the user typed, and that text may hold a newline or a
    control character (a pasted spec, a file name): those are written as their
    escapes here (``\\n``), once for every caller, so the line stays one line.
    """

    def __init__(self, message: object = "") -> None:
        super().__init__(printable(str(message)))


def printable(text: str) -> str:
    """``text`` with every unprintable character (newline, tab, NUL, ...) escaped."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def first_line(error: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none): what a
    worker reports, a live run shows and a one-line message quotes of a library's error."""
    lines = str(error).strip().splitlines()
    return lines[0].rstrip() if lines else type(error).__name__
