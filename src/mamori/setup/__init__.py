"""`mamori setup`: a real installation without demo data — the operator, the first administrator, services.

Interactive (prompts with defaults, the password asked twice without echo) or `--from FILE.yaml` for
automation. The file is read and checked whole before anything is touched (each problem named
`FILE:LINE: where: what`); then the migrations run; then the operator, the administrator and the
services are written in ONE transaction, so a refusal changes nothing. A password is never read from
the file: `--password-stdin`, the prompt, or `password_env: NAME` naming an environment variable.
Running it again over a set-up operator is refused unless `--update`. Refusals exit with code 2.
"""

from mamori.setup.command import run_setup

__all__ = ["run_setup"]
