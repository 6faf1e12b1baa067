"""The terminal's side of :class:`ssogen.app.ports.Reporter`: messages on stderr (wrapped
between words on a terminal, one line each in a pipe), a progress bar when stderr is a
terminal, and the login prompt -- device code or PKCE -- with the browser and the Windows
clipboard where they exist."""

from __future__ import annotations

from ssogen.model.events import PKCE, LoginPrompt, NoProgress
from ssogen.ui import terminal as ui

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.model.events import ProgressSink

#: how long the PKCE prompt waits for the browser launcher before saying it is on its way
_OPEN_WAIT = 3.0


class TerminalReporter:
    def __init__(self, *, progress: bool | None = None) -> None:
        self._progress = progress  # None: when stderr is a terminal
        self.warnings: list[str] = []  # every warning said, for the wizard to repeat

    def info(self, message: str) -> None:
        ui.info(ui.fitted(message))

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        ui.warn(ui.fitted(message, used=len("ssogen: warning: ")))

    def progress(self, label: str) -> ProgressSink:
        from ssogen.ui.progress import Progress, stop_live

        stop_live()
        if self._progress is False:
            return NoProgress()
        return Progress(label, enabled=self._progress)

    def login_prompt(self, prompt: LoginPrompt) -> None:
        """The URL (and code) first, each alone on its line with nothing glued to it, then
        the conveniences: the Windows clipboard, the browser. The prompt is printed before a
        browser is launched, so a console browser from ``BROWSER`` cannot hide it. ``note``
        (which flow the default chose, and why) comes first, on a terminal wrapped at word
        boundaries."""
        if prompt.note:
            ui.info(ui.fitted(prompt.note))
        if prompt.kind == PKCE:
            self._pkce_prompt(prompt)
        else:
            self._device_prompt(prompt)

    def _device_prompt(self, prompt: LoginPrompt) -> None:
        from ssogen.ui import browser

        uri, code = prompt.verification_uri, prompt.user_code
        complete = prompt.verification_uri_complete
        lines = [ui.fitted("To log in, open this URL in any browser, on any device:"), "", uri,
                 "", "and enter the code:", "", code, ""]
        if complete and complete != uri:
            lines += [ui.fitted("Or open this URL, which fills in the code for you:"), "",
                      complete, ""]
        for line in lines:
            ui.info(line)
        if code and browser.copy_to_clipboard(code):
            ui.info("The code is on the Windows clipboard.")
        if prompt.open_browser and browser.open_url(complete or uri):
            ui.info("Opened the login page in your browser.")
        self._wait(prompt)

    def _pkce_prompt(self, prompt: LoginPrompt) -> None:
        """PKCE: the sign-in page must be opened by a browser on this machine (on WSL2 the
        Windows browser, which reaches ssogen through WSL2's localhost forwarding). The
        browser is launched in a thread: some launchers (``BROWSER=...``, a first Firefox)
        return only when the browser exits, and the redirect must find ssogen listening."""
        import threading

        from ssogen.ui import browser

        url = prompt.verification_uri
        where = ("To log in, open this URL in a browser on this machine (it sends you back to "
                 "ssogen on 127.0.0.1):")
        for line in (ui.fitted(where), "", url, "",
                     ui.fitted("If no browser here can open it, press Ctrl-C and run the command "
                             "again with --use-device-code."), ""):
            ui.info(line)
        if prompt.open_browser:
            opened: list[bool] = []
            launcher = threading.Thread(target=lambda: opened.append(browser.open_url(url)),
                                        name="ssogen-open-browser", daemon=True)
            launcher.start()
            launcher.join(_OPEN_WAIT)
            if launcher.is_alive():
                ui.info("Opening the login page in your browser...")
            elif opened and opened[0]:
                ui.info("Opened the login page in your browser.")
        minutes = prompt.expires_in // 60
        limit = f"up to {minutes} min; " if minutes else ""
        ui.info(ui.fitted(f"Waiting for the browser ({limit}Ctrl-C to cancel)..."))

    @staticmethod
    def _wait(prompt: LoginPrompt) -> None:
        """The prompt's last line: on a terminal, a countdown to the code's expiry redrawn in
        place (it ends when the next line is printed); elsewhere the plain line."""
        from ssogen.ui.progress import Countdown

        if not Countdown(prompt.expires_in).start():
            ui.info("Waiting for approval (Ctrl-C to cancel)...")
