package dev.spectrum.operator.spectrum.model;

import java.security.SecureRandom;

/** Generated secrets: alphanumeric, from a cryptographic random source (crds.md, logins). */
public final class Passwords {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Passwords() {
    }

    /** 32 characters: about 190 bits. */
    public static String generate() {
        return generate(32);
    }

    public static String generate(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    /** A write key as the ingest API takes it. */
    public static String writeKey() {
        return "spx_" + generate(32);
    }
}
