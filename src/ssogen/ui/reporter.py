"""The terminal's side of :class:`ssogen.app.ports.Reporter`: one-line messages on stderr, a
progress bar when stderr is a terminal, and the device-code prompt (with the browser and the
Windows clipboard where they exist)."""

from __future__ import annotations

from ssogen.model.events import LoginPrompt, NoProgress, ProgressSink
from ssogen.ui import terminal as ui


class TerminalReporter:
    def __init__(self, *, progress: bool | None = None) -> None:
        self._progress = progress  # None: when stderr is a terminal
        self.warnings: list[str] = []  # every warning said, for the wizard to repeat

    def info(self, message: str) -> None:
        ui.info(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        ui.warn(message)

    def progress(self, label: str) -> ProgressSink:
        from ssogen.ui.progress import Progress, stop_live

        stop_live()
        if self._progress is False:
            return NoProgress()
        return Progress(label, enabled=self._progress)

    def login_prompt(self, prompt: LoginPrompt) -> None:
        """The URL and code first (each alone on its line, nothing glued to it), then the
        conveniences: the Windows clipboard, the browser. The prompt is printed before a
        browser is launched, so a console browser from ``BROWSER`` cannot hide it."""
        from ssogen.ui import browser

        uri, code = prompt.verification_uri, prompt.user_code
        complete = prompt.verification_uri_complete
        lines = ["To log in, open this URL in any browser, on any device:", "", uri, "",
                 "and enter the code:", "", code, ""]
        if complete and complete != uri:
            lines += ["Or open this URL, which fills in the code for you:", "", complete, ""]
        for line in lines:
            ui.info(line)
        if code and browser.copy_to_clipboard(code):
            ui.info("The code is on the Windows clipboard.")
        if prompt.open_browser and browser.open_url(complete or uri):
            ui.info("Opened the login page in your browser.")
        self._wait(prompt)

    @staticmethod
    def _wait(prompt: LoginPrompt) -> None:
        """The prompt's last line: on a terminal, a countdown to the code's expiry redrawn in
        place (it ends when the next line is printed); elsewhere the plain line."""
        from ssogen.ui.progress import Countdown

        if not Countdown(prompt.expires_in).start():
            ui.info("Waiting for approval (Ctrl-C to cancel)...")
