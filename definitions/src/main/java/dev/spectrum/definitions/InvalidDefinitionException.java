package dev.spectrum.definitions;

import java.util.List;

/** A definition the schema accepts but that cannot work; each problem says what to change. */
public class InvalidDefinitionException extends RuntimeException {

    private final List<String> problems;

    public InvalidDefinitionException(String what, List<String> problems) {
        super(what + " is invalid: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
