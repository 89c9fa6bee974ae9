"""One error hierarchy for the whole product.

Every error the user can cause or meet derives from :class:`SipasError`. Each class carries the
process exit code and the HTTP status it maps to; :func:`sipas.cli.main` and the review app's
exception handler are the only places that turn errors into exit codes and HTTP responses.
Messages name the file, page or field and say what to do.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process outcomes of the ``sipas`` command."""

    ok = 0
    bad_args = 1
    input_file = 2
    missing_dependency = 3
    template_invalid = 4
    pages_rejected = 5
    storage = 6
    not_found = 7
    conflict = 8
    port_taken = 9
    other_error = 15
    ctrl_c = 130


class SipasError(Exception):
    """Base class: a message for people, an exit code and an HTTP status."""

    exit_code: ExitCode = ExitCode.other_error
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadArgumentsError(SipasError):
    """The command line or request asked for something impossible."""

    exit_code = ExitCode.bad_args
    http_status = 400


class TemplateError(SipasError):
    """A template file is missing or does not follow the schema."""

    exit_code = ExitCode.template_invalid
    http_status = 422


class InputFileError(SipasError):
    """An input file (or one page of it) cannot be read."""

    exit_code = ExitCode.input_file
    http_status = 422


class MissingDependencyError(SipasError):
    """An external program or data file is not installed."""

    exit_code = ExitCode.missing_dependency
    http_status = 500


class StorageError(SipasError):
    """The workspace database cannot be opened or written."""

    exit_code = ExitCode.storage
    http_status = 500


class NotFoundError(SipasError):
    """A named thing (template, form, page, item, user) does not exist."""

    exit_code = ExitCode.not_found
    http_status = 404


class ConflictError(SipasError):
    """A write lost a race: someone else changed the thing first."""

    exit_code = ExitCode.conflict
    http_status = 409


class PermissionDeniedError(SipasError):
    """The user is not allowed to do this."""

    exit_code = ExitCode.bad_args
    http_status = 403


class NotAuthenticatedError(SipasError):
    """No valid session."""

    exit_code = ExitCode.bad_args
    http_status = 401


class PortInUseError(SipasError):
    """The address and port a server should listen on are taken by another program."""

    exit_code = ExitCode.port_taken
    http_status = 500


class RequestTooLargeError(SipasError):
    """A request body is larger than the server accepts (refused before it is parsed)."""

    exit_code = ExitCode.bad_args
    http_status = 413


class UnsupportedMediaError(SipasError):
    """A request body is not of the type the route reads (JSON where JSON is expected)."""

    exit_code = ExitCode.bad_args
    http_status = 415


class TooManyAttemptsError(SipasError):
    """Too many failed attempts (logins): refused until ``retry_after`` seconds have passed."""

    exit_code = ExitCode.bad_args
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
