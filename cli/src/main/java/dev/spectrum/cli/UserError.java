package dev.spectrum.cli;

/** A failure the user can act on: printed as one line, exit status 1, no stack trace. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
