"""One module per command: ``register()`` adds its arguments, ``run()`` builds the request,
calls the application layer and renders the result.

:data:`SUMMARY` is each command's one-line help, in the order ``ssogen --help`` shows them:
the parser lists every command from it without importing a command module, and only the
command on the command line is imported and builds its arguments."""

SUMMARY = {
    "setup": "set up a session and write a profile for every account and role",
    "sync": "regenerate ssogen-managed profiles with the remembered settings",
    "login": "log in (browser with PKCE, or a device code: works in WSL2 and over SSH)",
    "logout": "end the sign-in session and remove its cached token and role credentials",
    "list": "list the accounts and roles reachable through a session",
    "export-credentials":
        "print role credentials for a profile (env, powershell, json, credential_process)",
    "import-credentials":
        "write credentials copied from the access portal into ~/.aws/credentials",
    "console": "open the AWS console in the browser as a profile's role",
    "doctor": "check the config, caches and logins; say what to fix",
    "org": "admin side: every user's inventory from the IAM Identity Center admin APIs",
    "demo": "try everything against the built-in emulator, in a sandbox (never ~/.aws)",
    "emulator": "run the built-in IAM Identity Center emulator (no AWS needed)",
    "completion": "print a shell completion script (bash, zsh, fish)",
}
