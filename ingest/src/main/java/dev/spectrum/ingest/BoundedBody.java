package dev.spectrum.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body without ever holding more than the limit: the raw bytes are bounded as
 * they arrive, and a gzip body is bounded again as it expands (decompression stops at the limit,
 * so a small gzip bomb costs nothing).
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** The body's bytes, decompressed when {@code gzip}; 413 past {@code limit} either way. */
    public static byte[] read(InputStream in, boolean gzip, int limit) throws IOException {
        byte[] raw = readAtMost(in, limit, "the request body is larger than %d bytes");
        if (!gzip) {
            return raw;
        }
        try (var expanded = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
            return readAtMost(expanded, limit, "the request body expands to more than %d bytes after gzip decompression");
        } catch (ZipException | java.io.EOFException e) {
            throw ApiException.malformedJson("the body is marked Content-Encoding: gzip but is not valid gzip data");
        }
    }

    private static byte[] readAtMost(InputStream in, int limit, String tooLarge) throws IOException {
        var out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > limit) {
                throw ApiException.tooLarge(String.format(tooLarge, limit) + "; send at most " + IngestLimits.MAX_BODY_TEXT + " per request");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
