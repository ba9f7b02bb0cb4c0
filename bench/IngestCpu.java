// CPU per event of the ingest service's own work on a request body, in one thread, no HTTP and
// no PostgreSQL: read and check 500-event batches (request bodies IngestBench.java wrote), then build
// the COPY rows as the UTF-8 bytes sent. The figure is printed beside the baseline in the same
// run: the tree-based reading (EventBatch.parseTree, which the service still uses for any batch
// the streaming pass gives up on). Run through bench/ingest-cpu.sh.
//
//   java -cp "ingest/target/classes:ingest/target/quarkus-app/lib/main/*:ingest/target/quarkus-app/lib/boot/*" \
//     bench/IngestCpu.java BODIES_DIR [seconds per round]

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.ingest.EventBatch;
import dev.spectrum.ingest.EventValidator;
import dev.spectrum.ingest.IncomingEvent;
import dev.spectrum.ingest.JsonMapper;
import dev.spectrum.ingest.RawEventWriter;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

public class IngestCpu {

    interface Reader {
        List<IncomingEvent> read(byte[] body) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        ObjectMapper mapper = JsonMapper.strict();
        EventValidator validator = new EventValidator(mapper, Clock.systemUTC());
        Method tree = EventBatch.class.getDeclaredMethod("parseTree", byte[].class, ObjectMapper.class, EventValidator.class);
        tree.setAccessible(true);
        @SuppressWarnings("unchecked")
        Reader treeReader = body -> (List<IncomingEvent>) tree.invoke(null, body, mapper, validator);
        Reader streaming = body -> EventBatch.parse(body, mapper, validator);

        List<byte[]> bodies = new ArrayList<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(args[0]))) {
            for (var file : files.sorted().toList()) {
                bodies.add(java.nio.file.Files.readAllBytes(file));
            }
        }
        int batch = tree.invoke(null, bodies.get(0), mapper, validator) instanceof List<?> events ? events.size() : 0;
        System.out.printf("machine: %d cores, Java %s; one thread; %d bodies of %d events, %d bytes per event%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), bodies.size(), batch,
                bodies.get(0).length / batch);
        // the same events either way
        if (!withoutIds(treeReader.read(bodies.get(0))).equals(withoutIds(streaming.read(bodies.get(0))))) {
            throw new IllegalStateException("the two readings differ");
        }
        // alternate, three rounds each, after a warm-up of both; the best round of each counts
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        Reader[] readers = {treeReader, streaming};
        round(treeReader, bodies, 2);
        round(streaming, bodies, 2);
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 2; k++) {
                best[k] = Math.min(best[k], round(readers[k], bodies, seconds));
            }
        }
        System.out.printf("%-52s %6.2f µs/event%n", "baseline: tree reading + COPY rows", best[0]);
        System.out.printf("%-52s %6.2f µs/event   %.0f%% of the baseline's CPU%n", "streaming reading + COPY rows",
                best[1], 100 * best[1] / best[0]);
    }

    /** µs of CPU per event over a timed round (this thread's CPU time). */
    static double round(Reader reader, List<byte[]> bodies, double seconds) throws Exception {
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = bean.getCurrentThreadCpuTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long events = 0;
        long sink = 0;
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        while (System.nanoTime() < end) {
            for (byte[] body : bodies) {
                List<IncomingEvent> read = reader.read(body);
                var rows = RawEventWriter.copyData(read, "bench", now);
                sink += rows.length();
                events += read.size();
            }
        }
        if (sink == 0) {
            throw new IllegalStateException();
        }
        return (bean.getCurrentThreadCpuTime() - cpu0) / 1e3 / events;
    }

    static List<IncomingEvent> withoutIds(List<IncomingEvent> events) {
        return events.stream().map(e -> new IncomingEvent(new UUID(0, 0), e.type(), e.accountId(), e.userId(),
                e.anonymousId(), e.occurredAt(), e.propertiesJson(), e.contextJson())).toList();
    }
}
